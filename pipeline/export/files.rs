//! The export folder's files: each dataset in the asked formats, the
//! codebook (Markdown and Excel), the Frictionless Data Package, the
//! HonestDiD files and the folder's manifest — staged beside
//! `<run>/export/` and published whole.

use std::path::Path;

use polars::prelude::*;
use rust_xlsxwriter::Workbook;

use super::columns::{describe_in, value_labels};
use super::dataset::{Dataset, Values};
use super::{honest, ExportError, Format, Options, Summary};
use crate::config::Lang;
// A codebook cell is text, never markup: the notebook's Markdown escaping.
use crate::render::notebook::md_escape as md;
use crate::warehouse::{self, Staging};

fn werr(path: &Path) -> impl Fn(String) -> ExportError + '_ {
    move |message| ExportError::Write {
        path: path.display().to_string(),
        message,
    }
}

/// Writes every file into a staging folder and publishes it as
/// `<dir>/export/`.
pub(super) fn write(
    dir: &Path,
    manifest: &serde_json::Value,
    datasets: &[Dataset],
    plan: &super::replicate::Plan,
    (journal, date): (&super::journal::Tables, &str),
    opts: &Options,
    notes: Vec<String>,
) -> Result<Summary, ExportError> {
    let target = dir.join("export");
    let staging = Staging::new(&target)?;
    let out = staging.dir.clone();
    let run_id = manifest["run_id"].as_str().unwrap_or_default();
    let epoch = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.parse::<i64>().ok())
        .unwrap_or(0);
    let mut files: Vec<String> = Vec::new();
    let mut put = |name: &str, bytes: &[u8]| -> Result<(), ExportError> {
        let path = out.join(name);
        if let Some(p) = path.parent() {
            std::fs::create_dir_all(p).map_err(|e| werr(&path)(e.to_string()))?;
        }
        warehouse::write_bytes(&path, bytes)?;
        files.push(name.to_string());
        Ok(())
    };
    let mut formats = opts.formats.clone();
    if !formats.contains(&Format::Csv) {
        formats.push(Format::Csv);
    }
    for d in datasets {
        for f in &formats {
            let name = format!("{}.{}", d.table, f.name());
            let bytes = match f {
                Format::Dta => super::stata::dta(d)?,
                Format::Sav => super::spss::sav(d, epoch)?,
                Format::Csv => csv(d).into_bytes(),
                Format::Parquet => parquet(d, run_id).map_err(werr(&out.join(&name)))?,
            };
            put(&name, &bytes)?;
        }
    }
    let csv_bytes: Vec<(String, usize)> = datasets
        .iter()
        .map(|d| (d.table.clone(), csv(d).len()))
        .collect();
    put(
        "codebook.md",
        codebook_md(datasets, manifest, opts.lang).as_bytes(),
    )?;
    put(
        "codebook.xlsx",
        &codebook_xlsx(datasets, manifest, opts.lang)
            .map_err(|e| werr(&out.join("codebook.xlsx"))(e.to_string()))?,
    )?;
    let package = datapackage(datasets, manifest, opts.lang, &csv_bytes);
    put(
        "datapackage.json",
        (serde_json::to_string_pretty(&package).expect("json") + "\n").as_bytes(),
    )?;
    put(
        "tables.docx",
        &super::journal::docx::write(journal, date)
            .map_err(|e| werr(&out.join("tables.docx"))(e.to_string()))?,
    )?;
    put("tables.tex", super::journal::tex::write(journal).as_bytes())?;
    put("replicate.R", super::replicate::r_script(plan).as_bytes())?;
    put(
        "replicate.do",
        super::replicate::stata_script(plan).as_bytes(),
    )?;
    let studies = honest::read(dir)?;
    if !studies.is_empty() {
        for m in studies.iter().filter(|m| !m.study.singular()) {
            put(
                &format!("honestdid/{}.csv", m.stem),
                honest::beta_csv(&m.study).as_bytes(),
            )?;
            put(
                &format!("honestdid/{}_vcov.csv", m.stem),
                honest::vcov_csv(&m.study).as_bytes(),
            )?;
        }
        put(
            "honestdid/honestdid.json",
            (serde_json::to_string_pretty(&honest::json(&studies, run_id)).expect("json") + "\n")
                .as_bytes(),
        )?;
        put(
            "honestdid/honestdid.R",
            honest::r_script(&studies).as_bytes(),
        )?;
        put(
            "honestdid/honestdid.do",
            honest::stata_script(&studies).as_bytes(),
        )?;
    }
    let hashes: Vec<serde_json::Value> = files
        .iter()
        .map(|f| {
            let bytes = std::fs::read(out.join(f)).unwrap_or_default();
            serde_json::json!({"path": f, "bytes": bytes.len(), "blake3": blake3::hash(&bytes).to_hex().to_string()})
        })
        .collect();
    let own = serde_json::json!({
        "key": super::key(run_id, opts),
        "run_id": run_id,
        "simulated": manifest["simulated"],
        "lang": match opts.lang { Lang::Zh => "zh", Lang::En => "en" },
        "formats": formats.iter().map(|f| f.name()).collect::<Vec<_>>(),
        "tables": datasets.iter().map(|d| serde_json::json!({"table": d.table, "rows": d.rows, "variables": d.variables.len()})).collect::<Vec<_>>(),
        "files": hashes,
        "notes": notes,
    });
    warehouse::write_text(
        &out.join("manifest.json"),
        &(serde_json::to_string_pretty(&own).expect("json") + "\n"),
    )?;
    files.push("manifest.json".into());
    staging.publish()?;
    Ok(Summary {
        dir: target,
        tables: datasets
            .iter()
            .map(|d| (d.table.clone(), d.rows, d.variables.len()))
            .collect(),
        files,
        notes,
    })
}

/// The shortest text that reads back as the same number ("" missing).
fn number(x: Option<f64>) -> String {
    match x {
        Some(f) if f.is_finite() => format!("{f:?}").trim_end_matches(".0").to_string(),
        _ => String::new(),
    }
}

/// The dataset as RFC 4180 CSV, UTF-8, its legal names as the header and
/// codes for coded columns; a text a spreadsheet would run as a formula
/// gets a leading `'` (as every CSV govlens writes).
pub(super) fn csv(d: &Dataset) -> String {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let _ = w.write_record(d.variables.iter().map(|v| v.name.as_str()));
    for r in 0..d.rows {
        let row: Vec<String> = d
            .variables
            .iter()
            .map(|v| match &v.values {
                Values::Text(t) => warehouse::csv_text(t[r].as_deref().unwrap_or("")).into_owned(),
                Values::Number(x) => number(x[r]),
                Values::Integer(x) | Values::Coded(x) => {
                    x[r].map(|n| n.to_string()).unwrap_or_default()
                }
            })
            .collect();
        let _ = w.write_record(&row);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// The dataset as Parquet: legal names, codes, the run id in its metadata.
fn parquet(d: &Dataset, run_id: &str) -> Result<Vec<u8>, String> {
    let columns: Vec<Column> = d
        .variables
        .iter()
        .map(|v| {
            let name = v.name.as_str().into();
            match &v.values {
                Values::Text(t) => Column::new(name, t.clone()),
                Values::Number(x) => Column::new(
                    name,
                    x.iter()
                        .map(|v| v.filter(|f| f.is_finite()))
                        .collect::<Vec<_>>(),
                ),
                Values::Integer(x) | Values::Coded(x) => Column::new(name, x.clone()),
            }
        })
        .collect();
    let mut df = DataFrame::new(d.rows, columns).map_err(|e| e.to_string())?;
    warehouse::frame_bytes(&mut df, &[("govlens_run_id".into(), run_id.into())])
        .map_err(|e| e.to_string())
}

/// What a variable's type is, as the codebook says it.
fn kind(v: &super::dataset::Variable, lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    match (&v.values, zh) {
        (Values::Text(_), true) => format!("文本 str{}", v.values.text_width()),
        (Values::Text(_), false) => format!("text str{}", v.values.text_width()),
        (Values::Number(_), true) => "数值 double".into(),
        (Values::Number(_), false) => "number double".into(),
        (Values::Integer(_), true) => "整数 long".into(),
        (Values::Integer(_), false) => "integer long".into(),
        (Values::Coded(_), true) => format!(
            "编码 long，取值标签 {}",
            v.value_labels.as_deref().unwrap_or("")
        ),
        (Values::Coded(_), false) => format!(
            "code long, value labels {}",
            v.value_labels.as_deref().unwrap_or("")
        ),
    }
}

/// A variable's values in a few words: its codes' labels, or its range.
fn values_text(d: &Dataset, v: &super::dataset::Variable) -> String {
    match &v.values {
        Values::Coded(_) => d
            .sets
            .iter()
            .find(|s| Some(&s.name) == v.value_labels.as_ref())
            .map(|s| {
                s.entries
                    .iter()
                    .map(|(c, l)| format!("{c}={l}"))
                    .collect::<Vec<_>>()
                    .join("; ")
            })
            .unwrap_or_default(),
        Values::Number(x) => range(x.iter().flatten().copied().filter(|f| f.is_finite())),
        Values::Integer(x) => range(x.iter().flatten().map(|n| f64::from(*n))),
        Values::Text(_) => String::new(),
    }
}

fn range(xs: impl Iterator<Item = f64>) -> String {
    let (lo, hi) = xs.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
        (a.min(x), b.max(x))
    });
    if lo > hi {
        return String::new();
    }
    let f = |x: f64| {
        let s = format!("{:.4}", x);
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    };
    format!("{} – {}", f(lo), f(hi))
}

/// The codebook as Markdown.
fn codebook_md(datasets: &[Dataset], manifest: &serde_json::Value, lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    let run_id = manifest["run_id"].as_str().unwrap_or_default();
    let mut s = String::new();
    if zh {
        s.push_str(&format!(
            "# 数据说明（codebook）：govlens 运行 {run_id}\n\n"
        ));
        if manifest["simulated"].as_bool() == Some(true) {
            s.push_str("> 本数据为模拟数据，数字不代表任何真实地区。\n\n");
        }
        s.push_str("**分析用数据，不得对外转发**：人数、年龄占比等可据以推算出区县报告中因少于 5 人而隐去的单元格。需要转发的，请用区县报告。\n\n");
        s.push_str("每张表有 `.dta`（Stata 14 及以上，UTF-8）、`.sav`（SPSS）、`.parquet` 与 `.csv` 四种格式，变量名、取值与编码相同。变量名由原列名按同一规则转换（docs/export.md「变量名」），下表给出两者。缺失值：Stata 为 `.`，SPSS 为系统缺失，CSV 为空。编码变量（治理模式等）存整数编码，取值标签见表末。\n\n");
    } else {
        s.push_str(&format!("# Codebook: govlens run {run_id}\n\n"));
        if manifest["simulated"].as_bool() == Some(true) {
            s.push_str("> Simulated data: its numbers describe no real place.\n\n");
        }
        s.push_str("**Analysts' data, not for forwarding**: its headcounts and age shares let the cells the district report withholds (below 5 persons) be worked out. Forward the district report instead.\n\n");
        s.push_str("Each table is in `.dta` (Stata 14 and later, UTF-8), `.sav` (SPSS), `.parquet` and `.csv`, with the same names, values and codes. Variable names come from the column names by one rule (docs/export.md, \"Names\"); both are listed. Missing values: `.` in Stata, system-missing in SPSS, empty in CSV. Coded variables (the model and others) hold whole-number codes; their value labels close this codebook.\n\n");
    }
    for d in datasets {
        s.push_str(&format!(
            "## {} — {}\n\n{}\n\n",
            d.table,
            md(d.label.split(" (govlens").next().unwrap_or(&d.label)),
            if zh {
                format!("{} 行，{} 个变量。", d.rows, d.variables.len())
            } else {
                format!("{} rows, {} variables.", d.rows, d.variables.len())
            }
        ));
        s.push_str(if zh {
            "| 变量 | 原列名 | 标签 | 英文标签 | 类型 | 单位 | 定义 | 取值 | 缺失占比 |\n|---|---|---|---|---|---|---|---|---|\n"
        } else {
            "| variable | column | label (zh) | label (en) | type | unit | definition | values | missing |\n|---|---|---|---|---|---|---|---|---|\n"
        });
        for v in &d.variables {
            let desc = describe_in(&d.table, &v.column);
            let (unit, def) = if zh {
                (&desc.unit_zh, &desc.definition_zh)
            } else {
                (&desc.unit_en, &desc.definition_en)
            };
            s.push_str(&format!(
                "| `{}` | {} | {} | {} | {} | {} | {} | {} | {:.1}% |\n",
                v.name,
                md(&v.column),
                md(&desc.label_zh),
                md(&desc.label_en),
                kind(v, lang),
                md(unit),
                md(def),
                md(&values_text(d, v)),
                100.0 * v.values.missing_share()
            ));
        }
        s.push('\n');
    }
    s.push_str(if zh {
        "## 取值标签\n\n"
    } else {
        "## Value labels\n\n"
    });
    for set in sets_used(datasets) {
        s.push_str(&format!("- `{set}`: "));
        let items: Vec<String> = value_labels(&set)
            .into_iter()
            .map(|(c, v, lzh, len)| format!("{c} = {lzh} / {len} (`{v}`)"))
            .collect();
        if items.is_empty() {
            s.push_str(if zh {
                "0 = 否, 1 = 是"
            } else {
                "0 = no, 1 = yes"
            });
        } else {
            s.push_str(&items.join("; "));
        }
        s.push('\n');
    }
    s
}

/// The value-label sets the datasets use, sorted.
fn sets_used(datasets: &[Dataset]) -> Vec<String> {
    let mut v: Vec<String> = datasets
        .iter()
        .flat_map(|d| d.sets.iter().map(|s| s.name.clone()))
        .collect();
    v.sort();
    v.dedup();
    v
}

/// The codebook as a workbook: 说明, 变量 (every table's variables), 取值标签.
fn codebook_xlsx(
    datasets: &[Dataset],
    manifest: &serde_json::Value,
    lang: Lang,
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use crate::render::xlsx::{cjk, print_setup};
    let zh = lang == Lang::Zh;
    let mut wb = Workbook::new();
    // A fixed creation time: the same run gives the same bytes.
    let epoch = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.parse::<i64>().ok())
        .unwrap_or(0);
    wb.set_properties(
        &rust_xlsxwriter::DocProperties::new()
            .set_title("codebook")
            .set_creation_datetime(&rust_xlsxwriter::ExcelDateTime::from_timestamp(epoch)?),
    );
    let bold = cjk().set_bold();
    let header = cjk()
        .set_bold()
        .set_background_color(rust_xlsxwriter::Color::RGB(0xF1F3F5))
        .set_border(rust_xlsxwriter::FormatBorder::Thin)
        .set_text_wrap();
    let wrap = cjk()
        .set_text_wrap()
        .set_align(rust_xlsxwriter::FormatAlign::Top);
    let pct = cjk()
        .set_num_format("0.0%")
        .set_align(rust_xlsxwriter::FormatAlign::Top);
    let run_id = manifest["run_id"].as_str().unwrap_or_default();

    let ws = wb.add_worksheet();
    ws.set_name(if zh { "说明" } else { "About" })?;
    ws.set_column_width(0, 110)?;
    print_setup(ws, None)?;
    let lines: Vec<String> = if zh {
        vec![
            format!("数据说明：govlens 运行 {run_id}"),
            if manifest["simulated"].as_bool() == Some(true) { "本数据为模拟数据，数字不代表任何真实地区。".into() } else { String::new() },
            "每张表有 .dta（Stata 14+）、.sav（SPSS）、.parquet 与 .csv 四种格式，变量名、取值与编码相同。".into(),
            "缺失值：Stata 为 .，SPSS 为系统缺失，CSV 为空。编码变量存整数，取值标签见「取值标签」表。".into(),
            "分析用数据，不得对外转发：人数、年龄占比等可据以推算出区县报告中因少于 5 人而隐去的单元格。".into(),
            "变量名由原列名按同一规则转换（docs/export.md）；「变量」表列出两者。".into(),
        ]
    } else {
        vec![
            format!("Codebook: govlens run {run_id}"),
            if manifest["simulated"].as_bool() == Some(true) { "Simulated data: its numbers describe no real place.".into() } else { String::new() },
            "Each table is in .dta (Stata 14+), .sav (SPSS), .parquet and .csv with the same names, values and codes.".into(),
            "Missing: . in Stata, system-missing in SPSS, empty in CSV. Coded variables hold whole numbers; see the value labels sheet.".into(),
            "Analysts' data, not for forwarding: its headcounts and age shares let the withheld small cells of the district report be worked out.".into(),
            "Variable names come from column names by one rule (docs/export.md); the variables sheet lists both.".into(),
        ]
    };
    for (i, l) in lines.iter().filter(|l| !l.is_empty()).enumerate() {
        let f = if i == 0 { &bold } else { &wrap };
        ws.write_string_with_format(i as u32, 0, l, f)?;
    }

    let ws = wb.add_worksheet();
    ws.set_name(if zh { "变量" } else { "Variables" })?;
    print_setup(ws, Some(0))?;
    let heads: [&str; 10] = if zh {
        [
            "表",
            "变量",
            "原列名",
            "标签",
            "英文标签",
            "类型",
            "单位",
            "定义",
            "取值",
            "缺失占比",
        ]
    } else {
        [
            "table",
            "variable",
            "column",
            "label (zh)",
            "label (en)",
            "type",
            "unit",
            "definition",
            "values",
            "missing",
        ]
    };
    for (c, (h, w)) in heads
        .iter()
        .zip([14, 20, 20, 18, 22, 20, 10, 50, 36, 9])
        .enumerate()
    {
        ws.write_string_with_format(0, c as u16, *h, &header)?;
        ws.set_column_width(c as u16, w)?;
    }
    let mut r = 1u32;
    for d in datasets {
        for v in &d.variables {
            let desc = describe_in(&d.table, &v.column);
            let (unit, def) = if zh {
                (&desc.unit_zh, &desc.definition_zh)
            } else {
                (&desc.unit_en, &desc.definition_en)
            };
            let cells = [
                d.table.as_str(),
                &v.name,
                &v.column,
                &desc.label_zh,
                &desc.label_en,
                &kind(v, lang),
                unit,
                def,
                &values_text(d, v),
            ];
            for (c, t) in cells.iter().enumerate() {
                ws.write_string_with_format(r, c as u16, *t, &wrap)?;
            }
            ws.write_number_with_format(r, 9, v.values.missing_share(), &pct)?;
            let tall = [
                def.chars().count() / 24,
                values_text(d, v).chars().count() / 30,
            ]
            .into_iter()
            .max()
            .unwrap_or(0)
                + 1;
            ws.set_row_height(r, 15.0 * tall.min(8) as f64)?;
            r += 1;
        }
    }
    ws.set_freeze_panes(1, 0)?;
    ws.autofilter(0, 0, r.saturating_sub(1).max(1), 9)?;

    let ws = wb.add_worksheet();
    ws.set_name(if zh { "取值标签" } else { "Value labels" })?;
    print_setup(ws, Some(0))?;
    let heads = if zh {
        ["标签集", "编码", "取值", "中文标签", "英文标签"]
    } else {
        ["set", "code", "value", "label (zh)", "label (en)"]
    };
    for (c, (h, w)) in heads.iter().zip([14, 8, 18, 20, 28]).enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &header)?;
        ws.set_column_width(c as u16, w)?;
    }
    let mut r = 1u32;
    for set in sets_used(datasets) {
        let mut entries = value_labels(&set);
        if entries.is_empty() {
            entries = vec![
                (0, "false".into(), "否".into(), "no".into()),
                (1, "true".into(), "是".into(), "yes".into()),
            ];
        }
        for (code, v, lzh, len) in entries {
            ws.write_string_with_format(r, 0, &set, &cjk())?;
            ws.write_number_with_format(r, 1, f64::from(code), &cjk())?;
            ws.write_string_with_format(r, 2, &v, &cjk())?;
            ws.write_string_with_format(r, 3, &lzh, &cjk())?;
            ws.write_string_with_format(r, 4, &len, &cjk())?;
            r += 1;
        }
    }
    ws.set_freeze_panes(1, 0)?;
    wb.save_to_buffer()
}

/// A Frictionless Data Package (v1 tabular) describing the CSV files: their
/// fields with types, titles, descriptions and the codes a coded field may
/// hold, primary keys, the run's inputs as sources and its provenance.
fn datapackage(
    datasets: &[Dataset],
    manifest: &serde_json::Value,
    lang: Lang,
    csv_bytes: &[(String, usize)],
) -> serde_json::Value {
    let zh = lang == Lang::Zh;
    let run_id = manifest["run_id"].as_str().unwrap_or_default();
    let simulated = manifest["simulated"].as_bool() == Some(true);
    let resources: Vec<serde_json::Value> = datasets
        .iter()
        .map(|d| {
            let fields: Vec<serde_json::Value> = d
                .variables
                .iter()
                .map(|v| {
                    let desc = describe_in(&d.table, &v.column);
                    let def = if zh { &desc.definition_zh } else { &desc.definition_en };
                    let mut f = serde_json::json!({
                        "name": v.name,
                        "title": v.label,
                        "description": if v.column == v.name { def.clone() } else { format!("{def} ({})", v.column) },
                        "type": match v.values {
                            Values::Text(_) => "string",
                            Values::Number(_) => "number",
                            Values::Integer(_) | Values::Coded(_) => "integer",
                        },
                    });
                    if let (Values::Coded(_), Some(set)) = (&v.values, &v.value_labels) {
                        if let Some(s) = d.sets.iter().find(|s| &s.name == set) {
                            f["constraints"] = serde_json::json!({"enum": s.entries.iter().map(|e| e.0).collect::<Vec<_>>()});
                            f["description"] = serde_json::json!(format!(
                                "{}; {}",
                                f["description"].as_str().unwrap_or(""),
                                s.entries.iter().map(|(c, l)| format!("{c}={l}")).collect::<Vec<_>>().join(", ")
                            ));
                        }
                    }
                    f
                })
                .collect();
            let mut schema = serde_json::json!({"fields": fields, "missingValues": [""]});
            if let Some(key) = primary_key(&d.table) {
                if key.iter().all(|k| d.variables.iter().any(|v| v.name == *k)) {
                    schema["primaryKey"] = serde_json::json!(key);
                }
            }
            serde_json::json!({
                "name": d.table,
                "path": format!("{}.csv", d.table),
                "profile": "tabular-data-resource",
                "title": d.label,
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "bytes": csv_bytes.iter().find(|(t, _)| *t == d.table).map(|(_, b)| *b),
                "schema": schema,
            })
        })
        .collect();
    let sources: Vec<serde_json::Value> = manifest["input_hashes"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|p| {
                    let path = p.get(0)?.as_str()?;
                    let hash = p.get(1)?.as_str()?;
                    Some(serde_json::json!({"title": format!("{path} ({hash})")}))
                })
                .collect()
        })
        .unwrap_or_default();
    let license = if simulated {
        serde_json::json!({"name": "CC0-1.0", "title": "Simulated data, released to the public domain (CC0 1.0)", "path": "https://creativecommons.org/publicdomain/zero/1.0/"})
    } else {
        serde_json::json!({"name": "notspecified", "title": "Licence not specified: the data belong to the offices that supplied the returns; ask them before sharing"})
    };
    serde_json::json!({
        "profile": "tabular-data-package",
        "name": format!("govlens-{run_id}"),
        "title": if zh { format!("govlens 运行 {run_id} 的导出数据") } else { format!("Exported tables of govlens run {run_id}") },
        "description": if simulated { "Simulated data: its numbers describe no real place." } else { "" },
        "licenses": [license],
        "sources": sources,
        "resources": resources,
        "govlens": {
            "run_id": run_id,
            "govlens_version": manifest["govlens_version"],
            "warehouse_run_id": manifest["warehouse_run_id"],
            "seed": manifest["seed"],
            "simulated": simulated,
        },
    })
}

/// The columns that identify a row, by table.
fn primary_key(table: &str) -> Option<Vec<&'static str>> {
    match table {
        "units" => Some(vec!["region_code"]),
        "unit_metrics" | "index_scores" => Some(vec!["region_code", "period"]),
        "adoption_panel" => Some(vec!["region_code", "year"]),
        "qca_cases" => Some(vec!["case"]),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::dataset::Variable;
    use super::*;

    #[test]
    fn a_csv_cell_a_spreadsheet_would_run_is_text_and_numbers_read_back_exactly() {
        let d = Dataset {
            table: "t".into(),
            label: "t".into(),
            variables: vec![
                Variable {
                    name: "region_name".into(),
                    column: "region_name".into(),
                    label: "名称".into(),
                    values: Values::Text(vec![
                        Some("=HYPERLINK(\"x\")".into()),
                        Some("a,\"b\"".into()),
                    ]),
                    value_labels: None,
                },
                Variable {
                    name: "x".into(),
                    column: "x".into(),
                    label: "x".into(),
                    values: Values::Number(vec![Some(0.1 + 0.2), Some(f64::INFINITY)]),
                    value_labels: None,
                },
            ],
            sets: vec![],
            rows: 2,
        };
        let text = csv(&d);
        assert_eq!(
            text,
            "region_name,x\r\n\"'=HYPERLINK(\"\"x\"\")\",0.30000000000000004\r\n\"a,\"\"b\"\"\",\r\n"
        );
        assert_eq!(number(Some(2.0)), "2");
        assert_eq!(number(Some(1e-7)), "1e-7");
    }
}

#[cfg(test)]
mod md_tests {
    use super::md;

    #[test]
    fn a_name_in_the_codebook_is_text_not_markup() {
        assert_eq!(
            md("<img src=x onerror=alert(1)>|a*b_[c](d)\nx"),
            "&lt;img src=x onerror=alert(1)&gt;\\|a\\*b\\_\\[c\\](d) x"
        );
    }
}
