//! Published indicators (contract B.20): figures one a row with their unit,
//! parts (其中), rates and printed shares, or a yearbook's columns of
//! figures by region — each planted fault found once, with the rows named.

mod common;

use std::path::PathBuf;

use common::{f64s, parquet, strs, Workdir};

const REGIONS: &str = "\
region_code,region_name,level,parent_code
100000,全国,country,
110000,北京市,province,100000
120000,天津市,province,100000
130000,河北省,province,100000
";

/// A config reading `csv` as the indicators source with `extra` keys.
fn config(wd: &Workdir, csv: &str, extra: &str) -> PathBuf {
    let regions = wd.write("regions.csv", REGIONS);
    let data = wd.write("indicators.csv", csv);
    wd.write(
        "c.toml",
        format!(
            "[run]\nwarehouse = \"wh\"\noutput = \"out\"\nseed = 7\nanalysis_level = \"province\"\n\n[sources.regions]\npath = {:?}\n\n[sources.indicators]\npath = {:?}\n{extra}\n",
            regions.to_string_lossy(),
            data.to_string_lossy()
        ),
    )
}

fn ingest(wd: &Workdir, cfg: &std::path::Path) -> String {
    let out = wd.run(&["ingest", "--config", cfg.to_str().unwrap()]);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Findings as "RULE message after the file name".
fn found(wd: &Workdir) -> Vec<String> {
    let f = parquet(&wd.path("wh/_findings.parquet"));
    strs(&f, "rule")
        .into_iter()
        .zip(strs(&f, "message"))
        .map(|(r, m)| format!("{r} {}", m.split_once(".csv ").map_or(m.as_str(), |x| x.1)))
        .collect()
}

const LONG: &str = "\
地区,区划代码,统计期,指标(原文),数值,单位,占比(%)(原文),层级(研究者标注)
北京,110000,2020年,受理,1000,件,,总数
北京,110000,2020年,主动调解,600,件,60.0,其中
北京,110000,2020年,申请调解,500,件,45.0,其中
北京,110000,2020年,# 委托调解,20,次,,
北京,110000,2020年,调解成功,950,件,,总数
北京,110000,2020年,成功率,90.0,%,,比率
北京,110000,2020年,调解员,1.2,万人,,总数
北京,110000,2020年,专职调解员,13000,人,,其中
天津,120000,2020年,受理,800,件,,总数
天津,120000,2020年,受理,801,件,,总数
天津,120000,2020,调解员,3,万名,,总数
天津,120000,2020,专职,-3,人,,其中
天津,120000,2020,成功率,97,%,,小计项
河北,130000,目前,受理,5,件,,总数
";

#[test]
fn each_planted_fault_in_a_long_table_is_found_once_naming_its_rows() {
    let wd = Workdir::new();
    let cfg = config(
        &wd,
        LONG,
        "ignore = [\"地区\"]\n[sources.indicators.rates]\n\"成功率\" = [\"调解成功\", \"受理\"]\n",
    );
    let out = ingest(&wd, &cfg);
    assert!(out.contains("read 14, stored 10, quarantined 4"), "{out}");
    let df = parquet(&wd.path("wh/indicators/part-0.parquet"));
    assert_eq!(
        strs(&df, "level"),
        ["total", "part", "part", "part", "total", "rate", "total", "part", "total", "total"]
    );
    // `#` is 其中 and is not part of the name; 万人 and 万名 are persons.
    assert_eq!(strs(&df, "indicator")[3], "委托调解");
    assert_eq!(f64s(&df, "value")[6], Some(12_000.0));
    assert_eq!(f64s(&df, "value")[9], Some(30_000.0));
    assert_eq!(strs(&df, "unit")[9], "人");
    // A part names the figure above it in its unit, else the nearest.
    assert_eq!(
        strs(&df, "part_of")[..8],
        ["", "受理", "受理", "受理", "", "", "", "调解员"]
    );
    let q = parquet(&wd.path("wh/_quarantine.parquet"));
    assert_eq!(
        strs(&q, "rule"),
        ["E_DUPLICATE", "E_RANGE", "E_PARSE", "E_PARSE"]
    );
    let messages = strs(&q, "message");
    assert!(messages[0].contains("same key as"), "{}", messages[0]);
    assert!(messages[1].contains("is negative"), "{}", messages[1]);
    assert!(
        messages[2].contains("not a level of an indicator"),
        "{}",
        messages[2]
    );
    assert!(
        messages[3].contains("目前 (now) names no day"),
        "{}",
        messages[3]
    );
    assert_eq!(
        found(&wd),
        [
            "W_UNIT row 5 (委托调解): in 次, a part of indicators.csv row 2 (受理) in 件: not compared",
            "W_SHARE row 4 (申请调解): a share of 45% printed, and 500 / 1000 (受理) = 50%",
            "W_TOTAL row 2 (受理): 1000 and its 2 parts (rows 3, 4) add up to 1100, 100 more than it",
            "W_TOTAL row 9 (专职调解员): 13000 is more than indicators.csv row 8 (调解员)'s 12000, the figure it is a part of",
            "W_SHARE row 7 (成功率): a rate of 90% printed, and 950 / 1000 = 95% (调解成功 over 受理)",
        ]
        .map(String::from)
    );
}

/// A figure printed in 万 to one decimal carries half a unit of that digit:
/// 12,400 persons under 1.2 万 is within it, and a share printed to whole
/// points against figures in 万 is checked within what they allow.
#[test]
fn rounding_of_printed_digits_is_allowed_before_a_finding() {
    let wd = Workdir::new();
    let csv = "\
区划代码,统计期,指标,数值,单位,占比,层级
110000,2020,调解员,1.2,万人,,总数
110000,2020,专职调解员,12400,人,,其中
110000,2020,调委会,1.0,万个,,总数
110000,2020,村调委会,0.6,万个,57,其中
110000,2020,成功率,97.6%,,,
";
    let cfg = config(&wd, csv, "");
    ingest(&wd, &cfg);
    assert_eq!(found(&wd), Vec::<String>::new());
    // `97.6%` in the value cell is a rate in %, carrying 0.05.
    let df = parquet(&wd.path("wh/indicators/part-0.parquet"));
    assert_eq!(strs(&df, "level")[4], "rate");
    assert_eq!(strs(&df, "unit")[4], "%");
    assert_eq!(f64s(&df, "value_rounding")[4], Some(0.05));
    // Printed to whole persons, the same part is more than its figure.
    let wd = Workdir::new();
    let cfg = config(&wd, &csv.replace("1.2,万人", "12000,人"), "");
    ingest(&wd, &cfg);
    assert_eq!(found(&wd).len(), 1, "{:?}", found(&wd));
}

/// A yearbook's columns by region: the provinces' figures against the
/// national row, a blank named, a unit from the header's brackets.
#[test]
fn a_wide_table_is_checked_against_the_tree() {
    let wd = Workdir::new();
    let csv = "\
地区,区划代码,设施数(个),网点(万个)
全国,100000,30,2.5
北京,110000,10,1.0
天津,120000,15,1.5
河北,130000,4,
西藏,540000,,
";
    let cfg = config(
        &wd,
        csv,
        "layout = \"wide\"\nindicator_columns = [\"设施数(个)\", \"网点(万个)\"]\nconstants = { period = \"2019\" }\n",
    );
    let out = ingest(&wd, &cfg);
    // A row with no figure at all is not stored (西藏 is not in the tree
    // either: the first rule it breaks is said).
    assert!(out.contains("read 5, stored 4, quarantined 1"), "{out}");
    let q = parquet(&wd.path("wh/_quarantine.parquet"));
    assert_eq!(strs(&q, "rule"), ["E_REQUIRED"]);
    let df = parquet(&wd.path("wh/indicators/part-0.parquet"));
    assert_eq!(strs(&df, "indicator")[..2], ["设施数", "网点"]);
    assert_eq!(f64s(&df, "value")[1], Some(25_000.0));
    assert_eq!(strs(&df, "unit_printed")[1], "万个");
    assert_eq!(
        found(&wd),
        [
            "W_COVERAGE row 2 (网点): 100000 全国's 25000 for 2019 is the sum of the 2 regions below it with a figure; 1 of them gives no figure (130000 河北省)",
            "W_TOTAL row 2 (设施数): 100000 全国's 30 for 2019; the 3 regions below it with a figure add up to 29, 1 less than it",
        ]
        .map(String::from)
    );
}

/// A part is linked to the figure printed nearest above it in its region
/// and period, never past a quarantined row (its figure may be that row);
/// a unit in the value header's brackets is read behind a note's brackets,
/// and a percentage under it is refused.
#[test]
fn parts_are_not_linked_past_a_quarantined_row_and_units_are_read_from_headers() {
    let wd = Workdir::new();
    let csv = "\
区划代码,统计期,指标,数值(万件)(原文),层级
110000,2020,受理,1.5,总数
110000,2020,调解,abc,总数
110000,2020,其中：主动,0.9,其中
110000,2020,成功率,97.6%,
120000,2020,主动,0.1,其中
";
    let cfg = config(&wd, csv, "");
    let out = ingest(&wd, &cfg);
    assert!(out.contains("read 5, stored 3, quarantined 2"), "{out}");
    let df = parquet(&wd.path("wh/indicators/part-0.parquet"));
    assert_eq!(
        f64s(&df, "value"),
        [Some(15_000.0), Some(9_000.0), Some(1_000.0)]
    );
    assert_eq!(strs(&df, "unit"), ["件", "件", "件"]);
    assert_eq!(strs(&df, "unit_printed"), ["万件", "万件", "万件"]);
    assert_eq!(strs(&df, "level"), ["total", "part", "part"]);
    assert_eq!(strs(&df, "part_of"), ["", "", ""]);
    let q = parquet(&wd.path("wh/_quarantine.parquet"));
    assert_eq!(
        strs(&q, "message")[1],
        "'97.6%' is a percentage but its unit is '件'"
    );
    assert_eq!(
        found(&wd),
        [
            "W_TOTAL row 4 (其中：主动): a part (其中) whose figure is not known — row 3, between it and the figure above it, was quarantined: not checked; name it in a part_of column or the source's parts",
            "W_TOTAL row 6 (主动): a part (其中) whose figure is not known — no figure of its own is printed above it for 120000 2020: not checked; name it in a part_of column or the source's parts",
        ]
        .map(String::from)
    );
}

/// Over the tree: a region's figure more than its regions' below it, some
/// of which give none, is said as coverage; less is a finding whatever is
/// missing; a figure named not_additive is not summed.
#[test]
fn sums_over_the_tree_with_regions_missing_and_figures_not_additive() {
    let wd = Workdir::new();
    let csv = "\
区划代码,统计期,指标,数值,单位
100000,2020,调委会,100,个
110000,2020,调委会,40,个
120000,2020,调委会,30,个
100000,2020,调解员,10,人
110000,2020,调解员,8,人
120000,2020,调解员,7,人
100000,2020,每万人调解员数,3.1,人
110000,2020,每万人调解员数,2.0,人
120000,2020,每万人调解员数,4.0,人
130000,2020,每万人调解员数,3.3,人
";
    let cfg = config(&wd, csv, "not_additive = [\"每万人调解员数\"]\n");
    ingest(&wd, &cfg);
    assert_eq!(
        found(&wd),
        [
            "W_COVERAGE row 2 (调委会): 100000 全国's 100 for 2020 is 30 more than the sum, 70, of the 2 regions below it with a figure; 1 of them gives no figure (130000 河北省)",
            "W_TOTAL row 5 (调解员): 100000 全国's 10 for 2020; the 2 regions below it with a figure add up to 15, 5 more than it; 1 of them gives no figure (130000 河北省)",
        ]
        .map(String::from)
    );
}

/// Re-coded to 2023's codes: a county that only changed its code (密云县
/// 110228 → 密云区 110118, 2015) keeps its figures under the new code; one
/// merged into another (崇文区 110103 into 东城区 110101, 2010) is refused,
/// not added into its neighbour's.
#[test]
fn re_coding_moves_a_figure_but_never_adds_one_into_another_place() {
    let wd = Workdir::new();
    let regions = wd.write(
        "regions.csv",
        "region_code,region_name,level,parent_code\n110000,北京市,province,\n110101,东城区,county,110000\n110118,密云区,county,110000\n",
    );
    let data = wd.write(
        "indicators.csv",
        "区划代码,统计期,指标,数值,单位\n110228,2010,调委会,300,个\n110103,2007,调委会,120,个\n110101,2007,调委会,200,个\n",
    );
    let cfg = wd.write(
        "c.toml",
        format!(
            "[run]\nwarehouse = \"wh\"\noutput = \"out\"\nharmonise_codes = \"2023\"\nanalysis_level = \"county\"\n[sources.regions]\npath = {:?}\n[sources.indicators]\npath = {:?}\n",
            regions.to_string_lossy(),
            data.to_string_lossy()
        ),
    );
    let out = ingest(&wd, &cfg);
    assert!(out.contains("read 3, stored 2, quarantined 1"), "{out}");
    let df = parquet(&wd.path("wh/indicators/part-0.parquet"));
    assert_eq!(strs(&df, "region_code"), ["110118", "110101"]);
    let q = parquet(&wd.path("wh/_quarantine.parquet"));
    assert_eq!(strs(&q, "rule"), ["E_CODE"]);
    assert!(
        strs(&q, "message")[0].starts_with("re-coding 110103 of 2007 goes into 110101"),
        "{}",
        strs(&q, "message")[0]
    );
    let m = common::manifest(&wd, "wh");
    let file = m["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["table"] == "indicators")
        .unwrap();
    assert_eq!(file["rows_recoded"], 1, "{file}");
}

#[test]
fn indicator_keys_are_refused_where_they_do_not_belong() {
    let wd = Workdir::new();
    let cfg = config(&wd, LONG, "indicator_columns = [\"数值\"]\n");
    let err = wd.fails(&["ingest", "--config", cfg.to_str().unwrap()]);
    assert!(err.contains("add layout = \"wide\""), "{err}");
    let cfg = config(
        &wd,
        LONG,
        "[sources.indicators.rates]\n\"成功率\" = [\"调解成功\"]\n",
    );
    let err = wd.fails(&["ingest", "--config", cfg.to_str().unwrap()]);
    assert!(err.contains("a rate is [numerator, denominator]"), "{err}");
    let cfg = config(
        &wd,
        LONG,
        "[sources.indicators.parts]\n\"受理\" = [\"主动调解\"]\n\"调解成功\" = [\"主动调解\"]\n",
    );
    let err = wd.fails(&["ingest", "--config", cfg.to_str().unwrap()]);
    assert!(err.contains("names '主动调解' a part of both"), "{err}");
    let cfg = config(
        &wd,
        "区划代码,统计期,设施数\n110000,2020,1\n",
        "layout = \"wide\"\nindicator_columns = [\"设施数\", \"网点数\"]\n",
    );
    let err = wd.fails(&["ingest", "--config", cfg.to_str().unwrap()]);
    assert!(err.contains("the indicator column(s) 网点数"), "{err}");
    let wrong = wd.write(
        "d.toml",
        format!(
            "[run]\nwarehouse = \"wh\"\noutput = \"out\"\nseed = 7\n[sources.regions]\npath = {:?}\n[sources.disputes]\npath = \"x.csv\"\nunit = \"件\"\n",
            wd.path("regions.csv").to_string_lossy()
        ),
    );
    let err = wd.fails(&["ingest", "--config", wrong.to_str().unwrap()]);
    assert!(
        err.contains("is a key of indicators, not of disputes"),
        "{err}"
    );
}
