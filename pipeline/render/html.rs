//! A [`Document`] as one self-contained HTML file: inline SVG charts, inline
//! CSS, and the characters it uses of the report font embedded as a WOFF2
//! `@font-face` data URL, so the page shows its Chinese on a machine with no
//! CJK font and names no external address. Prints on A4.

use std::fmt::Write;
use std::path::Path;

use base64::Engine;

use super::document::{Block, Cell, Document, Table};
use super::font::{self, FontError};
use super::labels::{label, Lang};

/// Text as HTML text: never markup.
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// The family the embedded subset is declared under.
const FACE: &str = "govlens-report";

const CSS: &str = "body{font-family:'govlens-report','WenQuanYi Micro Hei','Noto Sans CJK SC','Source Han Sans SC','Microsoft YaHei','PingFang SC',sans-serif;max-width:1040px;margin:2em auto;padding:0 1em;color:#222;line-height:1.55}\
svg text{font-family:'govlens-report','WenQuanYi Micro Hei','Noto Sans CJK SC',sans-serif}\
h1{font-size:1.6em;margin-bottom:.2em}h2{border-bottom:2px solid #c0392b;padding-bottom:.2em;margin-top:2em}h3{margin-top:1.5em}\
.subtitle{color:#555;margin-top:0}.banner{background:#fdecea;border:1px solid #c0392b;padding:.5em 1em;font-weight:bold}\
ul.findings li{margin:.35em 0}\
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(230px,1fr));gap:.8em;margin:1em 0}\
.card{border:1px solid #ddd;border-top:4px solid #2980b9;border-radius:4px;padding:.6em .8em;background:#fafbfc}\
.card.alert{border-top-color:#c0392b}.card .label{color:#555;font-size:.9em}.card .value{font-size:1.7em;font-weight:bold;margin:.1em 0}\
.card.alert .value{color:#c0392b}.card .line{font-size:.85em;color:#444}\
table{border-collapse:collapse;font-size:.85em;margin:.4em 0 1em}caption{caption-side:top;text-align:left;font-weight:bold;padding:.3em 0}\
th,td{border:1px solid #ccc;padding:.25em .5em;text-align:left;vertical-align:top}th{background:#f1f3f5}\
td.num{text-align:right;white-space:nowrap}td.nw{white-space:nowrap}td.flag{background:#fdecea;color:#a93226;font-weight:bold}\
.code{color:#888;font-size:.8em;margin-left:.3em}\
figure{margin:1em 0}figcaption{font-size:.9em;color:#333;margin-top:.3em}svg{max-width:100%;height:auto}\
.note{color:#555;font-size:.85em;background:#f8f9fa;padding:.4em .8em;border-left:4px solid #2980b9}\
dl.defs dt{font-weight:bold;margin-top:.5em}dl.defs dd{margin-left:1.5em}\
pre{white-space:pre-wrap;font-size:.8em;background:#f8f9fa;padding:1em;font-family:ui-monospace,'DejaVu Sans Mono','govlens-report',monospace}\
@media print{@page{size:A4;margin:15mm}body{max-width:none;margin:0}figure,table,.cards{page-break-inside:avoid}h2,h3{page-break-after:avoid}}";

/// Inline SVG without its namespace attribute: HTML5 needs none, and the
/// report must not name any external address. Its ids (a map's region
/// codes, its patterns) take the chart's name in front, since several maps
/// of the same regions share the page and an id must be unique in it.
fn inline_svg(path: &Path, chart: &str) -> std::io::Result<String> {
    let svg = std::fs::read_to_string(path)?;
    let start = svg.find("<svg").unwrap_or(0);
    Ok(svg[start..]
        .replace(" xmlns=\"http://www.w3.org/2000/svg\"", "")
        .replace(" id=\"", &format!(" id=\"{chart}-"))
        .replace("url(#", &format!("url(#{chart}-")))
}

/// A table as HTML (also the notebook's table outputs).
pub fn table(doc: &Document, n: usize, t: &Table, s: &mut String) {
    let _ = write!(
        s,
        "<table><caption>{}</caption><thead><tr>",
        escape(&doc.table_caption(n, &t.caption))
    );
    for c in &t.columns {
        let _ = write!(s, "<th>{}</th>", escape(&c.heading(doc.lang)));
    }
    s.push_str("</tr></thead><tbody>");
    for row in t.rows.iter().take(t.shown) {
        s.push_str("<tr>");
        for (cell, col) in row.iter().zip(&t.columns) {
            let mut class = Vec::new();
            if col.kind.is_some() {
                class.push("num");
            }
            if cell.flagged(col.highlight) {
                class.push("flag");
            }
            // A short text (已报, 按时, 2 / 2) is not broken between its
            // characters.
            if let Cell::Text(t) = cell {
                let w = super::xlsx::display_width(t);
                if w > 0 && w <= 8 && col.kind.is_none() {
                    class.push("nw");
                }
            }
            let attr = if class.is_empty() {
                String::new()
            } else {
                format!(" class=\"{}\"", class.join(" "))
            };
            let inner = match cell {
                Cell::Named { name, code } => format!(
                    "{}<span class=\"code\">{}</span>",
                    escape(name),
                    escape(code)
                ),
                other => escape(&other.shown(col.kind, doc.lang)),
            };
            let _ = write!(s, "<td{attr}>{inner}</td>");
        }
        s.push_str("</tr>");
    }
    s.push_str("</tbody></table>");
    if let Some(note) = doc.shortened(t) {
        let _ = write!(s, "<p class=\"note\">{}</p>", escape(&note));
    }
}

/// The page, with its font subset; `charts` holds the figures' SVGs.
pub fn write(doc: &Document, charts: &Path) -> Result<String, HtmlError> {
    let mut body = String::new();
    let _ = write!(body, "<h1>{}</h1>", escape(&doc.title));
    let _ = write!(body, "<p class=\"subtitle\">{}</p>", escape(&doc.subtitle));
    if let Some(b) = &doc.banner {
        let _ = write!(body, "<p class=\"banner\">{}</p>", escape(b));
    }
    for (n, block) in doc.numbered() {
        match block {
            Block::Heading(t) => {
                let _ = write!(body, "<h2>{}</h2>", escape(t));
            }
            Block::Subheading(t) => {
                let _ = write!(body, "<h3>{}</h3>", escape(t));
            }
            Block::Paragraph(t) => {
                let _ = write!(body, "<p>{}</p>", escape(t));
            }
            Block::Note(t) => {
                let _ = write!(body, "<p class=\"note\">{}</p>", escape(t));
            }
            Block::Bullets(items) => {
                body.push_str("<ul class=\"findings\">");
                for i in items {
                    let _ = write!(body, "<li>{}</li>", escape(i));
                }
                body.push_str("</ul>");
            }
            Block::Cards(cards) => {
                body.push_str("<div class=\"cards\">");
                for c in cards {
                    let _ = write!(
                        body,
                        "<div class=\"card{}\"><div class=\"label\">{}</div><div class=\"value\">{}</div>",
                        if c.alert { " alert" } else { "" },
                        escape(&c.label),
                        escape(&c.value)
                    );
                    for l in &c.lines {
                        let _ = write!(body, "<div class=\"line\">{}</div>", escape(l));
                    }
                    body.push_str("</div>");
                }
                body.push_str("</div>");
            }
            Block::Figure(f) => {
                let svg = charts.join(format!("{}.svg", f.chart));
                let svg = inline_svg(&svg, &f.chart).map_err(|source| HtmlError::Chart {
                    path: svg.display().to_string(),
                    source,
                })?;
                let _ = write!(
                    body,
                    "<figure>{svg}<figcaption>{}</figcaption></figure>",
                    escape(&doc.figure_caption(n.unwrap_or(0), &f.caption))
                );
            }
            Block::Table(t) => table(doc, n.unwrap_or(0), t, &mut body),
        }
    }
    if !doc.definitions.is_empty() {
        let _ = write!(
            body,
            "<h2>{}</h2><dl class=\"defs\">",
            escape(label(doc.lang, "definitions"))
        );
        for (k, v) in &doc.definitions {
            let _ = write!(body, "<dt>{}</dt><dd>{}</dd>", escape(k), escape(v));
        }
        body.push_str("</dl>");
    }
    let _ = write!(
        body,
        "<h2>{}</h2><table>",
        escape(label(doc.lang, "provenance"))
    );
    for (k, v) in &doc.provenance {
        let _ = write!(
            body,
            "<tr><th>{}</th><td>{}</td></tr>",
            escape(k),
            escape(v)
        );
    }
    body.push_str("</table>");
    if let Some(c) = &doc.config {
        let _ = write!(body, "<pre>{}</pre>", escape(c));
    }

    // Every character the page draws, in its text and its charts' text.
    let title = escape(&doc.title);
    let shown = format!("{title}{body}");
    let text = visible_text(&shown);
    font::check_glyphs(&text, &doc.title)?;
    let woff2 = font::web_font(&text)?;
    let face = format!(
        "@font-face{{font-family:'{FACE}';src:url(data:font/woff2;base64,{}) format('woff2');font-display:block}}",
        base64::engine::general_purpose::STANDARD.encode(woff2)
    );
    let lang = if doc.lang == Lang::Zh { "zh-CN" } else { "en" };
    Ok(format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{title}</title><style>{face}{CSS}</style></head><body>{body}</body></html>\n"
    ))
}

/// The characters a page shows: its markup's text with tags and the
/// entities of [`escape`] taken out.
fn visible_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len() / 2);
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
}

#[derive(Debug, thiserror::Error)]
pub enum HtmlError {
    #[error("reading chart {path}: {source}")]
    Chart {
        path: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Font(#[from] FontError),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_names_is_text() {
        assert_eq!(
            escape("<b>\"x\"</b> & 'y'"),
            "&lt;b&gt;&quot;x&quot;&lt;/b&gt; &amp; &#39;y&#39;"
        );
        assert_eq!(visible_text("<p a=\"b\">x&lt;y&amp;</p>"), "x<y&");
    }
}
