//! The run's report in two forms from one content model: `report.html` (one
//! self-contained file: inline SVG and CSS, no network, readable printed on
//! A4) and `report.ipynb` (nbformat 4: the summary, the charts as image
//! outputs, tables as HTML outputs, and code cells that load the run's
//! Parquet tables with polars and pandas).

use std::fmt::Write;
use std::path::Path;

use base64::Engine;
use polars::prelude::*;

use super::labels::{label, Lang};

/// A section: a chart, the table beside it, and what its numbers mean.
pub struct Section {
    pub title: String,
    pub chart: String,
    pub table: Option<DataFrame>,
    pub definition: String,
}

/// Everything both report forms show.
pub struct Content {
    pub title: String,
    pub simulated: bool,
    pub run_id: String,
    pub period: String,
    pub findings: Vec<String>,
    pub sections: Vec<Section>,
    pub quality: DataFrame,
    pub provenance: Vec<(String, String)>,
    pub config: String,
}

pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A frame as an HTML table (numbers to 4 significant decimals).
pub fn html_table(df: &DataFrame, max_rows: usize) -> String {
    let mut s = String::from("<table><thead><tr>");
    for name in df.get_column_names() {
        let _ = write!(s, "<th>{}</th>", escape(name));
    }
    s.push_str("</tr></thead><tbody>");
    for i in 0..df.height().min(max_rows) {
        s.push_str("<tr>");
        for c in df.columns() {
            let v = c.get(i).map(|v| match v {
                AnyValue::Null => String::new(),
                AnyValue::Float64(x) => format!("{x:.4}"),
                AnyValue::Float32(x) => format!("{x:.4}"),
                AnyValue::String(t) => t.to_string(),
                AnyValue::StringOwned(t) => t.to_string(),
                other => other.to_string(),
            });
            let _ = write!(s, "<td>{}</td>", escape(&v.unwrap_or_default()));
        }
        s.push_str("</tr>");
    }
    s.push_str("</tbody></table>");
    if df.height() > max_rows {
        let _ = write!(s, "<p class=\"note\">… {} rows in all</p>", df.height());
    }
    s
}

/// Inline SVG without its namespace attribute: HTML5 needs none, and the
/// report must not name any external address.
fn inline_svg(path: &Path) -> std::io::Result<String> {
    let svg = std::fs::read_to_string(path)?;
    let start = svg.find("<svg").unwrap_or(0);
    Ok(svg[start..].replace(" xmlns=\"http://www.w3.org/2000/svg\"", ""))
}

const CSS: &str = "body{font-family:'WenQuanYi Micro Hei','Noto Sans CJK SC','Source Han Sans SC','Microsoft YaHei','PingFang SC',sans-serif;max-width:1040px;margin:2em auto;padding:0 1em;color:#222;line-height:1.5}\
h1{font-size:1.6em}h2{border-bottom:2px solid #c0392b;padding-bottom:.2em;margin-top:2em}\
.banner{background:#fdecea;border:1px solid #c0392b;padding:.5em 1em;font-weight:bold}\
.findings li{margin:.3em 0}table{border-collapse:collapse;font-size:.85em;margin:1em 0}\
th,td{border:1px solid #ccc;padding:.2em .5em;text-align:right}th{background:#f4f4f4}\
td:first-child,th:first-child{text-align:left}svg{max-width:100%;height:auto}\
.definition{background:#f8f9fa;padding:.5em 1em;border-left:4px solid #2980b9}\
.note{color:#666;font-size:.85em}pre{white-space:pre-wrap;font-size:.8em;background:#f8f9fa;padding:1em}\
@media print{@page{size:A4;margin:15mm}body{max-width:none;margin:0}section{page-break-inside:avoid}h2{page-break-after:avoid}}";

pub fn html(c: &Content, charts: &Path, lang: Lang) -> std::io::Result<String> {
    let mut s = String::new();
    let html_lang = if lang == Lang::Zh { "zh-CN" } else { "en" };
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"{html_lang}\"><head><meta charset=\"utf-8\"><title>{}</title><style>{CSS}</style></head><body>",
        escape(&c.title)
    );
    let _ = write!(s, "<h1>{}</h1>", escape(&c.title));
    if c.simulated {
        let _ = write!(
            s,
            "<p class=\"banner\">{}</p>",
            escape(label(lang, "simulated_banner"))
        );
    }
    let _ = write!(
        s,
        "<p class=\"note\">run {} · {} {}</p>",
        escape(&c.run_id),
        escape(label(lang, "period")),
        escape(&c.period)
    );
    let _ = write!(
        s,
        "<h2>{}</h2><ul class=\"findings\">",
        escape(label(lang, "key_findings"))
    );
    for f in &c.findings {
        let _ = write!(s, "<li>{}</li>", escape(f));
    }
    s.push_str("</ul>");
    for sec in &c.sections {
        let _ = write!(s, "<section><h2>{}</h2>", escape(&sec.title));
        s.push_str(&inline_svg(&charts.join(format!("{}.svg", sec.chart)))?);
        if let Some(t) = &sec.table {
            s.push_str(&html_table(t, 40));
        }
        let _ = write!(
            s,
            "<p class=\"definition\">{}</p></section>",
            escape(&sec.definition)
        );
    }
    let _ = write!(
        s,
        "<section><h2>{}</h2>",
        escape(label(lang, "quality_title"))
    );
    s.push_str(&inline_svg(&charts.join("data_quality.svg"))?);
    s.push_str(&html_table(&c.quality, 100));
    s.push_str("</section>");
    let _ = write!(
        s,
        "<section><h2>{}</h2><table>",
        escape(label(lang, "provenance"))
    );
    for (k, v) in &c.provenance {
        let _ = write!(s, "<tr><th>{}</th><td>{}</td></tr>", escape(k), escape(v));
    }
    let _ = writeln!(
        s,
        "</table><pre>{}</pre></section></body></html>",
        escape(&c.config)
    );
    Ok(s)
}

fn md_cell(id: &str, text: &str) -> serde_json::Value {
    serde_json::json!({"cell_type": "markdown", "id": id, "metadata": {}, "source": text})
}

fn code_cell(id: &str, code: &str, outputs: Vec<serde_json::Value>) -> serde_json::Value {
    serde_json::json!({"cell_type": "code", "id": id, "metadata": {}, "execution_count": null, "source": code, "outputs": outputs})
}

/// nbformat 4.5 notebook JSON.
pub fn notebook(c: &Content, charts: &Path, lang: Lang) -> std::io::Result<String> {
    let mut cells = Vec::new();
    let mut summary = format!("# {}\n\n", c.title);
    if c.simulated {
        let _ = writeln!(summary, "**{}**\n", label(lang, "simulated_banner"));
    }
    let _ = writeln!(
        summary,
        "run `{}`, {} {}\n\n## {}\n",
        c.run_id,
        label(lang, "period"),
        c.period,
        label(lang, "key_findings")
    );
    for f in &c.findings {
        let _ = writeln!(summary, "- {f}");
    }
    cells.push(md_cell("summary", &summary));
    cells.push(code_cell(
        "load",
        "# The run's tables: go on from here.\nimport pathlib\nimport polars as pl\nimport pandas as pd\n\ntables = pathlib.Path('tables')\nunit_metrics = pl.read_parquet(tables / 'unit_metrics.parquet')\nmodel_summary = pd.read_parquet(tables / 'model_summary.parquet')\nindex_scores = pl.read_parquet(tables / 'index_scores.parquet')\nadoption_effects = pd.read_parquet(tables / 'adoption_effects.parquet')\nunit_metrics.head()",
        vec![],
    ));
    let b64 = base64::engine::general_purpose::STANDARD;
    for (k, sec) in c.sections.iter().enumerate() {
        cells.push(md_cell(
            &format!("s{k}"),
            &format!("## {}\n\n{}", sec.title, sec.definition),
        ));
        let png = std::fs::read(charts.join(format!("{}.png", sec.chart)))?;
        let mut outputs = vec![serde_json::json!({
            "output_type": "display_data",
            "metadata": {},
            "data": {"image/png": b64.encode(&png), "text/plain": [format!("<{}.png>", sec.chart)]},
        })];
        if let Some(t) = &sec.table {
            outputs.push(serde_json::json!({
                "output_type": "display_data",
                "metadata": {},
                "data": {"text/html": html_table(t, 40), "text/plain": [format!("{} rows", t.height())]},
            }));
        }
        let code = format!(
            "from IPython.display import Image\nImage(filename='charts/{}.png')",
            sec.chart
        );
        cells.push(code_cell(&format!("c{k}"), &code, outputs));
    }
    let nb = serde_json::json!({
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "language_info": {"name": "python"},
            "govlens": {"run_id": c.run_id, "simulated": c.simulated},
        },
        "cells": cells,
    });
    Ok(serde_json::to_string_pretty(&nb).expect("notebook serialises") + "\n")
}
