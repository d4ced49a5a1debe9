//! Codes of their own year (issue 28, contract A.4): a panel 2007–2023
//! written in the codes each year had — 密云县 re-coded to 密云区 (2015),
//! 崇文区 merged into 东城区 (2010), 綦江县 and 万盛区 merged into 綦江区
//! (2011, under 万盛区's code), 楚州区 renamed 淮安区 (2012, same code) —
//! ingested with `harmonise_codes = "2023"` gives the unit metrics of the
//! same panel written in 2023 codes.

mod common;

use std::path::{Path, PathBuf};

use common::{f64s, parquet, strs, Workdir};

const REGIONS: &str = "\
region_code,region_name,level,parent_code,governance_model,model_adopted
100000,中华人民共和国,country,,,
110000,北京市,province,100000,,
110100,市辖区,city,110000,,
110118,密云区,county,110100,sinking,2017
110101,东城区,county,110100,embedded,2015
500000,重庆市,province,100000,,
500100,市辖区,city,500000,,
500110,綦江区,county,500100,integrated,2017
320000,江苏省,province,100000,,
320800,淮安市,city,320000,,
320803,淮安区,county,320800,collaborative,2017
";

/// The panel as filed: each year's own codes and names.
const AS_FILED: &str = "\
区划代码,单位名称,统计期,受理数,调解成功数
110228,密云县,2007,100,90
110103,崇文区,2007,40,30
110101,东城区,2007,60,50
500110,万盛区,2007,30,21
500222,綦江县,2007,70,63
320803,楚州区,2007,50,40
110228,密云县,2012,110,100
110101,东城区,2012,120,108
500110,綦江区,2012,90,80
320803,淮安区,2012,55,50
110118,密云区,2023,130,125
110101,东城区,2023,140,133
500110,綦江区,2023,95,90
320803,淮安区,2023,60,57
";

/// The same panel written in 2023 codes, the merges added up by hand.
const IN_2023_CODES: &str = "\
区划代码,单位名称,统计期,受理数,调解成功数
110118,密云区,2007,100,90
110101,东城区,2007,100,80
500110,綦江区,2007,100,84
320803,淮安区,2007,50,40
110118,密云区,2012,110,100
110101,东城区,2012,120,108
500110,綦江区,2012,90,80
320803,淮安区,2012,55,50
110118,密云区,2023,130,125
110101,东城区,2023,140,133
500110,綦江区,2023,95,90
320803,淮安区,2023,60,57
";

const AGES_AS_FILED: &str = "\
区划代码,统计期,年龄段,人数
500110,2007,35岁及以下,10
500110,2007,36岁及以上,20
500222,2007,35岁及以下,5
500222,2007,36岁及以上,25
110228,2007,35岁及以下,7
110228,2007,36岁及以上,13
";

const AGES_IN_2023_CODES: &str = "\
区划代码,统计期,年龄段,人数
500110,2007,35岁及以下,15
500110,2007,36岁及以上,45
110118,2007,35岁及以下,7
110118,2007,36岁及以上,13
";

fn config(wd: &Workdir, disputes: &str, ages: &str, run: &str) -> PathBuf {
    let regions = wd.write("regions.csv", REGIONS);
    let d = wd.write("disputes.csv", disputes);
    let ages = match ages {
        "" => String::new(),
        text => format!(
            "\n[sources.member_ages]\npath = {:?}\n",
            wd.write("ages.csv", text).to_string_lossy()
        ),
    };
    wd.write(
        "c.toml",
        format!(
            "[run]\nwarehouse = \"wh\"\noutput = \"out\"\nseed = 7\nanalysis_level = \"county\"\n{run}\n\
             [sources.regions]\npath = {:?}\n\n[sources.disputes]\npath = {:?}\n{ages}",
            regions.to_string_lossy(),
            d.to_string_lossy(),
        ),
    )
}

/// The unit metrics of a run, as sorted (code, period, metric, value) lines.
fn metrics(wd: &Workdir, cfg: &Path) -> Vec<String> {
    wd.ok(&["compare", "--config", cfg.to_str().unwrap()]);
    let um = parquet(&wd.path(&format!("out/{}/tables/unit_metrics.parquet", wd.latest())));
    let (c, p, m, v) = (
        strs(&um, "region_code"),
        strs(&um, "period"),
        strs(&um, "metric"),
        f64s(&um, "value"),
    );
    let mut lines: Vec<String> = (0..um.height())
        .map(|i| {
            format!(
                "{} {} {} {:?}",
                c[i],
                p[i],
                m[i],
                v[i].map(|x| (x * 1e9).round())
            )
        })
        .collect();
    lines.sort();
    lines
}

#[test]
fn a_panel_in_the_codes_of_its_years_harmonised_equals_it_written_in_2023_codes() {
    let filed = Workdir::new();
    let cfg = config(
        &filed,
        AS_FILED,
        AGES_AS_FILED,
        "harmonise_codes = \"2023\"\n",
    );
    let out = filed.ok(&["ingest", "--config", cfg.to_str().unwrap()]);
    assert!(out.contains("quarantined 0"), "{out}");
    // 楚州区 is 320803's name of 2007: not a W_NAME.
    assert_eq!(
        common::findings_of(&filed, "wh", "W_NAME"),
        Vec::<String>::new()
    );
    let m = common::manifest(&filed, "wh");
    let codes = &m["codes"];
    assert_eq!(codes["history"], "shipped");
    assert_eq!(codes["harmonised_to"], 2023);
    // Re-coded: 110228 ×2 and 110103, 500222 in disputes; 500222 ×2 and 110228 ×2 in ages.
    assert_eq!(codes["rows_recoded"], 8, "{codes}");
    // Renamed: 万盛区 and 楚州区 of 2007 (disputes), 万盛区's two bands (ages).
    assert_eq!(codes["rows_renamed"], 4, "{codes}");
    // Merged: 崇文区 into 东城区, 綦江县 into 綦江区 (disputes), 綦江县's two bands.
    assert_eq!(codes["rows_merged"], 4, "{codes}");
    let disputes = &m["files"][1];
    assert_eq!(disputes["rows_recoded"], 4, "{disputes}");

    let written = Workdir::new();
    let cfg2 = config(&written, IN_2023_CODES, AGES_IN_2023_CODES, "");
    written.ok(&["ingest", "--config", cfg2.to_str().unwrap()]);
    assert!(common::manifest(&written, "wh").get("codes").is_none());

    let (a, b) = (metrics(&filed, &cfg), metrics(&written, &cfg2));
    assert!(
        a.iter()
            .any(|l| l.starts_with("500110 2007 resolution_rate")),
        "{a:?}"
    );
    assert_eq!(a, b);
}

#[test]
fn a_code_not_of_its_year_is_quarantined_naming_what_it_was() {
    let wd = Workdir::new();
    let disputes = "区划代码,单位名称,统计期,受理数,调解成功数\n\
                    110228,密云县,2018,10,9\n\
                    110118,密云区,2010,10,9\n\
                    320803,楚州区,2023,10,9\n";
    // Checked by period without re-coding: code_history alone.
    let cfg = config(
        &wd,
        disputes,
        "",
        &format!(
            "code_history = {:?}\n",
            common::repo()
                .join("datasets/reference/gbt2260-history.csv")
                .to_string_lossy()
        ),
    );
    wd.ok(&["ingest", "--config", cfg.to_str().unwrap()]);
    let q = parquet(&wd.path("wh/_quarantine.parquet"));
    let m = strs(&q, "message");
    assert_eq!(m.len(), 2, "{m:?}");
    assert!(
        m[0].contains("110228 is not a code of 2018: it was 密云县 (1981–2015, then 110118)"),
        "{}",
        m[0]
    );
    assert!(
        m[1].contains("110118 is not a code of 2010: it was 密云区 (since 2015)"),
        "{}",
        m[1]
    );
    // 楚州区 is not 320803's name of 2023.
    let w = common::findings_of(&wd, "wh", "W_NAME");
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(w[0].contains("320803 is 淮安区"), "{}", w[0]);
}

#[test]
fn a_split_without_shares_is_quarantined_and_a_crosswalk_with_shares_splits_it() {
    let wd = Workdir::new();
    // 桥东区 130103 was split in 2014 into 130102 and 130104.
    let regions = "region_code,region_name,level,parent_code\n100000,中国,country,\n130000,河北省,province,100000\n130100,石家庄市,city,130000\n130102,长安区,county,130100\n130104,桥西区,county,130100\n";
    let disputes = "区划代码,统计期,受理数,调解成功数\n130103,2010,100,80\n";
    let cfg = config(&wd, disputes, "", "harmonise_codes = 2023\n");
    wd.write("regions.csv", regions);
    wd.ok(&["ingest", "--config", cfg.to_str().unwrap()]);
    let q = parquet(&wd.path("wh/_quarantine.parquet"));
    let m = strs(&q, "message");
    assert!(
        m[0].contains("was split in 2014 into 130102 长安区, 130104 桥西区: give each its share in a crosswalk"),
        "{m:?}"
    );

    let cw = wd.write(
        "cw.csv",
        "原代码,新代码,年份,比例\n130103,130102,2014,0.25\n130103,130104,2014,0.75\n",
    );
    let text = std::fs::read_to_string(&cfg).unwrap().replace(
        "harmonise_codes = 2023\n",
        &format!(
            "harmonise_codes = 2023\ncrosswalk = {:?}\n",
            cw.to_string_lossy()
        ),
    );
    std::fs::write(&cfg, text).unwrap();
    wd.ok(&["ingest", "--config", cfg.to_str().unwrap()]);
    let d = parquet(&wd.path("wh/disputes/part-0.parquet"));
    assert_eq!(strs(&d, "region_code"), ["130102", "130104"]);
    let ints =
        |c: &str| -> Vec<Option<i64>> { d.column(c).unwrap().i64().unwrap().iter().collect() };
    assert_eq!(ints("received"), [Some(25), Some(75)]);
    assert_eq!(ints("resolved"), [Some(20), Some(60)]);

    // A crosswalk with a cycle stops the ingest before anything is written.
    std::fs::write(
        &cw,
        "old_code,new_code,year\n130103,130102,2014\n130102,130103,2014\n",
    )
    .unwrap();
    let err = wd.fails(&["ingest", "--config", cfg.to_str().unwrap()]);
    assert!(
        err.contains("the crosswalk has a cycle") && err.contains("130103 → 130102"),
        "{err}"
    );
}

/// 密云县 110228 and 密云区 110118 are both valid in 2015, the year of the
/// re-code: a row under each is one county twice, not a merge.
#[test]
fn a_county_under_its_old_and_new_code_in_the_year_of_a_recode_is_a_duplicate() {
    let wd = Workdir::new();
    let disputes = "区划代码,统计期,受理数,调解成功数\n\
                    110228,2015,10,9\n\
                    110118,2015,10,9\n\
                    110103,2010,5,4\n\
                    110101,2010,6,5\n";
    let cfg = config(&wd, disputes, "", "harmonise_codes = \"2023\"\n");
    wd.ok(&["ingest", "--config", cfg.to_str().unwrap()]);
    let q = parquet(&wd.path("wh/_quarantine.parquet"));
    assert_eq!(strs(&q, "rule"), ["E_DUPLICATE"]);
    let rows: Vec<Option<u64>> = q.column("row").unwrap().u64().unwrap().iter().collect();
    assert_eq!(rows, [Some(3)]);
    assert!(
        strs(&q, "message")[0].contains("row 2"),
        "{:?}",
        strs(&q, "message")
    );
    // 崇文区 into 东城区 in 2010 is a merge: added up.
    let d = parquet(&wd.path("wh/disputes/part-0.parquet"));
    assert_eq!(strs(&d, "region_code"), ["110118", "110101"]);
    let received: Vec<Option<i64>> = d
        .column("received")
        .unwrap()
        .i64()
        .unwrap()
        .iter()
        .collect();
    assert_eq!(received, [Some(10), Some(11)]);
}
