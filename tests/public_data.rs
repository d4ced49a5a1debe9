//! The real published tables in datasets/public/ (issue 28), each ingested
//! as printed by its committed config: every row stored, and what govlens
//! finds in them — the README's worked example — exactly.

mod common;

use common::{parquet, strs, Workdir};

/// Ingests `configs/<name>.toml`; returns (rows stored, findings as
/// "rule period message-start").
fn ingest(name: &str) -> (u64, Vec<String>) {
    let wd = Workdir::new();
    let cfg = common::repo_config(&wd, name, "wh");
    wd.ok(&["ingest", "--config", cfg.to_str().unwrap()]);
    let m = common::manifest(&wd, "wh");
    let files = m["files"].as_array().unwrap();
    let fact = files.iter().find(|f| f["table"] != "regions").unwrap();
    assert_eq!(fact["rows_quarantined"], 0, "{name}: {fact}");
    let f = parquet(&wd.path("wh/_findings.parquet"));
    let found = strs(&f, "rule")
        .into_iter()
        .zip(strs(&f, "period"))
        .zip(strs(&f, "message"))
        .map(|((r, p), m)| {
            format!(
                "{r} {p} {}",
                m.rsplit_once(".csv ").map_or(m.as_str(), |x| x.1)
            )
        })
        .collect();
    (fact["rows_stored"].as_u64().unwrap(), found)
}

/// The English yearbook's table adds up: types to the total, Family's four
/// sub-types to Family, every percentage to its cases.
#[test]
fn yearbook_2001_disputes_by_type_add_up_as_printed() {
    let (stored, found) = ingest("public-csy2001");
    assert_eq!(stored, 24);
    assert_eq!(found, Vec::<String>::new());
}

/// The archived 2012 table lost rows: its four surviving types add to about
/// half the total, said once a year; its shares all agree with the total.
#[test]
fn yearbook_2012_cut_table_is_found_short_of_its_total() {
    let (stored, found) = ingest("public-csy2012");
    assert_eq!(stored, 10);
    assert_eq!(
        found,
        [
            "W_TOTAL 2010 row 2 ((存档缺失;应为总计行)): received 8418393 and the 4 row(s) under it (rows 3–6) add up to 4622658, 3795735 less than it",
            "W_TOTAL 2011 row 2 ((存档缺失;应为总计行)): received 8935341 and the 4 row(s) under it (rows 3–6) add up to 5147317, 3788024 less than it"
        ]
    );
}

/// A city's month by type: fifteen types, every share within rounding of
/// its count over their sum (869).
#[test]
fn huangshi_august_2016_shares_agree_with_its_counts() {
    let (stored, found) = ingest("public-huangshi-2016-08");
    assert_eq!(stored, 15);
    assert_eq!(found, Vec::<String>::new());
}
