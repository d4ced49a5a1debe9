//! Published tables as they are printed (issue 28): a bulletin's member-age
//! table with stocks "as at" a day, bands named after their population, a
//! raw band column beside a cleaned one (`ignore`), and a disputes table
//! over half-years and month ranges — ingested without hand-cleaning, every
//! row stored or quarantined with a message that says what to do.

mod common;

use std::path::PathBuf;

use common::{parquet, strs, Workdir};

fn config(wd: &Workdir, period: &str, sources: &str) -> PathBuf {
    let regions = common::repo().join("tests/fixtures/regions-six-counties.csv");
    wd.write(
        "c.toml",
        format!(
            "[run]\nwarehouse = \"wh\"\noutput = \"out\"\nseed = 7\nperiod = \"{period}\"\n\n[sources.regions]\npath = {:?}\n\n{sources}\n",
            regions.to_string_lossy()
        ),
    )
}

/// A yearly config reading `disputes` as the disputes source.
fn disputes_config(wd: &Workdir, disputes: &std::path::Path) -> PathBuf {
    config(
        wd,
        "year",
        &format!(
            "[sources.disputes]\npath = {:?}\n",
            disputes.to_string_lossy()
        ),
    )
}

/// `ages.csv` holding `csv` and a yearly config reading it as member_ages
/// with `extra` keys.
fn ages_config(wd: &Workdir, csv: &str, extra: &str) -> PathBuf {
    let ages = wd.write("ages.csv", csv);
    config(
        wd,
        "year",
        &format!(
            "[sources.member_ages]\npath = {:?}\n{extra}",
            ages.to_string_lossy()
        ),
    )
}

const AGES: &str = "\
区划代码,统计期,年龄段(原文),年龄段,人数
110117001001,截至2023年底,35岁及以下的党员,35岁及以下党员,12
110117001001,截至2023年底,36岁至45岁的党员,36岁至45岁的党员,20
110117001001,截至2023年底,46岁以上（含46岁）,46岁以上（含46岁）,31
110117001005,2021年6月5日,不满30岁,30 周岁以下,4
110117001005,2021年6月5日,30岁及以上,30岁及以上 人员,9
";

#[test]
fn a_bulletin_s_ages_ingest_as_printed_with_the_raw_column_ignored() {
    let wd = Workdir::new();
    let cfg = ages_config(&wd, AGES, "ignore = [\"年龄段(原文)\"]\n");
    let out = wd.ok(&["ingest", "--config", cfg.to_str().unwrap()]);
    assert!(out.contains("quarantined 0"), "{out}");
    let df = parquet(&wd.path("wh/member_ages/part-0.parquet"));
    assert_eq!(
        strs(&df, "age_band"),
        ["0-35", "36-45", "46+", "0-29", "30+"]
    );
    assert_eq!(
        strs(&df, "period"),
        ["2023", "2023", "2023", "2021", "2021"]
    );
    // The day 2021-06-05 does not end 2021: said once per row stored from it.
    let msgs = common::findings_of(&wd, "wh", "W_ASAT");
    assert_eq!(msgs.len(), 2, "{msgs:?}");
    assert!(
        msgs[0].contains("a stock as at 2021-06-05 ('2021年6月5日') is stored as 2021"),
        "{}",
        msgs[0]
    );
    // The ignored column is listed, not mapped, not unknown.
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(wd.path("wh/_manifest.json")).unwrap())
            .unwrap();
    let file = m["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["table"] == "member_ages")
        .unwrap();
    assert_eq!(file["ignored_columns"], serde_json::json!(["年龄段(原文)"]));
    assert_eq!(file["unknown_columns"], serde_json::json!([]));
}

#[test]
fn two_band_columns_are_refused_with_ignore_suggested() {
    let wd = Workdir::new();
    let cfg = ages_config(&wd, AGES, "");
    let err = wd.fails(&["ingest", "--config", cfg.to_str().unwrap()]);
    assert!(
        err.contains("map to 'age_band'") && err.contains("ignore = [\"年龄段\"]"),
        "{err}"
    );
}

#[test]
fn flows_over_half_years_and_month_ranges_and_a_day_refused() {
    let wd = Workdir::new();
    let disputes = wd.write(
        "disputes.csv",
        "区划代码,统计期,受理数,调解成功数\n\
         110117001001,2023年1-6月,40,36\n\
         110117001001,2023年下半年,35,30\n\
         110117001005,2023年度,20,18\n\
         110117001005,截止到2023年11月30日,19,17\n",
    );
    let cfg = disputes_config(&wd, &disputes);
    wd.ok(&["ingest", "--config", cfg.to_str().unwrap()]);
    let df = parquet(&wd.path("wh/disputes/part-0.parquet"));
    assert_eq!(strs(&df, "period"), ["2023-H1", "2023-H2", "2023"]);
    assert_eq!(strs(&df, "period_kind"), ["half", "half", "year"]);
    let q = parquet(&wd.path("wh/_quarantine.parquet"));
    let m = strs(&q, "message");
    assert_eq!(m.len(), 1);
    assert!(m[0].contains("a flow is counted over a period"), "{}", m[0]);
    // The halves add up to the year in the unit metrics of a yearly run:
    // (36 + 30) / (40 + 35).
    let rate = common::unit_metric(&wd, &cfg, "110117001001", "resolution_rate");
    assert_eq!(rate, Some(66.0 / 75.0));
}

/// A header that says its unit scales its column (`人数(万名)`, `受理数(万件)`);
/// a source's `scale` that contradicts it stops the file before a row is
/// stored, naming both.
#[test]
fn a_unit_in_a_header_scales_its_column_and_a_contradicting_scale_stops() {
    let wd = Workdir::new();
    let ages = wd.write(
        "ages.csv",
        "区划代码,统计期,年龄段,人数(万名)\n110117001001,2023年底,35岁及以下,1.2\n110117001001,2023年底,36岁及以上,0.35\n",
    );
    let disputes = wd.write(
        "disputes.csv",
        "区划代码,统计期,受理数(万件),调解成功数(万件)\n110117001001,2023年度,4.25,4.1\n",
    );
    let sources = format!(
        "[sources.member_ages]\npath = {:?}\n\n[sources.disputes]\npath = {:?}\n",
        ages.to_string_lossy(),
        disputes.to_string_lossy()
    );
    let cfg = config(&wd, "year", &sources);
    wd.ok(&["ingest", "--config", cfg.to_str().unwrap()]);
    let df = parquet(&wd.path("wh/member_ages/part-0.parquet"));
    assert_eq!(common::f64s(&df, "count"), [Some(12_000.0), Some(3_500.0)]);
    let d = parquet(&wd.path("wh/disputes/part-0.parquet"));
    assert_eq!(common::f64s(&d, "received"), [Some(42_500.0)]);
    assert_eq!(common::f64s(&d, "resolved"), [Some(41_000.0)]);
    // scale = 1000 against a header in 万: stopped, both named.
    let cfg = config(
        &wd,
        "year",
        &sources.replacen("\n\n", "\nscale = 1000\n\n", 1),
    );
    let err = wd.fails(&["ingest", "--config", cfg.to_str().unwrap()]);
    assert!(
        err.contains("人数(万名)") && err.contains("scale = 1000"),
        "{err}"
    );
}

/// A total column (`党员总数` on every row) is each group's published total:
/// stored once as its `total` band, so W_SHARE divides by it (a year printed
/// with one band only is not "25% ≠ 100%") and W_TOTAL checks the bands
/// against it; rows of one group that disagree on it are a finding.
#[test]
fn a_total_column_is_each_group_s_published_total() {
    let wd = Workdir::new();
    let cfg = ages_config(
        &wd,
        "区划代码,统计期,年龄段,人数,占比(%),党员总数\n\
         110117001001,2023年底,35岁及以下,25,25,100\n\
         110117001001,2023年底,36岁及以上,75,75,100\n\
         110117001005,2022年底,35岁及以下的党员,10,25,40\n\
         110117001009,2023年底,35岁及以下,10,,50\n\
         110117001009,2023年底,36岁及以上,30,,51\n",
        "",
    );
    wd.ok(&["ingest", "--config", cfg.to_str().unwrap()]);
    let df = parquet(&wd.path("wh/member_ages/part-0.parquet"));
    let (code, band, count) = (
        strs(&df, "region_code"),
        strs(&df, "age_band"),
        common::f64s(&df, "count"),
    );
    let totals: Vec<(String, Option<f64>)> = (0..df.height())
        .filter(|&i| band[i] == "total")
        .map(|i| (code[i].clone(), count[i]))
        .collect();
    assert_eq!(
        totals,
        [
            ("110117001001".to_string(), Some(100.0)),
            ("110117001005".to_string(), Some(40.0)),
            ("110117001009".to_string(), Some(50.0)),
        ]
    );
    let f = parquet(&wd.path("wh/_findings.parquet"));
    let (rule, fcode, msg) = (
        strs(&f, "rule"),
        strs(&f, "region_code"),
        strs(&f, "message"),
    );
    let of = |r: &str, c: &str| -> Vec<String> {
        (0..f.height())
            .filter(|&i| rule[i] == r && fcode[i] == c)
            .map(|i| msg[i].clone())
            .collect()
    };
    // One band of 40 at 25%: the share is against the published total.
    assert!(of("W_SHARE", "110117001005").is_empty());
    // 10 + 30 is not 50; and a row said 51.
    assert_eq!(
        of("W_TOTAL", "110117001009").len(),
        2,
        "{:?}",
        of("W_TOTAL", "110117001009")
    );
    assert!(of("W_TOTAL", "110117001009")
        .iter()
        .any(|m| m.contains("the total column says 51")));
    assert!(of("W_TOTAL", "110117001001").is_empty());
}

/// A band that names its population gives the row's role where it has none
/// and must agree with the one it has; a total column is read in its own
/// header's unit (`党员总数(名)` beside `人数(万名)`).
#[test]
fn a_band_s_population_is_its_role_and_a_total_keeps_its_own_unit() {
    let wd = Workdir::new();
    let cfg = ages_config(
        &wd,
        "区划代码,统计期,类别,年龄段,人数(万名),党员总数(名)\n\
         110117001001,2023年底,,35岁及以下的干部,0.0012,40\n\
         110117001001,2023年底,,36岁及以上的干部,0.0028,40\n\
         110117001005,2023年底,党员,35岁及以下的干部,0.0010,10\n",
        "",
    );
    wd.ok(&["ingest", "--config", cfg.to_str().unwrap()]);
    let df = parquet(&wd.path("wh/member_ages/part-0.parquet"));
    assert_eq!(strs(&df, "role"), ["cadre", "cadre", "cadre"]);
    assert_eq!(
        common::f64s(&df, "count"),
        [Some(12.0), Some(28.0), Some(40.0)]
    );
    let q = parquet(&wd.path("wh/_quarantine.parquet"));
    let m = strs(&q, "message");
    assert_eq!(m.len(), 1);
    assert!(
        m[0].contains("names the cadres' band, but the row's role is member"),
        "{}",
        m[0]
    );
}

/// A year-to-date (累计) series — a file whose first row says 累计 — is
/// differenced into the quarters it adds; a gap names the missing month, a
/// figure that goes down is refused (not a negative flow), and every row is
/// stored or quarantined.
#[test]
fn a_year_to_date_series_is_differenced_into_the_periods_it_adds() {
    let wd = Workdir::new();
    let disputes = wd.write(
        "disputes.csv",
        "区划代码,统计期,受理数,调解成功数\n\
         110117001001,2023年1-3月累计,30,27\n\
         110117001005,2023年1-3月累计,10,9\n\
         110117001001,2023年1-6月累计,70,60\n\
         110117001005,2023年1-5月累计,25,20\n\
         110117001001,2023年1-9月累计,100,88\n\
         110117001005,2023年1-6月累计,24,20\n\
         110117001001,2023年1-12月累计,130,115\n",
    );
    let cfg = disputes_config(&wd, &disputes);
    let out = wd.ok(&["ingest", "--config", cfg.to_str().unwrap()]);
    assert!(
        out.contains("stored 5") && out.contains("quarantined 2"),
        "{out}"
    );
    let df = parquet(&wd.path("wh/disputes/part-0.parquet"));
    assert_eq!(
        strs(&df, "period"),
        ["2023-Q1", "2023-Q2", "2023-Q3", "2023-Q4", "2023-Q1"]
    );
    assert_eq!(common::ints(&df, "received"), [30, 40, 30, 30, 10]);
    assert_eq!(common::ints(&df, "resolved"), [27, 33, 28, 27, 9]);
    let q = parquet(&wd.path("wh/_quarantine.parquet"));
    let (rows, rules, msgs) = (
        common::ints(&q, "row"),
        strs(&q, "rule"),
        strs(&q, "message"),
    );
    assert_eq!(rows, [5, 7]);
    assert_eq!(rules, ["E_PARSE", "E_RANGE"]);
    assert!(
        msgs[0].contains("no figure through month 4 (2023年1-4月累计)"),
        "{}",
        msgs[0]
    );
    assert!(
        msgs[1].contains(
            "received through month 6 (2023年1-6月累计) is 24, less than 25 through month 5"
        ),
        "{}",
        msgs[1]
    );
    let m = common::manifest(&wd, "wh");
    let file = &m["files"][1];
    assert_eq!(
        (
            file["rows_stored"].as_u64(),
            file["rows_quarantined"].as_u64()
        ),
        (Some(5), Some(2))
    );
    // The quarters add up to the year: 115 / 130.
    let rate = common::unit_metric(&wd, &cfg, "110117001001", "resolution_rate");
    assert_eq!(rate, Some(115.0 / 130.0));
}

/// `cumulative = true` reads every period as year-to-date (`2023-06` is the
/// figure through June); a 累计 row in a file that is not one is refused on
/// either ingest path, saying what to do; a stock table cannot be cumulative.
#[test]
fn cumulative_sources_and_a_year_to_date_row_among_monthly_ones() {
    let wd = Workdir::new();
    let usage = wd.write(
        "usage.csv",
        "区划代码,统计期,中心类型,服务人次,满意度,工作人员数\n\
         110117001001,2023-01,党群服务中心,100,90,5\n\
         110117001001,2023-02,党群服务中心,250,80,6\n\
         110117001001,2023-03,党群服务中心,300,,6\n",
    );
    let disputes = wd.write(
        "disputes.csv",
        "区划代码,统计期,受理数,调解成功数\n\
         110117001001,2023-01,10,9\n\
         110117001001,2023年1-2月累计,25,20\n",
    );
    let cfg = config(
        &wd,
        "month",
        &format!(
            "[sources.service_usage]\npath = {:?}\ncumulative = true\n\n[sources.disputes]\npath = {:?}\n",
            usage.to_string_lossy(),
            disputes.to_string_lossy()
        ),
    );
    for path in ["columnar", "record"] {
        let out = wd
            .command(&["ingest", "--config", cfg.to_str().unwrap()])
            .env("GOVLENS_INGEST_PATH", path)
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        let u = parquet(&wd.path("wh/service_usage/part-0.parquet"));
        assert_eq!(strs(&u, "period"), ["2023-01", "2023-02", "2023-03"]);
        assert_eq!(common::ints(&u, "visits"), [100, 150, 50]);
        // (80 × 250 − 90 × 100) / 150; unknown where March's is; staff as at each month.
        let s = common::f64s(&u, "satisfaction");
        assert_eq!(s[0], Some(90.0));
        assert!((s[1].unwrap() - 11000.0 / 150.0).abs() < 1e-9, "{s:?}");
        assert_eq!(s[2], None);
        assert_eq!(common::ints(&u, "staff"), [5, 6, 6]);
        let q = parquet(&wd.path("wh/_quarantine.parquet"));
        let m = strs(&q, "message");
        assert_eq!(m.len(), 1, "{path}: {m:?}");
        assert!(
            m[0].contains("a year-to-date (累计) figure in a file whose first row is not")
                && m[0].contains("cumulative = true"),
            "{path}: {}",
            m[0]
        );
    }
    let ages = wd.write(
        "ages.csv",
        "区划代码,统计期,年龄段,人数\n110117001001,2023,<30,1\n",
    );
    let bad = config(
        &wd,
        "year",
        &format!(
            "[sources.member_ages]\npath = {:?}\ncumulative = true\n",
            ages.to_string_lossy()
        ),
    );
    let err = wd.fails(&["ingest", "--config", bad.to_str().unwrap()]);
    assert!(err.contains("sources.member_ages.cumulative"), "{err}");
}

/// Two stocks of one region, role and period as at different days: the
/// later is kept, the earlier quarantined naming it (either ingest path);
/// a stock at the period's end is the latest a period can have.
#[test]
fn of_two_stocks_in_one_period_the_later_day_is_kept() {
    let wd = Workdir::new();
    let csv = "区划代码,统计期,年龄段,人数\n\
               110117001001,2021年6月30日,35岁及以下,10\n\
               110117001001,2021年6月30日,36岁及以上,20\n\
               110117001001,2021年底,35岁及以下,12\n\
               110117001001,2021年底,36岁及以上,21\n\
               110117001005,2021年9月30日,35岁及以下,5\n\
               110117001005,2021年6月30日,35岁及以下,4\n\
               110117001005,2021年9月30日,36岁及以上,9\n";
    let cfg = ages_config(&wd, csv, "");
    for path in ["columnar", "record"] {
        let out = wd
            .command(&["ingest", "--config", cfg.to_str().unwrap()])
            .env("GOVLENS_INGEST_PATH", path)
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        let df = parquet(&wd.path("wh/member_ages/part-0.parquet"));
        let rows: Vec<String> = strs(&df, "region_code")
            .iter()
            .zip(strs(&df, "age_band"))
            .zip(common::f64s(&df, "count"))
            .map(|((c, b), n)| format!("{c} {b} {}", n.unwrap()))
            .collect();
        assert_eq!(
            rows,
            [
                "110117001001 0-35 12",
                "110117001001 36+ 21",
                "110117001005 0-35 5",
                "110117001005 36+ 9"
            ],
            "{path}"
        );
        let q = parquet(&wd.path("wh/_quarantine.parquet"));
        let (rows, rules, msgs) = (
            common::ints(&q, "row"),
            strs(&q, "rule"),
            strs(&q, "message"),
        );
        assert_eq!(rows, [2, 3, 7], "{path}");
        assert!(rules.iter().all(|r| r == "E_DUPLICATE"), "{rules:?}");
        assert!(
            msgs[0].contains("a stock as at 2021-06-30 ('2021年6月30日') of 110117001001 (member, 2021): ages.csv row 4 is as at the end of 2021 and is kept"),
            "{path}: {}",
            msgs[0]
        );
        assert!(
            msgs[2].contains("ages.csv row 6 is as at 2021-09-30, later, and is kept"),
            "{path}: {}",
            msgs[2]
        );
        // W_ASAT for the rows stored from 2021-09-30 only.
        let f = parquet(&wd.path("wh/_findings.parquet"));
        let asat: Vec<String> = strs(&f, "message")
            .into_iter()
            .zip(strs(&f, "rule"))
            .filter(|(_, r)| r == "W_ASAT")
            .map(|(m, _)| m)
            .collect();
        assert_eq!(asat.len(), 2, "{path}: {asat:?}");
        assert!(asat.iter().all(|m| m.contains("2021-09-30")), "{asat:?}");
    }
}

/// A total printed to 0.1 万 is checked with what rounding allows: half a
/// unit of the last printed digit of every figure of the group (bands and
/// total), not a hand-set tolerance; whole persons are exact.
#[test]
fn a_total_printed_in_wan_is_checked_within_its_rounding() {
    let wd = Workdir::new();
    // 2022: three bands 1267.2 + 3512.4 + 5024.3 = 9803.9 vs 9804.1 — off by
    // 0.2 万 = 2,000, within 4 × 500. 2023: off by 0.5 万 = 5,000 > 2,000.
    let csv = "区划代码,统计期,年龄段,人数(万名),党员总数(万名)\n\
               110117,2022年底,35岁及以下,1267.2,9804.1\n\
               110117,2022年底,36岁至60岁,3512.4,9804.1\n\
               110117,2022年底,61岁及以上,5024.3,9804.1\n\
               110117,2023年底,35岁及以下,1267.2,9804.4\n\
               110117,2023年底,36岁至60岁,3512.4,9804.4\n\
               110117,2023年底,61岁及以上,5024.3,9804.4\n";
    let cfg = ages_config(&wd, csv, "");
    wd.ok(&["ingest", "--config", cfg.to_str().unwrap()]);
    let df = parquet(&wd.path("wh/member_ages/part-0.parquet"));
    assert_eq!(common::f64s(&df, "count_rounding")[0], Some(500.0));
    let f = parquet(&wd.path("wh/_findings.parquet"));
    let totals: Vec<(String, String)> = strs(&f, "period")
        .into_iter()
        .zip(strs(&f, "message"))
        .zip(strs(&f, "rule"))
        .filter(|(_, r)| r == "W_TOTAL")
        .map(|(pm, _)| pm)
        .collect();
    assert_eq!(totals.len(), 1, "{totals:?}");
    assert_eq!(totals[0].0, "2023");
    assert!(
        totals[0]
            .1
            .contains("by 5000 (tolerance 2000: half a unit of the last printed digit"),
        "{}",
        totals[0].1
    );
    // Whole persons are exact: one person off is a finding.
    let wd = Workdir::new();
    let csv = "区划代码,统计期,年龄段,人数,党员总数\n\
               110117,2023,35岁及以下,12,31\n\
               110117,2023,36岁及以上,20,31\n";
    let cfg = ages_config(&wd, csv, "");
    wd.ok(&["ingest", "--config", cfg.to_str().unwrap()]);
    let f = parquet(&wd.path("wh/_findings.parquet"));
    let msgs = strs(&f, "message");
    assert!(
        msgs.iter().any(|m| m.contains("by -1 (tolerance 0)")),
        "{msgs:?}"
    );
}

/// W_COVERAGE over periods of several kinds: a region that reported the
/// year is not missing its halves, nor one that reported halves the year; a
/// region with the first half only is missing the second.
#[test]
fn coverage_counts_a_period_a_region_s_rows_cover_as_reported() {
    let wd = Workdir::new();
    let regions = wd.write(
        "regions.csv",
        "region_code,region_name,level,parent_code\n\
         100000,中华人民共和国,country,\n\
         110000,北京市,province,100000\n\
         110117,平谷区,county,110000\n\
         110117001001,甲社区,community,110117\n\
         110117001005,乙社区,community,110117\n\
         110117001009,丙社区,community,110117\n",
    );
    let disputes = wd.write(
        "disputes.csv",
        "区划代码,统计期,受理数,调解成功数\n\
         110117001001,2023,40,36\n\
         110117001009,2023年上半年,10,9\n",
    );
    // 乙's year-to-date series: its halves.
    let ytd = wd.write(
        "ytd.csv",
        "区划代码,统计期,受理数,调解成功数\n\
         110117001005,2023年1-6月累计,20,18\n\
         110117001005,2023年1-12月累计,45,40\n",
    );
    let cfg = wd.write(
        "c.toml",
        format!(
            "[run]\nwarehouse = \"wh\"\noutput = \"out\"\nseed = 7\n\n[sources.regions]\npath = {:?}\n\n[sources.disputes]\npath = [{:?}, {:?}]\n",
            regions.to_string_lossy(),
            disputes.to_string_lossy(),
            ytd.to_string_lossy()
        ),
    );
    wd.ok(&["ingest", "--config", cfg.to_str().unwrap()]);
    let cov = common::findings_of(&wd, "wh", "W_COVERAGE");
    // 乙's halves cover 2023; 丙's first half covers neither the year nor the
    // second half.
    assert_eq!(
        cov,
        [
            "110117001009 (丙社区) has no disputes data for 2023, which 1 other region(s) have",
            "110117001009 (丙社区) has no disputes data for 2023-H2, which 1 other region(s) have"
        ]
    );
}

/// A table of cases only (a yearbook's 调解民间纠纷) stores resolved as
/// null; a unit-period with such a row has no resolution rate (a partial
/// sum would understate it), the rest keep theirs.
#[test]
fn a_table_of_cases_only_leaves_the_resolution_rate_unknown() {
    let wd = Workdir::new();
    let disputes = wd.write(
        "disputes.csv",
        "区划代码,统计期,纠纷类型,受理数,调解成功数\n\
         110117001001,2023,婚姻家庭,40,36\n\
         110117001001,2023,邻里,10,\n\
         110117001005,2023,婚姻家庭,20,18\n",
    );
    let cfg = disputes_config(&wd, &disputes);
    for path in ["columnar", "record"] {
        let out = wd
            .command(&["ingest", "--config", cfg.to_str().unwrap()])
            .env("GOVLENS_INGEST_PATH", path)
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        let df = parquet(&wd.path("wh/disputes/part-0.parquet"));
        assert_eq!(
            common::f64s(&df, "resolved"),
            [Some(36.0), None, Some(18.0)]
        );
    }
    let rates = common::unit_metrics(&wd, &cfg, "resolution_rate");
    let rate = |c: &str| rates.iter().find(|(u, _)| u == c).and_then(|(_, v)| *v);
    assert_eq!(rate("110117001001"), None);
    assert_eq!(rate("110117001005"), Some(0.9));
}

/// A yearbook prints its years as columns (`Civil Disputes (cases) 1999`,
/// `调解民间纠纷(件) 2010` over a two-row header): each data row is read
/// once per year, each reading a row of its own.
#[test]
fn years_printed_as_columns_are_one_row_per_year() {
    let wd = Workdir::new();
    let regions = wd.write(
        "regions.csv",
        "region_code,region_name,level,parent_code\n100000,中华人民共和国,country,\n",
    );
    let english = wd.write(
        "csy2001.csv",
        "Item,Civil Disputes (cases) 1999,Civil Disputes (cases) 2000\n\
         Family Disputes,1923175,1951114\n\
         Debts,480341,451049x\n",
    );
    let chinese = wd.write(
        "csy2012.csv",
        "项目,调解民间纠纷(件),\n,2010,2011\n房屋、宅基地,590628,614109\n",
    );
    let cfg = wd.write(
        "c.toml",
        format!(
            "[run]\nwarehouse = \"wh\"\noutput = \"out\"\nseed = 7\nanalysis_level = \"country\"\n\n\
             [sources.regions]\npath = {:?}\n\n\
             [sources.disputes]\npath = [{:?}, {:?}]\n\
             constants = {{ region_code = \"100000\" }}\n\
             columns = {{ \"Item\" = \"category\", \"项目\" = \"category\", \"Civil Disputes (cases)\" = \"received\", \"调解民间纠纷(件)\" = \"received\" }}\n",
            regions.to_string_lossy(),
            english.to_string_lossy(),
            chinese.to_string_lossy()
        ),
    );
    let out = wd.ok(&["ingest", "--config", cfg.to_str().unwrap()]);
    let df = parquet(&wd.path("wh/disputes/part-0.parquet"));
    let rows: Vec<String> = strs(&df, "period")
        .iter()
        .zip(strs(&df, "category"))
        .zip(common::ints(&df, "received"))
        .map(|((p, c), n)| format!("{p} {c} {n}"))
        .collect();
    assert_eq!(
        rows,
        [
            "1999 Family Disputes 1923175",
            "2000 Family Disputes 1951114",
            "1999 Debts 480341",
            "2010 房屋、宅基地 590628",
            "2011 房屋、宅基地 614109"
        ],
        "{out}"
    );
    // 451049x is the 2000 reading of row 3: quarantined alone.
    let q = parquet(&wd.path("wh/_quarantine.parquet"));
    assert_eq!(strs(&q, "value"), ["451049x"]);
    let m = common::manifest(&wd, "wh");
    let f = &m["files"][1];
    assert_eq!(
        (f["rows_read"].as_u64(), f["rows_stored"].as_u64()),
        (Some(4), Some(3))
    );
}

/// A yearbook's disputes by type printed as an outline: the total first
/// (stored as the row over all types), types under it, a type's sub-types
/// under the type (stored as its parts, never added into the types), each
/// row's parts checked against it; printed shares checked against received
/// / the total.
#[test]
fn a_printed_outline_stores_its_total_types_and_parts() {
    let wd = Workdir::new();
    let regions = wd.write(
        "regions.csv",
        "region_code,region_name,level,parent_code\n100000,中华人民共和国,country,\n",
    );
    let table = wd.write(
        "outline.csv",
        "缩进层级,Item,Cases 1999,Percentage 1999\n\
         0,Total,100,100.00\n\
         1,Family,60,60.00\n\
         2,Marriages,35,35.00\n\
         2,Others,20,20.00\n\
         1,Debts,30,30.00\n\
         1,Others,10,10.50\n",
    );
    let cfg = wd.write(
        "c.toml",
        format!(
            "[run]\nwarehouse = \"wh\"\noutput = \"out\"\nseed = 7\nanalysis_level = \"country\"\n\n\
             [sources.regions]\npath = {:?}\n\n\
             [sources.disputes]\npath = {:?}\n\
             constants = {{ region_code = \"100000\" }}\n\
             columns = {{ \"Item\" = \"category\", \"Cases\" = \"received\" }}\n",
            regions.to_string_lossy(),
            table.to_string_lossy()
        ),
    );
    wd.ok(&["ingest", "--config", cfg.to_str().unwrap()]);
    let df = parquet(&wd.path("wh/disputes/part-0.parquet"));
    let rows: Vec<String> = strs(&df, "category")
        .iter()
        .zip(strs(&df, "part_of"))
        .zip(common::ints(&df, "received"))
        .map(|((c, p), n)| format!("{c}|{p}|{n}"))
        .collect();
    assert_eq!(
        rows,
        [
            "||100",
            "Family||60",
            "Marriages|Family|35",
            "Others|Family|20",
            "Debts||30",
            "Others||10"
        ]
    );
    let f = parquet(&wd.path("wh/_findings.parquet"));
    let found: Vec<(String, String)> = strs(&f, "rule")
        .into_iter()
        .zip(strs(&f, "message"))
        .collect();
    // Family's two parts add to 55 of 60; Others' 10.50% is 10%.
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(
        found[0].1.contains("outline.csv row 3 (Family): received 60 and the 2 row(s) under it (rows 4–5) add up to 55, 5 less than it"),
        "{}",
        found[0].1
    );
    assert_eq!(found[1].0, "W_SHARE");
    assert!(
        found[1]
            .1
            .contains("Others: reported share 10.5% differs from 10 / 100 = 10%"),
        "{}",
        found[1].1
    );
}

/// `#` marks 其中 and `total_labels` names a total row whose label was lost.
#[test]
fn of_which_marks_and_a_total_label_of_the_source() {
    let wd = Workdir::new();
    let regions = wd.write(
        "regions.csv",
        "region_code,region_name,level,parent_code\n100000,中华人民共和国,country,\n",
    );
    let table = wd.write(
        "csy.csv",
        "项目,调解民间纠纷(件) 2010,各类纠纷所占比重(%) 2010\n\
         (存档缺失),100,100.0\n\
         #婚姻家庭,19,19.0\n\
         房屋、宅基地,7,7.0\n\
         #其中宅基地,3,3.0\n",
    );
    let cfg = wd.write(
        "c.toml",
        format!(
            "[run]\nwarehouse = \"wh\"\noutput = \"out\"\nseed = 7\n\n\
             [sources.regions]\npath = {:?}\n\n\
             [sources.disputes]\npath = {:?}\noutline = true\ntotal_labels = [\"(存档缺失)\"]\n\
             constants = {{ region_code = \"100000\" }}\n\
             columns = {{ \"项目\" = \"category\", \"调解民间纠纷(件)\" = \"received\" }}\n",
            regions.to_string_lossy(),
            table.to_string_lossy()
        ),
    );
    wd.ok(&["ingest", "--config", cfg.to_str().unwrap()]);
    let df = parquet(&wd.path("wh/disputes/part-0.parquet"));
    let rows: Vec<String> = strs(&df, "category")
        .iter()
        .zip(strs(&df, "part_of"))
        .map(|(c, p)| format!("{c}|{p}"))
        .collect();
    assert_eq!(
        rows,
        ["|", "婚姻家庭|", "房屋、宅基地|", "其中宅基地|房屋、宅基地"]
    );
    let f = parquet(&wd.path("wh/_findings.parquet"));
    let msgs = strs(&f, "message");
    // The two types add to 26 of 100: the table was cut.
    assert_eq!(msgs.len(), 1, "{msgs:?}");
    assert!(msgs[0].contains("row 2 ((存档缺失)): received 100 and the 2 row(s) under it (rows 3–4) add up to 26, 74 less than it"), "{}", msgs[0]);
}

/// Outlines of several regions in one return, each closed when the next
/// region begins; a total printed last (合计) checked against the rows above
/// it; a sub-type never added into its region's figure; a level that is no
/// level refused.
#[test]
fn outlines_of_several_regions_with_totals_last() {
    let wd = Workdir::new();
    let disputes = wd.write(
        "d.csv",
        "区划代码,统计期,缩进层级,纠纷类型,受理数,调解成功数\n\
         110117001001,2023,1,婚姻家庭,40,36\n\
         110117001001,2023,其中,离婚,30,27\n\
         110117001001,2023,1,邻里,10,9\n\
         110117001001,2023,0,合计,50,45\n\
         110117001005,2023,1,婚姻家庭,20,10\n\
         110117001005,2023,1,邻里,10,10\n\
         110117001005,2023,0,合计,31,20\n\
         110117001009,2023,二,邻里,5,5\n",
    );
    let cfg = disputes_config(&wd, &disputes);
    wd.ok(&["ingest", "--config", cfg.to_str().unwrap()]);
    let msgs = common::findings_of(&wd, "wh", "W_TOTAL");
    // 001001 adds up (its 离婚 is a part of 婚姻家庭, not a third type);
    // 001005's total says 31 over 30 received.
    assert_eq!(msgs.len(), 1, "{msgs:?}");
    assert!(
        msgs[0].contains("d.csv row 8 (合计): received 31 and the 2 row(s) above it (rows 6–7) add up to 30, 1 more than it")
            || msgs[0].contains("add up to 30, 1 less than it"),
        "{}",
        msgs[0]
    );
    let q = parquet(&wd.path("wh/_quarantine.parquet"));
    let m = strs(&q, "message");
    assert_eq!(m.len(), 1);
    assert!(
        m[0].contains("'二' is not a level of the outline"),
        "{}",
        m[0]
    );
    // The metrics take the row over all types: 45 / 50, 20 / 31.
    let rates = common::unit_metrics(&wd, &cfg, "resolution_rate");
    let rate = |c: &str| rates.iter().find(|(u, _)| u == c).and_then(|(_, v)| *v);
    assert_eq!(rate("110117001001"), Some(0.9));
    assert_eq!(rate("110117001005"), Some(20.0 / 31.0));
}

/// Without a row over all types, the types are added up and their parts
/// are not: 婚姻家庭 36 / 40 and 邻里 9 / 10 make 45 / 50, whatever 离婚 says.
#[test]
fn a_part_is_never_added_into_its_region_s_figure() {
    let wd = Workdir::new();
    let disputes = wd.write(
        "d.csv",
        "区划代码,统计期,缩进层级,纠纷类型,受理数,调解成功数\n\
         110117001001,2023,1,婚姻家庭,40,36\n\
         110117001001,2023,2,离婚,30,0\n\
         110117001001,2023,1,邻里,10,9\n",
    );
    let cfg = disputes_config(&wd, &disputes);
    wd.ok(&["ingest", "--config", cfg.to_str().unwrap()]);
    let rate = common::unit_metric(&wd, &cfg, "110117001001", "resolution_rate");
    assert_eq!(rate, Some(0.9));
}

/// Of two days' stocks, the later day's rows are kept only if they can be
/// stored: a later day whose only (wide) row has overlapping bands (E_BAND)
/// leaves the earlier day's rows stored.
#[test]
fn a_later_stock_that_cannot_be_stored_leaves_the_earlier() {
    let wd = Workdir::new();
    let csv = "区划代码,统计期,30岁以下,30岁及以上,25至40岁\n\
               110117001001,2021年6月30日,10,20,\n\
               110117001001,2021年9月30日,12,,15\n";
    let cfg = ages_config(&wd, csv, "layout = \"wide\"\n");
    wd.ok(&["ingest", "--config", cfg.to_str().unwrap()]);
    let df = parquet(&wd.path("wh/member_ages/part-0.parquet"));
    assert_eq!(common::f64s(&df, "count"), [Some(10.0), Some(20.0)]);
    let q = parquet(&wd.path("wh/_quarantine.parquet"));
    assert_eq!(strs(&q, "rule"), ["E_BAND"]);
}

/// A file read as 累计 by its first row refuses a row without 累计 rather
/// than reading `2023年第二季度` as the first half.
#[test]
fn a_plain_period_in_a_year_to_date_file_is_refused() {
    let wd = Workdir::new();
    let disputes = wd.write(
        "d.csv",
        "区划代码,统计期,受理数,调解成功数\n\n\
         110117001001,2023年1-3月累计,30,27\n\
         110117001001,2023年第二季度,40,33\n",
    );
    let cfg = disputes_config(&wd, &disputes);
    wd.ok(&["ingest", "--config", cfg.to_str().unwrap()]);
    let df = parquet(&wd.path("wh/disputes/part-0.parquet"));
    assert_eq!(strs(&df, "period"), ["2023-Q1"]);
    let q = parquet(&wd.path("wh/_quarantine.parquet"));
    let m = strs(&q, "message");
    assert!(m[0].contains("has 累计 on every row"), "{}", m[0]);
}
