//! The columnar path of ingest (pipeline/ingest/columnar/) against the
//! record path it stands in for: the same warehouse byte for byte, and a
//! 5M-row file whose planted bad rows are quarantined exactly.

mod common;

use std::collections::BTreeMap;
use std::fmt::Write as _;

use common::{parquet, repo, strs, Workdir};

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
