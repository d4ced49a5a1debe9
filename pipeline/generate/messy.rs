//! The messy variant: the same simulated data as clerks actually send it —
//! Chinese headers, GBK, an XLSX with a title row, Chinese periods, bands and
//! model words — with a planted bad row for every row rule and a total and a
//! share that do not add up.
//!
//! Every planted problem is written to `_expected.csv` (file, row, rule, or
//! the finding's group), so tests compare the quarantine against it exactly
//! instead of trusting the code that produced it.

use std::fs;
use std::path::Path;

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Workbook};

use super::{build_tree, provenance, region_rows, unit_year, GenerateError, Rows, Spec};

/// A planted problem: where it is and what ingest must say about it.
struct Expect {
    file: &'static str,
    row: u64,
    rule: &'static str,
    key: String,
}

fn level_zh(l: &str) -> &'static str {
    match l {
        "country" => "国家",
        "province" => "省",
        "city" => "市",
        "county" => "县/区",
        "street" => "街道/乡镇",
        _ => "社区/村",
    }
}

fn model_zh(m: &str) -> &'static str {
    match m {
        "sinking" => "下沉型",
        "collaborative" => "协同型",
        "embedded" => "嵌入型",
        "integrated" => "融合型",
        "none" => "无",
        _ => "",
    }
}

fn band_zh(b: &str) -> &'static str {
    match b {
        "<30" => "30岁以下",
        "30-44" => "30至44岁",
        "45-59" => "45至59岁",
        "60+" => "60岁及以上",
        _ => "合计",
    }
}

fn center_zh(c: &str) -> &'static str {
    crate::contract::CENTER_TYPES
        .iter()
        .find(|(id, _)| *id == c)
        .map(|(_, zh)| *zh)
        .unwrap_or("其他")
}

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

/// Inserts `bad` rows into `rows` at spread-out positions and records each
/// as expected in `file`, whose first data row is `first_row`.
fn plant(
    mut rows: Rows,
    bad: &[(Vec<String>, &'static str)],
    file: &'static str,
    first_row: u64,
    expect: &mut Vec<Expect>,
) -> Rows {
    let mut at: Vec<usize> = Vec::new();
    let n = bad.len();
    for (k, (b, _)) in bad.iter().enumerate() {
        let pos = (rows.len() * (k + 1)) / (n + 1);
        rows.insert(pos, b.clone());
        for a in at.iter_mut() {
            if *a >= pos {
                *a += 1;
            }
        }
        at.push(pos);
    }
    for ((r, rule), i) in bad.iter().zip(&at) {
        expect.push(Expect {
            file,
            row: *i as u64 + first_row,
            rule,
            key: r[0].clone(),
        });
    }
    rows
}

pub(super) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> GenerateError + '_ {
    move |source| GenerateError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn csv_bytes(header: &[&str], rows: &Rows) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .flexible(true)
        .from_writer(Vec::new());
    w.write_record(header).expect("in-memory write");
    for r in rows {
        w.write_record(r).expect("in-memory write");
    }
    w.into_inner().expect("in-memory write")
}

/// Writes the messy variant of a small sample (two communities per sample
/// county, two years) to `out`.
pub fn generate_messy(spec: &Spec, out: &Path) -> Result<(), GenerateError> {
    fs::create_dir_all(out).map_err(io(out))?;
    let small = Spec {
        communities: Some(12),
        first_year: 2022,
        last_year: 2023,
        ..spec.clone()
    };
    let (nodes, units) = build_tree(&small)?;
    let (mut ages, mut disputes, mut usage) = (Rows::new(), Rows::new(), Rows::new());
    for u in &units {
        for y in 2022..=2023 {
            unit_year(&small, u, y, &mut ages, &mut disputes, &mut usage);
        }
    }
    let mut expect: Vec<Expect> = Vec::new();
    let first = units[0].code.clone();
    let last = units[units.len() - 1].code.clone();

    // regions.csv: UTF-8 with BOM, Chinese headers and words.
    let regions: Rows = region_rows(&nodes)
        .into_iter()
        .map(|mut r| {
            r[2] = level_zh(&r[2]).into();
            r[4] = model_zh(&r[4]).into();
            r
        })
        .collect();
    let dup = regions.iter().find(|r| r[0] == first).unwrap().clone();
    let street = &first[..9];
    let (bad_code, c999, c998, c997) = (
        format!("{street}00A"),
        format!("{street}999"),
        format!("{street}998"),
        format!("{street}997"),
    );
    let bad_regions = [
        (
            s(&[
                &bad_code,
                "坏代码社区",
                "社区/村",
                street,
                "",
                "",
                "1200",
                "460",
            ]),
            "E_CODE",
        ),
        (
            s(&[&c999, "", "社区/村", street, "", "", "1200", "460"]),
            "E_REQUIRED",
        ),
        (dup, "E_DUPLICATE"),
        (
            s(&[
                "110117998001",
                "无上级社区",
                "社区/村",
                "110117998",
                "",
                "",
                "900",
                "350",
            ]),
            "E_CODE",
        ),
        (
            s(&[
                &c998,
                "年份错社区",
                "社区/村",
                street,
                "下沉型",
                "1900",
                "900",
                "350",
            ]),
            "E_RANGE",
        ),
        (
            s(&[
                &c997,
                "人口错社区",
                "社区/村",
                street,
                "",
                "",
                "约3000",
                "350",
            ]),
            "E_PARSE",
        ),
        (
            s(&[
                "110117996",
                "循环街道甲",
                "街道/乡镇",
                "110117997",
                "",
                "",
                "",
                "",
            ]),
            "E_CODE",
        ),
        (
            s(&[
                "110117997",
                "循环街道乙",
                "街道/乡镇",
                "110117996",
                "",
                "",
                "",
                "",
            ]),
            "E_CODE",
        ),
    ];
    let rows = plant(regions, &bad_regions, "regions.csv", 2, &mut expect);
    let header = [
        "区划代码",
        "名称",
        "层级",
        "上级代码",
        "治理模式",
        "采用年份",
        "常住人口",
        "户数",
    ];
    let mut bytes = "\u{feff}".as_bytes().to_vec();
    bytes.extend(csv_bytes(&header, &rows));
    let p = out.join("regions.csv");
    fs::write(&p, bytes).map_err(io(&p))?;

    // member_ages.csv: GBK, Chinese headers, 2023年, 党员/社区干部, Chinese bands.
    // A W_TOTAL on the first unit's 2023 members (shares blanked there so the
    // typo shows as one finding), a W_SHARE on its 2022 cadres' first band.
    // The last unit's member ages go to a bulletin-wording file instead.
    let (bulletin_ages, ages): (Rows, Rows) = ages.into_iter().partition(|r| r[0] == last);
    let mut zh: Rows = Vec::new();
    for r in &ages {
        let mut r = r.clone();
        let is_first = r[0] == first;
        if is_first && r[1] == "2023" && r[2] == "member" {
            if r[3] == "total" {
                let t: i64 = r[4].parse().unwrap();
                r[4] = (t + 3).to_string();
            }
            r[5] = String::new();
        }
        if is_first && r[1] == "2022" && r[2] == "cadre" && r[3] == "<30" {
            let v: f64 = r[5].parse().unwrap();
            r[5] = format!("{:.2}", v + 5.0);
        }
        r[1] = format!("{}年", r[1]);
        r[2] = if r[2] == "member" {
            "党员"
        } else {
            "社区干部"
        }
        .into();
        r[3] = band_zh(&r[3]).into();
        zh.push(r);
    }
    expect.push(Expect {
        file: "member_ages.csv",
        row: 0,
        rule: "W_TOTAL",
        key: format!("{first}|2023|member|total"),
    });
    expect.push(Expect {
        file: "member_ages.csv",
        row: 0,
        rule: "W_SHARE",
        key: format!("{first}|2022|cadre|0-29"),
    });
    let code2 = units[1].code.clone();
    let dup = zh[1].clone();
    let bad_ages = [
        (s(&[&code2, "2023年", "党员", "青年", "12", ""]), "E_BAND"),
        (
            s(&[&code2, "2023年", "党员", "40-49岁", "12", ""]),
            "E_BAND",
        ),
        (
            s(&[&code2, "2023年", "党员", "90岁以上", "-5", ""]),
            "E_RANGE",
        ),
        (
            s(&["110117999999", "2023年", "党员", "30岁以下", "12", ""]),
            "E_CODE",
        ),
        (dup, "E_DUPLICATE"),
        (
            s(&[&code2, "2023年", "社区干部", "90岁以上", "十二", ""]),
            "E_PARSE",
        ),
        (s(&[&code2, "", "党员", "90岁以上", "3", ""]), "E_REQUIRED"),
    ];
    let rows = plant(zh, &bad_ages, "member_ages.csv", 2, &mut expect);
    let text = String::from_utf8(csv_bytes(
        &["区划代码", "统计期", "身份", "年龄段", "人数", "占比"],
        &rows,
    ))
    .unwrap();
    let (gbk, _, unmappable) = encoding_rs::GB18030.encode(&text);
    assert!(!unmappable, "GB18030 maps every character");
    let p = out.join("member_ages.csv");
    fs::write(&p, &gbk).map_err(io(&p))?;

    write_bulletin_ages(out, &bulletin_ages, &mut expect)?;

    // disputes.xlsx: an office return (title, reporting unit, a two-row
    // merged header, a 合计 row, a note), numbers as numbers. The last
    // unit's disputes go to a year-to-date (累计) file instead.
    let (ytd, disputes): (Rows, Rows) = disputes.into_iter().partition(|r| r[0] == last);
    write_disputes_ytd(out, &ytd, &mut expect)?;
    let dup = disputes[2].clone();
    let bad_disputes = [
        (
            s(&[&code2, "2023", "other", "10", "12", "0", "5.0"]),
            "E_ORDER",
        ),
        (
            s(&[&code2, "2023", "other2", "10", "5", "11", "5.0"]),
            "E_ORDER",
        ),
        (
            s(&[&code2, "2023", "other3", "-1", "0", "0", "5.0"]),
            "E_RANGE",
        ),
        (
            s(&[&code2, "2023", "other4", "12件", "3", "0", "5.0"]),
            "E_PARSE",
        ),
        (dup, "E_DUPLICATE"),
        (
            s(&["12345", "2023", "family", "3", "3", "0", "5.0"]),
            "E_CODE",
        ),
    ];
    let rows = plant(disputes, &bad_disputes, "disputes.xlsx", 5, &mut expect);
    write_disputes_xlsx(&out.join("disputes.xlsx"), &rows)?;

    // service_usage.csv: UTF-8, Chinese centre names; the last unit's 2022
    // rows are left out (a W_COVERAGE hole).
    let usage: Rows = usage
        .into_iter()
        .filter(|r| !(r[0] == last && r[1] == "2022"))
        .map(|mut r| {
            r[2] = center_zh(&r[2]).into();
            r
        })
        .collect();
    expect.push(Expect {
        file: "service_usage.csv",
        row: 0,
        rule: "W_COVERAGE",
        key: format!("{last}|2022"),
    });
    let bad_usage = [
        (
            s(&[&code2, "2023", "其他", "100", "40", "120", "3"]),
            "E_RANGE",
        ),
        (
            s(&[&code2, "2023", "党群服务中心", "", "40", "90", "3"]),
            "E_REQUIRED",
        ),
    ];
    let rows = plant(usage, &bad_usage, "service_usage.csv", 2, &mut expect);
    let p = out.join("service_usage.csv");
    let bytes = csv_bytes(
        &[
            "区划代码",
            "时期",
            "服务中心",
            "服务人次",
            "服务件数",
            "满意度",
            "工作人员数",
        ],
        &rows,
    );
    fs::write(&p, bytes).map_err(io(&p))?;

    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    w.write_record(["file", "row", "rule", "key"]).unwrap();
    for e in &expect {
        w.write_record([e.file, &e.row.to_string(), e.rule, &e.key])
            .unwrap();
    }
    let p = out.join("_expected.csv");
    fs::write(&p, w.into_inner().unwrap()).map_err(io(&p))?;
    let json = serde_json::to_string_pretty(&provenance(&small, units.len())).unwrap() + "\n";
    let p = out.join("_generated.json");
    fs::write(&p, json).map_err(io(&p))?;
    // A district office's collection round on the same sample's streets.
    super::round::write(&spec.tree, &out.join("round-2024"))
}

/// The member ages of one community as a bulletin prints them
/// (`member_ages_bulletin.csv`): a title, stocks as at a day (`截至2022年底`,
/// `2023年12月31日`), bands naming their population (`30岁以下的党员`,
/// `45岁至59岁的干部` — the role column is gone), units in the headers
/// (`人数(人)`), and each group's total in a column (`总人数(人)`) instead of a
/// 合计 row. The same figures as the rest of the sample; planted: a mid-year
/// stock of 2023 (`2023年6月30日`), which the year-end one replaces
/// (E_DUPLICATE, one per band).
fn write_bulletin_ages(
    out: &Path,
    rows: &Rows,
    expect: &mut Vec<Expect>,
) -> Result<(), GenerateError> {
    const FILE: &str = "member_ages_bulletin.csv";
    let band = |role: &str, b: &str| -> &'static str {
        match (role, b) {
            ("member", "<30") => "30岁以下的党员",
            ("member", "30-44") => "30至44岁党员",
            ("member", "45-59") => "45岁至59岁的党员",
            ("member", _) => "60岁及以上党员",
            ("cadre", "<30") => "30岁以下的社区干部",
            ("cadre", "30-44") => "30至44岁的干部",
            ("cadre", "45-59") => "45岁至59岁的干部",
            _ => "60岁及以上的干部",
        }
    };
    let day = |year: &str| match year {
        "2022" => "截至2022年底".to_string(),
        y => format!("{y}年12月31日"),
    };
    let total_of = |r: &Vec<String>| -> String {
        rows.iter()
            .find(|t| t[1] == r[1] && t[2] == r[2] && t[3] == "total")
            .map(|t| t[4].clone())
            .unwrap_or_default()
    };
    let mut body: Rows = Vec::new();
    for r in rows.iter().filter(|r| r[3] != "total") {
        if r[1] == "2023" && r[2] == "member" && r[3] == "<30" {
            // The mid-year stock, printed before the year-end one.
            for m in rows
                .iter()
                .filter(|m| m[1] == "2023" && m[2] == "member" && m[3] != "total")
            {
                let c: i64 = m[4].parse().unwrap();
                expect.push(Expect {
                    file: FILE,
                    row: body.len() as u64 + 3,
                    rule: "E_DUPLICATE",
                    key: m[0].clone(),
                });
                body.push(s(&[
                    &m[0],
                    "2023年6月30日",
                    band("member", &m[3]),
                    &(c - 1).max(0).to_string(),
                    "",
                    "",
                ]));
            }
        }
        body.push(s(&[
            &r[0],
            &day(&r[1]),
            band(&r[2], &r[3]),
            &r[4],
            &r[5],
            &total_of(r),
        ]));
    }
    let mut bytes = "党员和社区干部年龄结构（模拟数据，按年报口径）\n"
        .as_bytes()
        .to_vec();
    bytes.extend(csv_bytes(
        &[
            "区划代码",
            "统计期",
            "年龄段",
            "人数(人)",
            "占比(%)",
            "总人数(人)",
        ],
        &body,
    ));
    let p = out.join(FILE);
    fs::write(&p, bytes).map_err(io(&p))
}

/// The disputes of one community as a year-to-date (累计) return
/// (`disputes_ytd.csv`): per year and dispute type the figures through June
/// (half of each count) and through December (the year's), which ingest
/// differences into the two halves — so the year adds up to the rest of the
/// sample's. Planted: a stray figure through April (a gap: E_PARSE) and one
/// through September below June's (E_RANGE); neither changes what is stored.
fn write_disputes_ytd(
    out: &Path,
    rows: &Rows,
    expect: &mut Vec<Expect>,
) -> Result<(), GenerateError> {
    const FILE: &str = "disputes_ytd.csv";
    // A type's figure through a month: each count divided by `part` (the
    // year's in `rows`: 1; about half of it through June: 2).
    let figure = |r: &Vec<String>, through: &str, part: i64| -> Vec<String> {
        let count = |v: &str| {
            v.parse::<i64>()
                .map(|x| (x / part).to_string())
                .unwrap_or_default()
        };
        let (a, b, c) = (count(&r[3]), count(&r[4]), count(&r[5]));
        s(&[&r[0], through, &r[2], &a, &b, &c, &r[6]])
    };
    let mut body: Rows = Vec::new();
    let mut plant = |body: &mut Rows, row: Vec<String>, rule: &'static str| {
        expect.push(Expect {
            file: FILE,
            row: body.len() as u64 + 2,
            rule,
            key: row[0].clone(),
        });
        body.push(row);
    };
    for year in ["2022", "2023"] {
        let of_year: Vec<&Vec<String>> = rows.iter().filter(|r| r[1] == year).collect();
        if year == "2022" {
            if let Some(r) = of_year.first() {
                plant(&mut body, figure(r, "2022年1-4月累计", 3), "E_PARSE");
            }
        }
        for r in &of_year {
            body.push(figure(r, &format!("{year}年1-6月累计"), 2));
        }
        if year == "2023" {
            if let Some(r) = of_year.first() {
                // Through September, yet below June's received.
                let below = r[3].parse::<i64>().unwrap_or(0) / 2 - 1;
                let row = s(&[
                    &r[0],
                    "2023年1-9月累计",
                    &r[2],
                    &below.to_string(),
                    "0",
                    "0",
                    &r[6],
                ]);
                plant(&mut body, row, "E_RANGE");
            }
        }
        for r in &of_year {
            body.push(figure(r, &format!("{year}年1-12月累计"), 1));
        }
    }
    let bytes = csv_bytes(
        &[
            "区划代码",
            "统计期",
            "纠纷类型",
            "受理数(件)",
            "调解成功数(件)",
            "升级数(件)",
            "平均办结天数",
        ],
        &body,
    );
    let p = out.join(FILE);
    fs::write(&p, bytes).map_err(io(&p))
}

fn write_disputes_xlsx(path: &Path, rows: &Rows) -> Result<(), GenerateError> {
    let xe =
        |e: rust_xlsxwriter::XlsxError| GenerateError::Xlsx(format!("{}: {e}", path.display()));
    let mut wb = Workbook::new();
    // A fixed creation time keeps the file byte-identical for a seed.
    let props = DocProperties::new()
        .set_creation_datetime(&ExcelDateTime::from_ymd(2026, 1, 1).map_err(xe)?);
    wb.set_properties(&props);
    let ws = wb.add_worksheet();
    ws.set_name("人民调解").map_err(xe)?;
    // An office return (统计表) as a clerk makes it: a merged title, the
    // reporting unit, a two-row header with merged cells, the rows, a 合计
    // row (which adds up) and a note under the table.
    let f = rust_xlsxwriter::Format::new();
    ws.merge_range(0, 0, 0, 6, "2022—2023年人民调解情况统计表（模拟数据）", &f)
        .map_err(xe)?;
    ws.write_string(1, 0, "填报单位：平谷区司法局（模拟）")
        .map_err(xe)?;
    for (c, h) in [
        (0, "区划代码"),
        (1, "时期"),
        (2, "纠纷类型"),
        (6, "平均办结天数"),
    ] {
        ws.merge_range(2, c, 3, c, h, &f).map_err(xe)?;
    }
    ws.merge_range(2, 3, 2, 5, "矛盾纠纷调处（件）", &f)
        .map_err(xe)?;
    for (c, h) in [(3, "受理数"), (4, "调解成功数"), (5, "升级数")] {
        ws.write_string(3, c, h).map_err(xe)?;
    }
    let mut sums = [0.0; 3];
    for (i, r) in rows.iter().enumerate() {
        let row = i as u32 + 4;
        for (c, v) in r.iter().enumerate() {
            // Codes and periods stay text; counts go in as numbers when they are.
            match v.parse::<f64>() {
                Ok(x) if c >= 3 => {
                    if c <= 5 {
                        sums[c - 3] += x;
                    }
                    ws.write_number(row, c as u16, x).map_err(xe)?
                }
                _ => ws.write_string(row, c as u16, v).map_err(xe)?,
            };
        }
    }
    let total = rows.len() as u32 + 4;
    ws.merge_range(total, 0, total, 2, "合计", &f).map_err(xe)?;
    for (k, v) in sums.iter().enumerate() {
        ws.write_number(total, 3 + k as u16, *v).map_err(xe)?;
    }
    ws.write_string(total + 1, 0, "注：模拟数据，数字不代表任何真实地区。")
        .map_err(xe)?;
    wb.save(path).map_err(xe)
}
