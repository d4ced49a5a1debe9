//! The columnar path of ingest (pipeline/ingest/columnar/) against the
//! record path it stands in for: the same warehouse byte for byte, and a
//! 5M-row file whose planted bad rows are quarantined exactly.

mod common;

use std::collections::BTreeMap;
use std::fmt::Write as _;

use common::{parquet, repo, strs, Gen, Workdir};

/// `govlens ingest --config config` with one environment variable set;
/// asserts success and returns (summary, log).
fn ingest_with(wd: &Workdir, config: &str, (var, value): (&str, &str)) -> (String, String) {
    let out = wd
        .command(&["ingest", "--config", config])
        .env(var, value)
        .output()
        .unwrap();
    let log = String::from_utf8(out.stderr).unwrap();
    assert!(out.status.success(), "{log}");
    (String::from_utf8(out.stdout).unwrap(), log)
}

/// Ingests `config`, asserting that at least one file was read by the
/// columnar path (not the record path compared with itself); returns the
/// summary.
fn ingest_columnar(wd: &Workdir, config: &str) -> String {
    let (summary, log) = ingest_with(wd, config, ("GOVLENS_LOG", "govlens::ingest=debug"));
    assert!(log.contains("read by the columnar path"), "{log}");
    summary
}

/// Ingests `config` by the columnar path and by the record path
/// (`GOVLENS_INGEST_PATH=record`) into the same warehouse folder, and
/// returns both snapshots (file → hash) and both summaries.
fn both_paths(wd: &Workdir, config: &std::path::Path) -> [(BTreeMap<String, String>, String); 2] {
    let cfg = config.to_str().unwrap();
    let columnar = ingest_columnar(wd, cfg);
    let first = wd.snapshot("warehouse");
    let (record, _) = ingest_with(wd, cfg, ("GOVLENS_INGEST_PATH", "record"));
    [(first, columnar), (wd.snapshot("warehouse"), record)]
}

#[test]
fn columnar_and_record_paths_write_the_same_warehouse_for_both_samples() {
    for name in ["sample", "sample-messy"] {
        let wd = Workdir::new();
        let cfg = common::repo_config(&wd, name, "warehouse");
        let [(a, sa), (b, sb)] = both_paths(&wd, &cfg);
        assert!(a.len() >= 7, "{name}: {a:?}");
        assert_eq!(a, b, "{name}: the two paths' warehouses differ");
        assert_eq!(sa, sb, "{name}: the two paths' summaries differ");
    }
}

/// The shapes a clerk's CSV takes that the fast rules leave to the record
/// path, or that the two paths must count alike: totals and subtotals in the
/// middle (checked against the rows above), note lines, blank lines and
/// rows of empty cells, a stray cell, thousands separators and full-width
/// digits, quoted commas, a BOM and CRLF, and a second file of the same
/// table that repeats a key of the first (E_DUPLICATE across files) and has
/// a title row (so it takes the record path).
#[test]
fn columnar_and_record_paths_agree_on_totals_notes_blanks_and_odd_cells() {
    let wd = Workdir::new();
    let a = "\u{feff}region_code,period,category,received,resolved,escalated,mean_days\r\n\
110117001001,2023,family,10,8,1,12.5\r\n\
110117001001,2023,neighbour,\"1,234\",1000,,3\r\n\
110117001005,2023,family,１２,6,0,\r\n\
,,,,,,\r\n\
\r\n\
合计,2023,,1256,1014,1,\r\n\
110117001005,2023,\"land, housing\",5,4,0,1\r\n\
110117001009,2023,family,4,2,0,2,extra\r\n\
110117001009,2023,family,4,2,0,2\r\n\
110117001009,2023,family,4,2,0,2\r\n\
小计,2023,,99,2,0,\r\n\
110117001015,2023-13,family,1,1,0,1\r\n\
110117001015,2023,family,-1,0,0,1\r\n\
999999999999,2023,family,1,1,0,1\r\n\
110117001015,2023,,,1,0,1\r\n\
注：本表由街道填报\r\n";
    wd.write("a.csv", a);
    let b = "2023年人民调解统计表\n\
region_code,period,category,received,resolved,escalated,mean_days\n\
110117001001,2023,family,3,3,0,1\n\
110117002004,2023,family,3,3,0,1\n";
    wd.write("b.csv", b);
    let text = format!(
        "[run]\nwarehouse = \"warehouse\"\noutput = \"out\"\n[sources.regions]\npath = {:?}\n[sources.disputes]\npath = [\"a.csv\", \"b.csv\"]\n",
        repo().join("tests/fixtures/regions-six-counties.csv").to_string_lossy()
    );
    let cfg = wd.write("c.toml", text);
    let [(a, sa), (b, sb)] = both_paths(&wd, &cfg);
    assert_eq!(a, b, "the two paths' warehouses differ");
    assert_eq!(sa, sb);
    // What the record path makes of the files (and so the columnar path
    // too). Rows are CSV records: the csv reader does not count the empty
    // line (a row of empty cells it does).
    let q = parquet(&wd.path("warehouse/_quarantine.parquet"));
    let rows: Vec<(String, u64, String)> = strs(&q, "source")
        .into_iter()
        .zip(q.column("row").unwrap().u64().unwrap().iter().flatten())
        .zip(strs(&q, "rule"))
        .map(|((s, r), rule)| (s, r, rule))
        .collect();
    let want: Vec<(String, u64, String)> = [
        ("a.csv", 8, "E_PARSE"),
        ("a.csv", 10, "E_DUPLICATE"),
        ("a.csv", 12, "E_RANGE"),
        ("a.csv", 13, "E_RANGE"),
        ("a.csv", 14, "E_CODE"),
        ("a.csv", 15, "E_REQUIRED"),
        ("b.csv", 3, "E_DUPLICATE"),
    ]
    .iter()
    .map(|(f, r, rule)| (f.to_string(), *r, rule.to_string()))
    .collect();
    assert_eq!(rows, want);
    assert!(sa.contains("W_TOTAL"), "{sa}");
}

/// Defects planted every [`EVERY`] rows, in turn: (what the row says, the
/// rule it breaks; `None`: the row is stored all the same).
const DEFECTS: [(&str, Option<&str>); 10] = [
    ("code not in the tree", Some("E_CODE")),
    ("code of 5 digits", Some("E_CODE")),
    ("period not a period", Some("E_PARSE")),
    ("negative received", Some("E_RANGE")),
    ("resolved above received", Some("E_ORDER")),
    ("received blank", Some("E_REQUIRED")),
    ("the previous row's key", Some("E_DUPLICATE")),
    ("a cell past the header", Some("E_PARSE")),
    ("thousands separator", None),
    ("full-width digits", None),
];
const EVERY: usize = 99_991;
const ROWS: usize = 5_000_000;

#[test]
fn five_million_rows_with_planted_bad_rows_are_quarantined_exactly() {
    let wd = Workdir::new();
    let regions = std::fs::read_to_string(repo().join("datasets/sample/regions.csv")).unwrap();
    let codes: Vec<&str> = regions
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .filter(|c| c.len() == 12)
        .collect();
    let months: Vec<String> = (1949..=2100)
        .flat_map(|y| (1..=12).map(move |m| format!("{y}-{m:02}")))
        .collect();
    let (nc, nm) = (codes.len(), months.len());
    let key = |i: usize| (codes[i % nc], &months[(i / nc) % nm], i / (nc * nm));
    let mut csv = String::with_capacity(ROWS * 48);
    csv.push_str("region_code,period,category,received,resolved,escalated,mean_days\n");
    let mut want: Vec<(u64, String)> = Vec::new();
    let mut odd: Vec<(String, String, String, i64)> = Vec::new();
    for i in 0..ROWS {
        let (code, period, cat) = key(i);
        let received = (i % 500 + 20) as i64;
        let row = (i + 2) as u64;
        if i % EVERY != EVERY - 1 {
            writeln!(
                csv,
                "{code},{period},c{cat},{received},{},1,2.5",
                received / 2
            )
            .unwrap();
            continue;
        }
        let (what, rule) = DEFECTS[(i / EVERY) % DEFECTS.len()];
        let line = match what {
            "code not in the tree" => format!("999999999999,{period},c{cat},5,1,0,1"),
            "code of 5 digits" => format!("12345,{period},c{cat},5,1,0,1"),
            "period not a period" => format!("{code},sometime,c{cat},5,1,0,1"),
            "negative received" => format!("{code},{period},c{cat},-5,1,0,1"),
            "resolved above received" => format!("{code},{period},c{cat},5,9,0,1"),
            "received blank" => format!("{code},{period},c{cat},,1,0,1"),
            "the previous row's key" => {
                let (c, p, k) = key(i - 1);
                format!("{c},{p},c{k},5,1,0,1")
            }
            "a cell past the header" => format!("{code},{period},c{cat},5,1,0,1,oops"),
            "thousands separator" => {
                odd.push((code.into(), period.clone(), format!("c{cat}"), 1234));
                format!("{code},{period},c{cat},\"1,234\",1,0,1")
            }
            _ => {
                odd.push((code.into(), period.clone(), format!("c{cat}"), 12));
                format!("{code},{period},c{cat},１２,1,0,1")
            }
        };
        csv.push_str(&line);
        csv.push('\n');
        if let Some(rule) = rule {
            want.push((row, rule.to_string()));
        }
    }
    wd.write("disputes.csv", &csv);
    drop(csv);
    let cfg = wd.config(
        "c.toml",
        &[
            ("regions", &repo().join("datasets/sample/regions.csv"), ""),
            ("disputes", &wd.path("disputes.csv"), ""),
        ],
    );
    ingest_columnar(&wd, cfg.to_str().unwrap());
    let q = parquet(&wd.path("warehouse/_quarantine.parquet"));
    let got: Vec<(u64, String)> = q
        .column("row")
        .unwrap()
        .u64()
        .unwrap()
        .iter()
        .flatten()
        .zip(strs(&q, "rule"))
        .collect();
    assert_eq!(got.len(), want.len());
    assert_eq!(got, want);
    let manifest = common::manifest(&wd, "warehouse");
    let file = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["table"] == "disputes")
        .unwrap();
    assert_eq!(file["rows_read"], ROWS as u64);
    assert_eq!(file["rows_quarantined"], want.len() as u64);
    assert_eq!(file["rows_stored"], (ROWS - want.len()) as u64);
    // The rows only the record path's number grammar reads are stored, in
    // their place, with their values.
    let d = parquet(&wd.path("warehouse/disputes/part-0.parquet"));
    assert_eq!(d.height(), ROWS - want.len());
    let (c, p, k) = (
        strs(&d, "region_code"),
        strs(&d, "period"),
        strs(&d, "category"),
    );
    let received: Vec<i64> = d
        .column("received")
        .unwrap()
        .i64()
        .unwrap()
        .iter()
        .flatten()
        .collect();
    let at: BTreeMap<(&str, &str, &str), i64> = (0..d.height())
        .map(|i| ((c[i].as_str(), p[i].as_str(), k[i].as_str()), received[i]))
        .collect();
    assert!(!odd.is_empty());
    for (code, period, cat, value) in &odd {
        assert_eq!(at[&(code.as_str(), period.as_str(), cat.as_str())], *value);
    }
}

/// Counts as a clerk or a careless export writes them.
trait Counts {
    fn count(&mut self) -> String;
}

impl Counts for Gen {
    /// A count as a clerk or a careless export writes it: small, at 2^53
    /// and past it, 2^63 − 1, 10^20 in scientific notation, a fraction,
    /// thousands separators.
    fn count(&mut self) -> String {
        match self.below(9) {
            0 => "9223372036854775807".into(),
            1 => format!("{}", (1u64 << 53) + self.below(5)),
            2 => "1e20".into(),
            3 => format!("{}.{}", self.below(500), self.below(10)),
            4 => format!("{},{:03}", 1 + self.below(9), self.below(1000)),
            5 => format!("{}", 9_000_000_000_000_000u64 - self.below(3)),
            _ => format!("{}", self.below(3000)),
        }
    }
}

/// Contract B.18: the columnar and the record path write the same bytes.
/// Randomised (seeded) service_usage and member_ages files with published
/// totals and subtotals among rows whose counts reach 2^63 − 1 and 10^20:
/// before W_TOTAL and W_SHARE summed exact millionths, the sums depended on
/// the order rows and keys were added in (a hash map's), and so on the
/// path (reproducer wtotal-path-divergence).
#[test]
fn both_paths_agree_on_totals_of_large_and_fractional_counts() {
    let regions = repo().join("tests/fixtures/regions-six-counties.csv");
    let codes: Vec<String> = std::fs::read_to_string(&regions)
        .unwrap()
        .lines()
        .filter_map(|l| l.split(',').next())
        .filter(|c| c.len() == 12)
        .take(12)
        .map(str::to_string)
        .collect();
    let centres = ["convenience", "governance", "health", "elderly_care"];
    let bands = ["<30", "30-44", "45-59", "60+"];
    for seed in 1..=8u64 {
        let mut g = Gen::new(seed);
        let mut usage =
            String::from("region_code,period,center_type,visits,services,satisfaction,staff\n");
        for code in &codes {
            for period in ["2022", "2023"] {
                for c in centres {
                    if g.below(4) == 0 {
                        continue;
                    }
                    let (v, s) = (g.count(), g.count());
                    writeln!(usage, "{code},{period},{c},\"{v}\",\"{s}\",80.5,3").unwrap();
                }
            }
            if g.below(5) == 0 {
                writeln!(usage, "小计,,,\"{}\",,,", g.count()).unwrap();
            }
        }
        writeln!(usage, "合计,,,\"{}\",\"{}\",,", g.count(), g.count()).unwrap();
        let mut ages = String::from("region_code,period,role,age_band,count,reported_share\n");
        for code in &codes {
            let counts: Vec<String> = bands.iter().map(|_| g.count()).collect();
            for (b, n) in bands.iter().zip(&counts) {
                writeln!(
                    ages,
                    "{code},2023,member,{b},\"{n}\",{}.{}",
                    g.below(60),
                    g.below(100)
                )
                .unwrap();
            }
            writeln!(ages, "{code},2023,member,total,\"{}\",", g.count()).unwrap();
        }
        let wd = Workdir::new();
        wd.write("usage.csv", &usage);
        wd.write("ages.csv", &ages);
        let text = format!(
            "[run]\nwarehouse = \"warehouse\"\noutput = \"out\"\n[sources.regions]\npath = {:?}\n\
             [sources.service_usage]\npath = \"usage.csv\"\n[sources.member_ages]\npath = \"ages.csv\"\n",
            regions.to_string_lossy()
        );
        let cfg = wd.write("c.toml", text);
        let [(a, sa), (b, sb)] = both_paths(&wd, &cfg);
        assert_eq!(a, b, "seed {seed}: the two paths' warehouses differ");
        assert_eq!(sa, sb, "seed {seed}");
        // And the same path twice: no hash map's order shows through.
        let again = both_paths(&wd, &cfg);
        assert_eq!(again[0].0, a, "seed {seed}: a second run differs");
    }
}

#[test]
fn wtotal_path_divergence() {
    // The campaign's reproducer: 20 rows of 2^63 − 1 visits, then a 合计.
    let wd = Workdir::new();
    let from = repo().join("tests/fixtures/reproducers/wtotal-path-divergence");
    for dir in ["configs", "data"] {
        std::fs::create_dir_all(wd.path(dir)).unwrap();
        for e in std::fs::read_dir(from.join(dir)).unwrap() {
            let e = e.unwrap();
            std::fs::copy(e.path(), wd.path(dir).join(e.file_name())).unwrap();
        }
    }
    let cfg = wd.path("configs/c.toml");
    let [(a, _), (b, _)] = both_paths(&wd, &cfg);
    assert_eq!(a, b, "the two paths' warehouses differ");
    let f = parquet(&wd.path("warehouse/_findings.parquet"));
    let messages = strs(&f, "message");
    let total = messages
        .iter()
        .find(|m| m.contains("合计"))
        .expect("a W_TOTAL on the 合计 row");
    // The exact sum, every digit: 20 × (2^63 − 1) plus the other rows.
    let rest: u128 = std::fs::read_to_string(wd.path("data/service_usage.csv"))
        .unwrap()
        .lines()
        .skip(21)
        .filter(|l| !l.starts_with("合计"))
        .map(|l| l.split(',').nth(3).unwrap().parse::<u128>().unwrap())
        .sum();
    let want = 20 * 9_223_372_036_854_775_807u128 + rest;
    assert!(total.contains(&format!("({want})")), "{total}");
}
