//! A [`Document`] as a Jupyter notebook (nbformat 4.5): the text as
//! markdown cells, each chart as a code cell with its PNG as output, each
//! table as an HTML output, and the document's own code cells (loading the
//! run's Parquet tables with polars and pandas) to go on from.

use base64::Engine;
use serde_json::{json, Value};
use std::path::Path;

use super::document::{Block, Document};
use super::html;
use super::labels::label;

/// Text as markdown text: HTML and markdown syntax escaped, so a region's
/// name never becomes a link, a heading or markup.
pub fn md_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '|' | '!' | '$' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn markdown(id: &str, text: &str) -> Value {
    json!({"cell_type": "markdown", "id": id, "metadata": {}, "source": text})
}

fn code(id: &str, source: &str, outputs: Vec<Value>) -> Value {
    json!({"cell_type": "code", "id": id, "metadata": {}, "execution_count": null, "source": source, "outputs": outputs})
}

/// The notebook JSON; `charts` holds the figures' PNGs, `charts_rel` is
/// the same folder as the notebook's code names it.
pub fn write(doc: &Document, charts: &Path, charts_rel: &str) -> std::io::Result<String> {
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut cells = Vec::new();
    let mut md = format!(
        "# {}\n\n{}\n\n",
        md_escape(&doc.title),
        md_escape(&doc.subtitle)
    );
    if let Some(b) = &doc.banner {
        md.push_str(&format!("**{}**\n\n", md_escape(b)));
    }
    let mut k = 0;
    let flush = |md: &mut String, cells: &mut Vec<Value>, k: &mut usize| {
        if !md.trim().is_empty() {
            cells.push(markdown(&format!("m{k}"), md.trim_end()));
            *k += 1;
        }
        md.clear();
    };
    let mut code_added = false;
    for (n, block) in doc.numbered() {
        match block {
            Block::Heading(t) => {
                md.push_str(&format!("## {}\n\n", md_escape(t)));
            }
            Block::Subheading(t) => md.push_str(&format!("### {}\n\n", md_escape(t))),
            Block::Paragraph(t) => md.push_str(&format!("{}\n\n", md_escape(t))),
            Block::Note(t) => md.push_str(&format!("*{}*\n\n", md_escape(t))),
            Block::Bullets(items) => {
                for i in items {
                    md.push_str(&format!("- {}\n", md_escape(i)));
                }
                md.push('\n');
            }
            Block::Cards(cards) => {
                for c in cards {
                    md.push_str(&format!(
                        "- **{}**: {}{}\n",
                        md_escape(&c.label),
                        md_escape(&c.value),
                        c.lines
                            .iter()
                            .map(|l| format!("（{}）", md_escape(l)))
                            .collect::<String>()
                    ));
                }
                md.push('\n');
                if !code_added {
                    flush(&mut md, &mut cells, &mut k);
                    for (i, c) in doc.notebook_code.iter().enumerate() {
                        cells.push(code(&format!("load{i}"), c, vec![]));
                    }
                    code_added = true;
                }
            }
            Block::Figure(f) => {
                flush(&mut md, &mut cells, &mut k);
                let png = std::fs::read(charts.join(format!("{}.png", f.chart)))?;
                let caption = doc.figure_caption(n.unwrap_or(0), &f.caption);
                cells.push(code(
                    &format!("f{k}"),
                    &format!(
                        "# {}\nfrom IPython.display import Image\nImage(filename='{charts_rel}/{}.png')",
                        caption.replace('\n', " "),
                        f.chart
                    ),
                    vec![json!({
                        "output_type": "display_data",
                        "metadata": {},
                        "data": {"image/png": b64.encode(&png), "text/plain": [caption]},
                    })],
                ));
                k += 1;
            }
            Block::Table(t) => {
                flush(&mut md, &mut cells, &mut k);
                let mut h = String::new();
                html::table(doc, n.unwrap_or(0), t, &mut h);
                cells.push(code(
                    &format!("t{k}"),
                    &format!(
                        "# {}",
                        doc.table_caption(n.unwrap_or(0), &t.caption)
                            .replace('\n', " ")
                    ),
                    vec![json!({
                        "output_type": "display_data",
                        "metadata": {},
                        "data": {"text/html": h, "text/plain": [format!("{} rows", t.rows.len())]},
                    })],
                ));
                k += 1;
            }
        }
    }
    if !code_added {
        flush(&mut md, &mut cells, &mut k);
        for (i, c) in doc.notebook_code.iter().enumerate() {
            cells.push(code(&format!("load{i}"), c, vec![]));
        }
    }
    md.push_str(&format!(
        "## {}\n\n",
        md_escape(label(doc.lang, "provenance"))
    ));
    for (key, v) in &doc.provenance {
        md.push_str(&format!(
            "- {}: `{}`\n",
            md_escape(key),
            v.replace('`', "'")
        ));
    }
    flush(&mut md, &mut cells, &mut k);
    let nb = json!({
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "language_info": {"name": "python"},
            "govlens": {"title": doc.title},
        },
        "cells": cells,
    });
    Ok(serde_json::to_string_pretty(&nb).expect("notebook serialises") + "\n")
}
