//! A district's collection round (issue 29, contract B.21): which street
//! filed each return — by the config's `filed_by`, the 填报单位 line of its
//! titles, or its file name — and the filing status of every street.

mod common;

use std::path::PathBuf;

use common::{parquet, strs, Workdir};

/// Returns of 平谷区's streets (the sample tree): 滨河街道 by its 填报单位
/// line, 渔阳地区 by its file name, 峪口地区 by `filed_by`, 马坊地区 twice,
/// and one file that says nothing of who filed it.
fn round(wd: &Workdir, collection: &str) -> PathBuf {
    let rows = |code: &str| {
        format!("区划代码,统计期,纠纷类型,受理数,调解成功数\n{code},2024,family,5,4\n")
    };
    wd.write(
        "returns/binhe.csv",
        format!(
            "2024年人民调解情况统计表\n填报单位：平谷区滨河街道办事处,,填报日期：2025-01-08\n{}",
            rows("110117001001")
        ),
    );
    wd.write("returns/渔阳地区.csv", rows("110117003002"));
    wd.write("returns/returns-a.csv", rows("110117004212"));
    wd.write("returns/马坊地区.csv", rows("110117005220"));
    wd.write("returns/马坊地区-更正.csv", rows("110117005220"));
    wd.write("returns/附件3.csv", rows("110117101203"));
    wd.write(
        "c.toml",
        format!(
            "[run]\nwarehouse = \"wh\"\noutput = \"out\"\nseed = 7\n\n[sources.regions]\npath = {:?}\n\n[sources.disputes]\npath = \"returns/*.csv\"\n\n{collection}",
            common::sample("regions.csv").to_string_lossy()
        ),
    )
}

const COLLECTION: &str = "[collection]\ndistrict = \"110117\"\nperiod = \"2024\"\nreceipts = \"receipts.csv\"\n\n[collection.filed_by]\n\"returns-a.csv\" = \"110117004\"\n";

/// When each return came: 渔阳地区's after the due day (2025-01-10), 马坊地区's
/// correction after its first file; 附件3's not logged (its file's time).
const RECEIPTS: &str = "文件,收到时间\nbinhe.csv,2025-01-08 09:00\n渔阳地区.csv,2025/1/12\nreturns-a.csv,2025-01-10 17:30\n马坊地区.csv,2025-01-05\n马坊地区-更正.csv,2025-01-09 16:02:11\n";

#[test]
fn each_return_s_filer_is_found_and_every_street_s_status_said() {
    let wd = Workdir::new();
    wd.write("receipts.csv", RECEIPTS);
    let cfg = round(&wd, COLLECTION);
    let out = wd.ok(&["ingest", "--config", cfg.to_str().unwrap()]);
    assert!(
        out.contains("collection 110117 (street): 4 of 10 units filed every table; 缺报 110117101 东高村镇 (disputes), 110117104 南独乐河镇 (disputes)"),
        "{out}"
    );
    assert!(
        out.contains("; 逾期 110117003 渔阳地区 (disputes); due 2025-01-10: 3 of 4 on time; 重复 1 (two files or more of one table: the last used, 1 earlier not read); 1 file(s) whose filer is not known"),
        "{out}"
    );
    let m = common::manifest(&wd, "wh");
    let filed: Vec<String> = m["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["table"] == "disputes")
        .map(|f| match &f["filed_by"] {
            serde_json::Value::Null => format!("{} -", f["path"].as_str().unwrap()),
            b => format!(
                "{} {} {}",
                f["path"].as_str().unwrap(),
                b["code"].as_str().unwrap(),
                b["how"].as_str().unwrap()
            ),
        })
        .collect();
    assert_eq!(
        filed,
        [
            "returns/binhe.csv 110117001 填报单位",
            "returns/returns-a.csv 110117004 filed_by",
            "returns/渔阳地区.csv 110117003 file name",
            "returns/附件3.csv -",
            "returns/马坊地区-更正.csv 110117005 file name",
            "returns/马坊地区.csv 110117005 file name",
        ]
    );
    // 马坊地区's first return is replaced by its correction: listed, not
    // read, so its row is no duplicate of the correction's.
    let first = m["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "returns/马坊地区.csv")
        .unwrap();
    assert_eq!(first["superseded_by"], "returns/马坊地区-更正.csv");
    assert_eq!(first["rows_read"], 0);
    assert!(!out.contains("E_DUPLICATE"), "{out}");
    let f = parquet(&wd.path("wh/_filing.parquet"));
    assert_eq!(strs(&f, "superseded")[3], "returns/马坊地区.csv");
    let status: Vec<String> = strs(&f, "unit_code")
        .into_iter()
        .zip(strs(&f, "status"))
        .map(|(u, s)| format!("{u} {s}"))
        .collect();
    assert_eq!(
        status,
        [
            "110117001 已报",
            "110117003 逾期",
            "110117004 已报",
            "110117005 重复",
            "110117101 缺报",
            "110117104 缺报",
            "110117105 缺报",
            "110117108 缺报",
            "110117111 缺报",
            "110117114 缺报",
            " 未识别",
        ]
    );
    assert_eq!(
        strs(&f, "files")[3],
        "returns/马坊地区-更正.csv; returns/马坊地区.csv"
    );
    assert_eq!(strs(&f, "files")[10], "returns/附件3.csv");
    // The last of a unit's files, and where its time is from.
    let at = strs(&f, "received_at");
    assert_eq!(
        at[..4],
        [
            "2025-01-08 09:00",
            "2025-01-12 00:00",
            "2025-01-10 17:30",
            "2025-01-09 16:02"
        ]
    );
    assert_eq!(at[4], "");
    let from = strs(&f, "received_from");
    assert_eq!(from[0], "receipts");
    assert_eq!(from[10], "mtime");
}

#[test]
fn a_collection_that_names_what_is_not_there_is_refused() {
    let wd = Workdir::new();
    for (section, says) in [
        ("[collection]\ndistrict = \"1101\"\n", "collection.district"),
        (
            "[collection]\ndistrict = \"110117\"\nlevel = \"楼栋\"\n",
            "is not a level",
        ),
        (
            "[collection]\ndistrict = \"110117\"\ntables = [\"member_ages\"]\n",
            "'member_ages' has no [sources.member_ages] in this config",
        ),
        (
            "[collection]\ndistrict = \"110117\"\ntables = [\"returns\"]\n",
            "'returns' is not a table a unit files (one of: disputes)",
        ),
        (
            "[collection]\ndistrict = \"110117\"\n[collection.filed_by]\n\"a.csv\" = \"滨河\"\n",
            "'滨河' is not a region code",
        ),
        (
            "[collection]\ndistrict = \"110117\"\ndue = \"2025-02-30\"\n",
            "'2025-02-30' is not a day",
        ),
        (
            "[collection]\ndistrict = \"110117\"\nperiod = \"2024\"\ndue_day = 31\n",
            "1 to 28",
        ),
        (
            "[collection]\ndistrict = \"110117\"\nperiod = \"上月\"\n",
            "collection.period",
        ),
    ] {
        let cfg = round(&wd, section);
        let err = wd.fails(&["ingest", "--config", cfg.to_str().unwrap()]);
        assert!(err.contains(says), "{section}: {err}");
    }
    wd.write("receipts.csv", "文件,时间\nbinhe.csv,2025-01-08\n");
    let cfg = round(&wd, COLLECTION);
    let err = wd.fails(&["ingest", "--config", cfg.to_str().unwrap()]);
    assert!(
        err.contains("receipt log receipts.csv: a receipt log needs"),
        "{err}"
    );
    wd.write("receipts.csv", "文件,收到时间\nbinhe.csv,昨天\n");
    let err = wd.fails(&["ingest", "--config", cfg.to_str().unwrap()]);
    assert!(err.contains("row 2: '昨天' is not a time"), "{err}");
    let err = wd.fails(&["run", "--config", cfg.to_str().unwrap(), "--shard", "0/2"]);
    assert!(err.contains("run it on one machine"), "{err}");
}

/// A file named after two streets side by side is no street's; a receipt
/// log saved as GBK reads; a unit whose later return came late is late
/// though it sent two; a `filed_by` code that is not a street, or a
/// district with no street, stops the run.
#[test]
fn names_side_by_side_gbk_receipts_and_late_corrections() {
    let wd = Workdir::new();
    let rows = "区划代码,统计期,纠纷类型,受理数,调解成功数\n110117005220,2024,family,5,4\n";
    wd.write("returns/马坊地区转东高村镇.csv", rows);
    wd.write("returns/马坊地区.csv", rows);
    wd.write("returns/马坊地区(更正).csv", rows);
    let log = "文件,收到时间\n马坊地区.csv,2025-01-05\n马坊地区(更正).csv,2025-01-15 08:00\n马坊地区转东高村镇.csv,2025-01-06\n";
    let (gbk, _, _) = encoding_rs::GB18030.encode(log);
    wd.write("receipts.csv", gbk.as_ref());
    let config = |collection: &str| {
        wd.write(
            "c.toml",
            format!(
                "[run]\nwarehouse = \"wh\"\noutput = \"out\"\n\n[sources.regions]\npath = {:?}\n\n[sources.disputes]\npath = \"returns/*.csv\"\n\n[collection]\ndistrict = \"110117\"\nperiod = \"2024\"\nreceipts = \"receipts.csv\"\n{collection}",
                common::sample("regions.csv").to_string_lossy()
            ),
        )
    };
    let out = wd.ok(&["ingest", "--config", config("").to_str().unwrap()]);
    assert!(
        out.contains(
            "; 逾期 110117005 马坊地区 (disputes); due 2025-01-10: 0 of 1 on time; 重复 1"
        ),
        "{out}"
    );
    assert!(out.contains("1 file(s) whose filer is not known"), "{out}");
    let f = parquet(&wd.path("wh/_filing.parquet"));
    assert_eq!(strs(&f, "status")[3], "重复");
    assert_eq!(strs(&f, "received_at")[3], "2025-01-15 08:00");
    assert_eq!(strs(&f, "files")[10], "returns/马坊地区转东高村镇.csv");

    let err = wd.fails(&[
        "ingest",
        "--config",
        config("[collection.filed_by]\n\"马坊地区.csv\" = \"110117005220\"\n")
            .to_str()
            .unwrap(),
    ]);
    assert!(
        err.contains("\"马坊地区.csv\" names 110117005220, which is not a street under 110117"),
        "{err}"
    );
    let err = wd.fails(&[
        "ingest",
        "--config",
        config("level = \"county\"\n").to_str().unwrap(),
    ]);
    assert!(
        err.contains("no county under 110117 in the region tree"),
        "{err}"
    );
}

/// A street whose return leaves out one of its communities filed part of
/// what it owes: 部分, with the community named.
#[test]
fn a_return_missing_a_community_is_partial_and_names_it() {
    let wd = Workdir::new();
    wd.write(
        "returns/大峪街道.csv",
        "区划代码,统计期,纠纷类型,受理数,调解成功数\n110109001001,2024,family,5,4\n",
    );
    let cfg = wd.write(
        "c.toml",
        format!(
            "[run]\nwarehouse = \"wh\"\noutput = \"out\"\n\n[sources.regions]\npath = {:?}\n\n[sources.disputes]\npath = \"returns/*.csv\"\n\n[collection]\ndistrict = \"110109\"\n",
            common::sample("regions.csv").to_string_lossy()
        ),
    );
    let out = wd.ok(&["ingest", "--config", cfg.to_str().unwrap()]);
    assert!(
        out.contains("; 部分 110109001 大峪街道 (disputes: 1 of 2)"),
        "{out}"
    );
    let f = parquet(&wd.path("wh/_filing.parquet"));
    assert_eq!(strs(&f, "status")[0], "部分");
    assert_eq!(strs(&f, "missing")[0], "110109001061 龙山二区社区居委会");
    assert_eq!(common::f64s(&f, "expected")[0], Some(2.0));
}
