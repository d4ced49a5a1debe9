//! The mutation campaign of issue 26, as a test: each base file of
//! tests/fixtures/mutation (CSV, XLSX, ODS, XLS, Parquet: the sample's first
//! 24 dispute rows) is damaged the ways a hostile or careless sender would —
//! bytes flipped, the file cut or spliced, the XML inside a workbook given a
//! far cell, a huge repeat count, an index past its table or a cut, a CSV
//! given an open quote, stray bytes or absurd numbers — and ingested under a
//! 1 GiB address-space cap. Every case must:
//!
//! - exit 0, 1, 2, 3 or 4, in time, killed by no signal (an allocation that
//!   fails aborts);
//! - print no panic;
//! - on exit 2: end with one `error:` line naming the file, and leave the
//!   previous warehouse exactly as it was;
//! - otherwise: account every row (rows_read = stored + quarantined + totals,
//!   per file; the quarantine holds as many rows as the manifest says).
//!
//! Seeded: the same cases on every machine. `GOVLENS_MUTATION_CASES` sets the
//! cases per format (default 50, a minute or two in CI); before a release,
//! run `GOVLENS_MUTATION_CASES=2000 cargo test --release --test mutation`
//! (docs/operations.md). A failing case's file is kept under
//! target/tmp/mutation-failures; `GOVLENS_MUTATION_ONLY=Parquet:498` reruns
//! that case alone. The campaign's eleven reproducers are the named
//! regression tests of tests/damaged_files.rs, tests/columnar.rs and
//! tests/concurrency.rs.

mod common;

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{Gen, Workdir};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Csv,
    Xlsx,
    Ods,
    Xls,
    Parquet,
}

impl Kind {
    fn ext(self) -> &'static str {
        match self {
            Kind::Csv => "csv",
            Kind::Xlsx => "xlsx",
            Kind::Ods => "ods",
            Kind::Xls => "xls",
            Kind::Parquet => "parquet",
        }
    }
}

/// One byte changed, a few, or a run: anywhere, or (XLS, Parquet) where the
/// structure lives — the compound file's header, the Parquet footer.
fn flip(b: &mut [u8], kind: Kind, g: &mut Gen) -> String {
    let n = 1 + g.below(8) as usize;
    let len = b.len() as u64;
    let region = match kind {
        Kind::Xls if g.below(2) == 0 => (0, 512.min(len)),
        Kind::Parquet if g.below(2) == 0 => (len.saturating_sub(600), len),
        _ => (0, len),
    };
    for _ in 0..n {
        let at = (region.0 + g.below((region.1 - region.0).max(1))) as usize;
        b[at] = match g.below(4) {
            0 => 0xFF,
            1 => 0x00,
            2 => b[at] ^ (1 << g.below(8)),
            _ => g.below(256) as u8,
        };
    }
    format!("{n} byte(s) changed")
}

/// The bytes of a zip archive's entries, in order.
fn unzip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    (0..z.len())
        .map(|i| {
            let mut f = z.by_index(i).unwrap();
            let mut out = Vec::new();
            f.read_to_end(&mut out).unwrap();
            (f.name().to_string(), out)
        })
        .collect()
}

fn rezip(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut out);
        for (name, bytes) in entries {
            let opts = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated);
            z.start_file(name.as_str(), opts).unwrap();
            z.write_all(bytes).unwrap();
        }
        z.finish().unwrap();
    }
    out.into_inner()
}

/// A change to the XML inside a workbook: what a structure-aware fuzzer
/// does, and what found the allocation bombs.
fn xml_mutation(text: &str, kind: Kind, g: &mut Gen) -> (String, String) {
    let huge = [
        "4294967295",
        "1048576",
        "16384",
        "1000000",
        "99999999999",
        "-1",
    ];
    match g.below(6) {
        // A number in the XML (a cell reference's row, an index, a value,
        // a repeat count) made huge or negative.
        0 | 1 => {
            let digits: Vec<usize> = text
                .char_indices()
                .filter(|(i, c)| {
                    c.is_ascii_digit() && (*i == 0 || !text.as_bytes()[i - 1].is_ascii_digit())
                })
                .map(|(i, _)| i)
                .collect();
            if digits.is_empty() {
                return ("no number to change".into(), text.into());
            }
            let at = digits[g.below(digits.len() as u64) as usize];
            let end = text[at..]
                .find(|c: char| !c.is_ascii_digit())
                .map_or(text.len(), |e| at + e);
            let with = huge[g.below(huge.len() as u64) as usize];
            (
                format!("number {} → {with}", &text[at..end]),
                format!("{}{with}{}", &text[..at], &text[end..]),
            )
        }
        // A far cell, or a repeat bomb.
        2 => match kind {
            Kind::Ods => {
                let attr = if g.below(2) == 0 {
                    (
                        "<table:table-row",
                        " table:number-rows-repeated=\"1000000\"",
                    )
                } else {
                    (
                        "<table:table-cell",
                        " table:number-columns-repeated=\"16384\"",
                    )
                };
                let hits: Vec<usize> = text.match_indices(attr.0).map(|(i, _)| i).collect();
                if hits.is_empty() {
                    return ("no element to repeat".into(), text.into());
                }
                let at = hits[g.below(hits.len() as u64) as usize] + attr.0.len();
                (
                    format!("{} on a {}", attr.1.trim(), &attr.0[1..]),
                    format!("{}{}{}", &text[..at], attr.1, &text[at..]),
                )
            }
            _ => {
                let far = ["XFD1048576", "ZZZZZ1", "A4294967295", "XFD1"];
                let with = far[g.below(far.len() as u64) as usize];
                match text.find(" r=\"B") {
                    Some(at) => {
                        let end = at + text[at + 4..].find('"').unwrap() + 4;
                        (
                            format!("a cell moved to {with}"),
                            format!("{} r=\"{with}{}", &text[..at], &text[end..]),
                        )
                    }
                    None => ("no cell reference".into(), text.into()),
                }
            }
        },
        // A string cell pointing into the shared strings, past their end.
        3 if kind == Kind::Xlsx => match text.find("<v>") {
            Some(at) => (
                "a value read as shared string 99999".into(),
                format!("{}<v>99999{}", &text[..at], &text[at + 3..]).replacen(
                    "<c r=",
                    "<c t=\"s\" r=",
                    1,
                ),
            ),
            None => ("no value".into(), text.into()),
        },
        // The XML cut short, or a closing tag lost.
        4 => {
            let at = g.below(text.len() as u64) as usize;
            let at = (0..=at)
                .rev()
                .find(|i| text.is_char_boundary(*i))
                .unwrap_or(0);
            (format!("cut at byte {at}"), text[..at].to_string())
        }
        _ => match text.find("</") {
            Some(_) => {
                let closes: Vec<usize> = text.match_indices("</").map(|(i, _)| i).collect();
                let at = closes[g.below(closes.len() as u64) as usize];
                let end = text[at..].find('>').map_or(text.len(), |e| at + e + 1);
                (
                    "a closing tag dropped".into(),
                    format!("{}{}", &text[..at], &text[end..]),
                )
            }
            None => ("no closing tag".into(), text.into()),
        },
    }
}

/// A change to a CSV a careless clerk or a hostile sender could make.
fn csv_mutation(text: &str, g: &mut Gen) -> (String, Vec<u8>) {
    let lines: Vec<&str> = text.lines().collect();
    let pick = |g: &mut Gen| 1 + g.below(lines.len() as u64 - 1) as usize;
    let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    let what = match g.below(8) {
        0 => {
            let i = pick(g);
            let at = out[i].find(',').map_or(0, |c| c + 1);
            out[i].insert(at, '"');
            format!("an open quote on line {}", i + 1)
        }
        1 => {
            let i = pick(g);
            let huge = [
                "9223372036854775807",
                "1e308",
                "-5",
                "１２３",
                "NaN",
                "1,2,3",
            ];
            let with = huge[g.below(huge.len() as u64) as usize];
            let cells: Vec<&str> = out[i].split(',').collect();
            let c = 3 + g.below(3) as usize;
            let mut cells: Vec<String> = cells.iter().map(|s| s.to_string()).collect();
            if c < cells.len() {
                cells[c] = with.into();
            }
            out[i] = cells.join(",");
            format!("line {}: a count {with}", i + 1)
        }
        2 => {
            let i = pick(g);
            out.insert(i, format!("合计,,,{},,,", g.below(1000)));
            "a total row".into()
        }
        3 => {
            let i = pick(g);
            out[i].push_str(",stray,\"x\"");
            "stray cells".into()
        }
        4 => {
            let i = pick(g);
            out[i] = format!("{},{}", out[i], "x".repeat(100_000));
            "a 100 kB cell".into()
        }
        5 => {
            let i = pick(g);
            out.insert(i, out[i].clone());
            "a line twice".into()
        }
        6 => {
            out.insert(0, "2015年某区人民调解情况统计表".into());
            "a title row".into()
        }
        _ => {
            let mut b = text.as_bytes().to_vec();
            let what = flip(&mut b, Kind::Csv, g);
            return (what, b);
        }
    };
    (what, (out.join("\n") + "\n").into_bytes())
}

/// One damaged copy of `base`, and what was done to it.
fn mutate(kind: Kind, base: &[u8], g: &mut Gen) -> (String, Vec<u8>) {
    let zipped = matches!(kind, Kind::Xlsx | Kind::Ods);
    match g.below(10) {
        0 | 1 => {
            let mut b = base.to_vec();
            let what = flip(&mut b, kind, g);
            (what, b)
        }
        2 => {
            let at = g.below(base.len() as u64) as usize;
            (format!("cut to {at} bytes"), base[..at].to_vec())
        }
        3 => {
            let at = g.below(base.len() as u64) as usize;
            let n = 1 + g.below(64) as usize;
            let mut b = base.to_vec();
            if g.below(2) == 0 {
                b.drain(at..(at + n).min(base.len()));
                (format!("{n} bytes removed at {at}"), b)
            } else {
                let chunk = base[at..(at + n).min(base.len())].to_vec();
                b.splice(at..at, chunk);
                (format!("{n} bytes repeated at {at}"), b)
            }
        }
        _ if zipped => {
            let mut entries = unzip(base);
            let xml: Vec<usize> = entries
                .iter()
                .enumerate()
                .filter(|(_, (n, _))| {
                    n.ends_with("content.xml")
                        || n.contains("worksheets/")
                        || n.ends_with("sharedStrings.xml")
                })
                .map(|(i, _)| i)
                .collect();
            let i = xml[g.below(xml.len() as u64) as usize];
            let text = String::from_utf8_lossy(&entries[i].1).to_string();
            let (what, changed) = xml_mutation(&text, kind, g);
            entries[i].1 = changed.into_bytes();
            (format!("{}: {what}", entries[i].0), rezip(&entries))
        }
        _ if kind == Kind::Csv => csv_mutation(&String::from_utf8_lossy(base), g),
        _ => {
            let mut b = base.to_vec();
            let what = flip(&mut b, kind, g);
            (what, b)
        }
    }
}

/// What one case did, for the tally.
#[derive(Debug, Default)]
struct Tally {
    cases: BTreeMap<(Kind, i32), u64>,
}

/// Runs `govlens ingest` under the cap, with a deadline; (exit, stderr).
fn ingest_capped(wd: &Workdir) -> (Option<i32>, String, Duration) {
    let started = Instant::now();
    let mut child = std::process::Command::new("sh")
        .arg("-c")
        .arg("ulimit -v 1048576 && exec \"$0\" \"$@\"")
        .arg(env!("CARGO_BIN_EXE_govlens"))
        .args(["ingest", "--config", "c.toml"])
        .env("RAYON_NUM_THREADS", "2")
        .env("POLARS_MAX_THREADS", "2")
        .current_dir(wd.path(""))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Duration::from_secs(60);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut err = String::new();
            child
                .stderr
                .take()
                .unwrap()
                .read_to_string(&mut err)
                .unwrap();
            return (status.code(), err, started.elapsed());
        }
        if started.elapsed() > deadline {
            child.kill().unwrap();
            let _ = child.wait();
            return (None, "did not finish within 60 s".into(), started.elapsed());
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Row accounting of a published warehouse.
fn accounted(wd: &Workdir) -> Result<(), String> {
    let m = common::manifest(wd, "warehouse");
    let mut quarantined = 0;
    for f in m["files"].as_array().unwrap() {
        let n = |k: &str| f[k].as_u64().unwrap_or(0);
        if n("rows_read") != n("rows_stored") + n("rows_quarantined") + n("rows_total") {
            return Err(format!("rows do not add up: {f}"));
        }
        quarantined += n("rows_quarantined");
    }
    if m["quarantined"].as_u64() != Some(quarantined) {
        return Err(format!(
            "quarantined {} ≠ Σ files {quarantined}",
            m["quarantined"]
        ));
    }
    let q = common::parquet(&wd.path("warehouse/_quarantine.parquet"));
    if q.height() as u64 != quarantined {
        return Err(format!(
            "_quarantine.parquet has {} rows, the manifest {quarantined}",
            q.height()
        ));
    }
    Ok(())
}

/// `cases` damaged copies of the base file of `kind`, each ingested over the
/// warehouse the previous case left.
fn campaign(kind: Kind, cases: u64, tally: &mut Tally) -> Vec<String> {
    let base_dir = common::repo().join("tests/fixtures/mutation");
    let base = std::fs::read(base_dir.join(format!("disputes.{}", kind.ext()))).unwrap();
    let wd = Workdir::new();
    let file = format!("disputes.{}", kind.ext());
    wd.write(
        "c.toml",
        format!(
            "[run]\nwarehouse = \"warehouse\"\noutput = \"out\"\n[limits]\nmax_cells = 1000000\n[sources.regions]\npath = {:?}\n[sources.disputes]\npath = \"{file}\"\n",
            common::repo().join("datasets/sample/regions.csv").to_string_lossy()
        ),
    );
    // A budget the 1 GiB cap can hold (a cell costs ~150 bytes at most on
    // its way through calamine and ingest; docs/contract.md B.1): what is
    // tested is that the readers honour the budget, whatever it is.
    // The base file ingests: the warehouse every case starts from.
    wd.write(&file, &base);
    let (code, err, _) = ingest_capped(&wd);
    assert_eq!(code, Some(0), "{kind:?} base file: {err}");
    let mut g = Gen::new(0x6C69_6E65 + kind as u64);
    let mut failures = Vec::new();
    // `GOVLENS_MUTATION_ONLY=Parquet:498` runs that case alone (the cases
    // before it are still drawn, so it is the same file).
    let only = std::env::var("GOVLENS_MUTATION_ONLY").ok();
    let kept = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("mutation-failures");
    for case in 0..cases {
        let (what, bytes) = mutate(kind, &base, &mut g);
        if only
            .as_deref()
            .is_some_and(|o| o != format!("{kind:?}:{case}"))
        {
            continue;
        }
        wd.write(&file, &bytes);
        let before = wd.snapshot("warehouse");
        let (code, err, took) = ingest_capped(&wd);
        *tally.cases.entry((kind, code.unwrap_or(-1))).or_default() += 1;
        // A failing case's file is kept, to reproduce and to report.
        let keep = kept.join(format!("{kind:?}-{case}.{}", kind.ext()));
        let mut fail = |why: String| {
            let _ = std::fs::create_dir_all(&kept);
            let _ = std::fs::write(&keep, &bytes);
            failures.push(format!(
                "{kind:?} case {case} ({what}; kept as {}): {why}",
                keep.display()
            ));
        };
        match code {
            None => fail(format!("killed by a signal or hung ({took:?}): {err}")),
            Some(c) if !(0..=4).contains(&c) => fail(format!("exit {c}: {err}")),
            _ => {}
        }
        if err.contains("panicked") || err.contains("memory allocation") {
            fail(format!("a panic: {err}"));
        }
        if code == Some(2) {
            let last = err.trim().lines().last().unwrap_or("");
            if !(last.starts_with("error: ") && last.contains(&file)) {
                fail(format!("not one error naming the file: {err}"));
            }
            if wd.snapshot("warehouse") != before {
                fail("the previous warehouse changed".into());
            }
        } else if matches!(code, Some(0 | 1 | 3)) {
            if let Err(why) = accounted(&wd) {
                fail(why);
            }
        }
    }
    failures
}

#[test]
fn a_seeded_mutation_campaign_over_every_format_crashes_nothing() {
    let cases: u64 = std::env::var("GOVLENS_MUTATION_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50);
    let kinds = [Kind::Csv, Kind::Xlsx, Kind::Ods, Kind::Xls, Kind::Parquet];
    // Two formats at a time: the machine has two cores.
    let results: Vec<(Vec<String>, Tally)> = std::thread::scope(|s| {
        let handles: Vec<_> = kinds
            .chunks(3)
            .map(|chunk| {
                s.spawn(move || {
                    let mut tally = Tally::default();
                    let mut failures = Vec::new();
                    for k in chunk {
                        failures.extend(campaign(*k, cases, &mut tally));
                    }
                    (failures, tally)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut failures = Vec::new();
    let mut tally = BTreeMap::new();
    for (f, t) in results {
        failures.extend(f);
        for (k, n) in t.cases {
            *tally.entry(k).or_insert(0) += n;
        }
    }
    // The figures the closing note quotes: cases by format and exit code.
    for ((kind, code), n) in &tally {
        eprintln!("mutation: {kind:?} exit {code}: {n}");
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
