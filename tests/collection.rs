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
        out.contains("; 逾期 110117003 渔阳地区 (disputes); due 2025-01-10: 3 of 10 expected returns on time; 重复 1 (two files or more of one table: the last used, 1 earlier not read); 1 file(s) whose filer is not known"),
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
            "; 逾期 110117005 马坊地区 (disputes); due 2025-01-10: 0 of 10 expected returns on time; 重复 1"
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

/// The messy sample's collection round (`datasets/sample-messy/round-2024`,
/// planted by `govlens generate`): `govlens run` finds every status and
/// every line its `_expected.csv` lists, and nothing else.
fn round_run(wd: &Workdir) -> (PathBuf, PathBuf) {
    let cfg = common::config_in_workdir(wd, "sample-round", "");
    let out = wd.run(&[
        "run",
        "--config",
        cfg.to_str().unwrap(),
        "--district",
        "110117",
    ]);
    // Rows were quarantined and findings made: exit 1, as a scheduler reads it.
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let run = wd.path("out").join(wd.latest());
    (cfg, run)
}

/// `_expected.csv` of the round: (what, unit, file, row, rule, column,
/// value, region) per planted status or line.
fn planted() -> Vec<Vec<String>> {
    let path = common::repo().join("datasets/sample-messy/round-2024/_expected.csv");
    let mut r = csv::Reader::from_path(path).unwrap();
    r.records()
        .map(|x| x.unwrap().iter().map(String::from).collect())
        .collect()
}

fn file_name(shown: &str) -> String {
    shown.rsplit('/').next().unwrap().to_string()
}

#[test]
fn the_messy_sample_s_round_is_found_line_by_line() {
    let wd = Workdir::new();
    let (_, run) = round_run(&wd);
    let planted = planted();
    // Every street's status, the file used and the file replaced.
    let f = parquet(&wd.path("warehouse/_filing.parquet"));
    let (units, status, files, superseded) = (
        strs(&f, "unit_code"),
        strs(&f, "status"),
        strs(&f, "files"),
        strs(&f, "superseded"),
    );
    let found: Vec<String> = (0..units.len())
        .map(|i| {
            let used: Vec<String> = files[i]
                .split("; ")
                .filter(|x| !x.is_empty() && !superseded[i].split("; ").any(|s| s == *x))
                .map(file_name)
                .collect();
            let replaced: Vec<String> = superseded[i]
                .split("; ")
                .filter(|x| !x.is_empty())
                .map(file_name)
                .collect();
            format!(
                "{} {} {} {}",
                units[i],
                status[i],
                used.join(","),
                replaced.join(",")
            )
        })
        .collect();
    let want: Vec<String> = planted
        .iter()
        .filter(|p| p[0] == "status")
        .map(|p| format!("{} {} {} {}", p[1], p[5], p[3], p[7]))
        .collect();
    assert_eq!(found, want, "statuses");

    // Every correction line, and no other.
    let c = parquet(&wd.path("warehouse/_corrections.parquet"));
    let rows: Vec<String> = strs(&c, "rows")
        .into_iter()
        .map(|r| if r == "—" { String::new() } else { r })
        .collect();
    let (office, file, rule, column, value, region) = (
        strs(&c, "office_code"),
        strs(&c, "file"),
        strs(&c, "rule"),
        strs(&c, "column"),
        strs(&c, "value"),
        strs(&c, "region"),
    );
    let mut found: Vec<String> = (0..office.len())
        .map(|i| {
            // A finding's value is the published total; a row's, as typed.
            [
                &office[i], &file[i], &rows[i], &rule[i], &column[i], &value[i], &region[i],
            ]
            .map(|s| s.as_str())
            .join("|")
        })
        .collect();
    let mut want: Vec<String> = planted
        .iter()
        .filter(|p| p[0] == "line")
        .map(|p| {
            [&p[1], &p[3], &p[4], &p[5], &p[6], &p[7], &p[8]]
                .map(|s| s.as_str())
                .join("|")
        })
        .collect();
    found.sort();
    want.sort();
    assert_eq!(found, want, "correction lines");
    // What each line tells the office.
    let problem = strs(&c, "problem");
    let example = strs(&c, "example");
    let at = |r: &str| rule.iter().position(|x| x == r).unwrap();
    assert_eq!(
        problem[at("W_TOTAL")],
        "第16行的合计“受理数(件)”填118，但第4至15行相加是108，合计多10"
    );
    assert_eq!(
        example[at("W_TOTAL")],
        "合计应为108；如118无误，则是分项少填了10，请核对第4至15行和台账"
    );
    // The misnamed village is the one the return lacks: said once, on its
    // rows, with the name it should be.
    assert_eq!(
        problem[at("E_CODE")],
        "“社区（村）名称”填的“旺马台村”不在南独乐河镇的社区（村）名单中；本表又缺少“望马台村委会”的数据，这里应是“望马台村委会”；这几行未采用"
    );
    assert_eq!(example[at("E_CODE")], "改为“望马台村委会”");
    assert_eq!(strs(&c, "suggests")[at("E_CODE")], "110117104208");

    // A list for each street with something to fix, and the status.
    let dir = run.join("returns/2024");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "manifest.json",
            "东高村镇-退回修改清单.html",
            "东高村镇-退回修改清单.xlsx",
            "南独乐河镇-退回修改清单.html",
            "南独乐河镇-退回修改清单.xlsx",
            "报送情况.html",
            "报送情况.xlsx",
        ]
    );
    // The workbook: a summary sheet first, then one row per problem under
    // a frozen header with filters, their row numbers, no formula.
    use calamine::{open_workbook, Reader, Xlsx};
    let list = dir.join("南独乐河镇-退回修改清单.xlsx");
    let mut wb: Xlsx<_> = open_workbook(&list).unwrap();
    let sheets = wb.sheet_names().to_vec();
    assert_eq!(sheets[..2], ["概况", "问题清单"], "{sheets:?}");
    let summary = wb.worksheet_range("概况").unwrap();
    let text: Vec<String> = summary.rows().flatten().map(|c| c.to_string()).collect();
    assert!(
        text.iter()
            .any(|t| t == "南独乐河镇2024年人民调解情况报表退回修改清单"),
        "{text:?}"
    );
    assert!(text.iter().any(|t| t.starts_with("须修改")), "{text:?}");
    let problems = wb.worksheet_range("问题清单").unwrap();
    let grid: Vec<Vec<String>> = problems
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    let header = grid
        .iter()
        .position(|r| r.first().is_some_and(|c| c == "序号"))
        .unwrap();
    let col = |name: &str| grid[header].iter().position(|c| c == name).unwrap();
    let lines: Vec<(String, String, String)> = grid[header + 1..]
        .iter()
        .filter(|r| !r[0].is_empty())
        .map(|r| {
            (
                r[col("行号")].clone(),
                r[col("栏目")].clone(),
                r[col("填写内容")].clone(),
            )
        })
        .collect();
    assert_eq!(
        lines,
        [("8—11", "社区（村）名称", "旺马台村")].map(|(a, b, c)| (
            a.to_string(),
            b.to_string(),
            c.to_string()
        ))
    );
    let formulas = wb.worksheet_formula("问题清单").unwrap();
    assert!(
        formulas.used_cells().all(|(_, _, f)| f.is_empty()),
        "no formula"
    );
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&list).unwrap()).unwrap();
    let mut xml = String::new();
    std::io::Read::read_to_string(
        &mut zip.by_name("xl/worksheets/sheet2.xml").unwrap(),
        &mut xml,
    )
    .unwrap();
    assert!(
        xml.contains("state=\"frozen\"") && xml.contains("<autoFilter"),
        "{xml}"
    );

    // The district report's section says the same.
    let report = std::fs::read_to_string(run.join("district-110117-2024/report.html")).unwrap();
    for says in [
        "报送情况（2024年）",
        "本期报送尚未完成：1 个单位缺报，2 个单位的报表已退回修改、尚未改正。",
        "缺报：大华山镇——尚未报送，请催报",
        "逾期：马坊地区（2025-01-13 09:05）——在截止日期之后收到",
        "村名写错：南独乐河镇（望马台村委会（110117104208））——数据已报，但名称写错未采用，见其退回修改清单",
        "报送两份：峪口地区（采用峪口地区（更正）.xlsx）——采用最后收到的一份，先收到的未读取",
        "问题最多：东高村镇 1 处、南独乐河镇 1 处（共 2 个单位需退回修改，清单已按单位生成）",
        "8 / 10 个单位按时报送（缺报计为未按时）",
    ] {
        assert!(report.contains(says), "{says}");
    }
}

/// The correction workbook and the status table open in LibreOffice.
#[test]
fn the_round_s_workbooks_convert_to_pdf_in_libreoffice() {
    let has = |cmd: &str, arg: &str| {
        std::process::Command::new(cmd)
            .arg(arg)
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if !(has("soffice", "--version") && has("pdftotext", "-v")) {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install LibreOffice and poppler-utils (.ci/run)"
        );
        eprintln!("SKIPPED: LibreOffice or poppler-utils not found");
        return;
    }
    let wd = Workdir::new();
    let (_, run) = round_run(&wd);
    for (name, says) in [
        ("南独乐河镇-退回修改清单", "110117104"),
        ("报送情况", "2025-01-13 09:05"),
    ] {
        let xlsx = wd.path(&format!("{name}.xlsx"));
        std::fs::copy(run.join(format!("returns/2024/{name}.xlsx")), &xlsx).unwrap();
        common::soffice_convert(&wd, &xlsx, "pdf");
        let out = std::process::Command::new("pdftotext")
            .arg(wd.path(&format!("{name}.pdf")))
            .arg("-")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains(says), "{name}.pdf: {text}");
    }
}

/// A copy of the round in the workdir, its disputes read from `returns/`
/// there and its receipt log beside them.
fn round_copy(wd: &Workdir) -> PathBuf {
    let from = common::repo().join("datasets/sample-messy/round-2024");
    for e in std::fs::read_dir(from.join("returns")).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        wd.write(&format!("returns/{name}"), std::fs::read(&p).unwrap());
    }
    wd.write(
        "收文登记.csv",
        std::fs::read(from.join("收文登记.csv")).unwrap(),
    );
    wd.write(
        "round.toml",
        format!(
            "[run]\nwarehouse = \"wh\"\noutput = \"out\"\n\n[sources.regions]\npath = {:?}\n\n[sources.disputes]\npath = \"returns/*.xlsx\"\nparent = \"110117\"\n\n[collection]\ndistrict = \"110117\"\nperiod = \"2024\"\ndue = \"2025-01-10\"\nreceipts = \"收文登记.csv\"\n",
            from.join("regions.csv").to_string_lossy()
        ),
    )
}

/// A return with every `from` cell written `to` instead (a street's
/// correction): the same cells, as text and numbers.
fn corrected(from: &std::path::Path, to: &std::path::Path, (bad, good): (&str, &str)) {
    use calamine::{open_workbook, Data, Reader, Xlsx};
    let mut wb: Xlsx<_> = open_workbook(from).unwrap();
    let range = wb.worksheet_range_at(0).unwrap().unwrap();
    let mut out = rust_xlsxwriter::Workbook::new();
    let ws = out.add_worksheet();
    for (r, row) in range.rows().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c) = (r as u32, c as u16);
            match cell {
                Data::Float(x) => {
                    let x = match good.parse::<f64>() {
                        Ok(g) if x.to_string() == bad => g,
                        _ => *x,
                    };
                    ws.write_number(r, c, x).unwrap();
                }
                Data::Int(x) => {
                    ws.write_number(r, c, *x as f64).unwrap();
                }
                Data::Empty => {}
                other => {
                    let t = other.to_string();
                    ws.write_string(r, c, if t == bad { good } else { &t })
                        .unwrap();
                }
            }
        }
    }
    out.save(to).unwrap();
}

/// A street sends `<street>（更正）.xlsx`, its return with `bad` written
/// `good`, logged as received `at`.
fn resend(wd: &Workdir, street: &str, (bad, good): (&str, &str), at: &str) {
    corrected(
        &wd.path(&format!("returns/{street}.xlsx")),
        &wd.path(&format!("returns/{street}（更正）.xlsx")),
        (bad, good),
    );
    let mut log = std::fs::read_to_string(wd.path("收文登记.csv")).unwrap();
    log.push_str(&format!("{street}（更正）.xlsx,{at}\n"));
    wd.write("收文登记.csv", log);
}

#[test]
fn a_corrected_resubmission_clears_its_lines_on_the_rerun() {
    let wd = Workdir::new();
    let cfg = round_copy(&wd);
    let cfg = cfg.to_str().unwrap();
    wd.ok(&["ingest", "--config", cfg]);
    assert!(wd
        .path("wh/returns/2024/南独乐河镇-退回修改清单.xlsx")
        .is_file());
    let first = parquet(&wd.path("wh/_corrections.parquet"));
    assert_eq!(
        strs(&first, "round"),
        vec![""; 2],
        "a first run has no rounds"
    );

    // 南独乐河镇 sends its return again with the village's name right.
    resend(
        &wd,
        "南独乐河镇",
        ("旺马台村", "望马台村委会"),
        "2025-01-12 10:00",
    );
    let out = wd.ok(&["ingest", "--config", cfg]);
    assert!(!out.contains("E_CODE"), "{out}");

    // The first return is replaced, not read; the village's rows now come
    // from the correction.
    let m = common::manifest(&wd, "wh");
    let files = m["files"].as_array().unwrap();
    let entry = |name: &str| {
        files
            .iter()
            .find(|f| f["path"] == format!("returns/{name}"))
            .unwrap()
            .clone()
    };
    assert_eq!(
        entry("南独乐河镇.xlsx")["superseded_by"],
        "returns/南独乐河镇（更正）.xlsx"
    );
    assert_eq!(entry("南独乐河镇（更正）.xlsx")["rows_stored"], 8);
    let f = parquet(&wd.path("wh/_filing.parquet"));
    let at = strs(&f, "unit_code")
        .iter()
        .position(|u| u == "110117104")
        .unwrap();
    assert_eq!(strs(&f, "status")[at], "重复");
    assert_eq!(common::f64s(&f, "covered")[at], Some(2.0));

    // Its five lines are fixed; 东高村镇's 合计, not resent, remains.
    let c = parquet(&wd.path("wh/_corrections.parquet"));
    let lines: Vec<String> = strs(&c, "office_name")
        .into_iter()
        .zip(strs(&c, "rule"))
        .zip(strs(&c, "round"))
        .map(|((o, r), d)| format!("{o} {r} {d}"))
        .collect();
    // 东高村镇 sent nothing new: no mark (its line is as it was).
    assert_eq!(lines, ["东高村镇 W_TOTAL ", "南独乐河镇 E_CODE 已改正"]);
    // No list for a street with nothing left to fix; the status says so.
    assert!(!wd
        .path("wh/returns/2024/南独乐河镇-退回修改清单.xlsx")
        .exists());
    let list =
        std::fs::read_to_string(wd.path("wh/returns/2024/东高村镇-退回修改清单.html")).unwrap();
    assert!(list.contains("第16行的合计"), "{list}");
    let status = std::fs::read_to_string(wd.path("wh/returns/2024/报送情况.html")).unwrap();
    assert!(status.contains("已全部改正（1 处）"), "{status}");

    // Run again with nothing new: the marks stay as they are, byte for byte.
    let before = std::fs::read(wd.path("wh/_corrections.parquet")).unwrap();
    wd.ok(&["ingest", "--config", cfg]);
    let after = std::fs::read(wd.path("wh/_corrections.parquet")).unwrap();
    assert!(
        before == after,
        "a rerun of the same returns changes no mark"
    );

    // 东高村镇 corrects its 合计 wrongly (now 10 under): its old line is
    // fixed, the new one is new.
    resend(&wd, "东高村镇", ("118", "98"), "2025-01-12 11:00");
    wd.ok(&["ingest", "--config", cfg]);
    let c = parquet(&wd.path("wh/_corrections.parquet"));
    let lines: Vec<String> = strs(&c, "office_name")
        .into_iter()
        .zip(strs(&c, "value"))
        .zip(strs(&c, "round"))
        .map(|((o, v), d)| format!("{o} {v} {d}"))
        .collect();
    assert_eq!(
        lines,
        [
            "东高村镇 118 已改正",
            "东高村镇 98 本轮新发现",
            "南独乐河镇 旺马台村 已改正",
        ]
    );
}

/// What a street typed is text in its list: a formula stays a string in the
/// workbook, markup is escaped in the page.
#[test]
fn hostile_values_in_a_return_are_text_in_the_lists() {
    let wd = Workdir::new();
    wd.write(
        "returns/滨河街道.csv",
        "社区名称,统计期,纠纷类型,受理数,调解成功数\n\"=HYPERLINK(\"\"http://x\"\",\"\"点我\"\")\",2024,婚姻家庭,5,4\n<img src=x onerror=alert(1)>,2024,邻里纠纷,3,2\n金谷东园社区,2024,邻里纠纷,+SUM(1),2\n",
    );
    let cfg = wd.write(
        "c.toml",
        format!(
            "[run]\nwarehouse = \"wh\"\noutput = \"out\"\n\n[sources.regions]\npath = {:?}\n\n[sources.disputes]\npath = \"returns/*.csv\"\nparent = \"110117\"\n\n[collection]\ndistrict = \"110117\"\n",
            common::sample("regions.csv").to_string_lossy()
        ),
    );
    wd.ok(&["ingest", "--config", cfg.to_str().unwrap()]);
    let dir = wd.path("wh/returns/本期");
    let html = std::fs::read_to_string(dir.join("滨河街道-退回修改清单.html")).unwrap();
    assert!(!html.contains("<img src=x"), "markup escaped");
    assert!(
        html.contains("&lt;img src=x onerror=alert(1)&gt;"),
        "shown as text"
    );
    use calamine::{open_workbook, Reader, Xlsx};
    let mut wb: Xlsx<_> = open_workbook(dir.join("滨河街道-退回修改清单.xlsx")).unwrap();
    let values: Vec<String> = wb
        .worksheet_range("问题清单")
        .unwrap()
        .rows()
        .flatten()
        .map(|c| c.to_string())
        .collect();
    for typed in ["=HYPERLINK(\"http://x\",\"点我\")", "+SUM(1)"] {
        assert!(
            values.iter().any(|v| v == typed),
            "{typed} kept as typed: {values:?}"
        );
    }
    let formulas = wb.worksheet_formula("问题清单").unwrap();
    assert!(
        formulas.used_cells().all(|(_, _, f)| f.is_empty()),
        "no formula"
    );
}

/// A return that says who filed it only in a column (its 街道) is that
/// street's; a column naming two streets names none; two `filed_by`
/// patterns giving one file to two streets stop the run.
#[test]
fn a_street_column_names_the_filer_and_one_file_has_one_filer() {
    let wd = Workdir::new();
    wd.write(
        "returns/附件3.csv",
        "街道,社区名称,统计期,纠纷类型,受理数,调解成功数\n东高村镇,大旺务村,2024,婚姻家庭,5,4\n东高村镇,普贤屯村,2024,婚姻家庭,3,3\n合计,,,,8,7\n",
    );
    wd.write(
        "returns/附件4.csv",
        "街道,社区名称,统计期,纠纷类型,受理数,调解成功数\n东高村镇,大旺务村,2024,邻里纠纷,5,4\n马坊地区,北石渠村,2024,邻里纠纷,3,3\n",
    );
    let config = |filed_by: &str| {
        wd.write(
            "c.toml",
            format!(
                "[run]\nwarehouse = \"wh\"\noutput = \"out\"\n\n[sources.regions]\npath = {:?}\n\n[sources.disputes]\npath = \"returns/*.csv\"\nparent = \"110117\"\n\n[collection]\ndistrict = \"110117\"\n{filed_by}",
                common::repo()
                    .join("datasets/sample-messy/round-2024/regions.csv")
                    .to_string_lossy()
            ),
        )
    };
    let cfg = config("");
    wd.ok(&["ingest", "--config", cfg.to_str().unwrap()]);
    let m = common::manifest(&wd, "wh");
    let by: Vec<String> = m["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["table"] == "disputes")
        .map(|f| format!("{} {}", f["path"], f["filed_by"]["how"]))
        .collect();
    assert_eq!(
        by,
        [
            "\"returns/附件3.csv\" \"column\"",
            "\"returns/附件4.csv\" null"
        ]
    );
    let cfg = config(
        "[collection.filed_by]\n\"附件*.csv\" = \"110117101\"\n\"附件3.csv\" = \"110117104\"\n",
    );
    let err = wd.fails(&["ingest", "--config", cfg.to_str().unwrap()]);
    assert!(
        err.contains("\"附件*.csv\" gives returns/附件3.csv to 110117101 and \"附件3.csv\" gives it to 110117104: one file has one filer"),
        "{err}"
    );
}
