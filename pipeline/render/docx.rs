//! A [`Document`] as a Word file (docx-rs): A4 with page numbers, the
//! headings as Word's own "heading 1/2" styles (so the navigation pane and
//! a table of contents find them), tables as Word tables whose header row
//! repeats on every page, charts as PNG figures with numbered captions.
//!
//! The file carries its font: the report font (the bundled WenQuanYi Micro
//! Hei, or `--font`) cut down to the characters the document uses, embedded
//! as Word embeds fonts (ECMA-376 Part 1 §17.8.1: an obfuscated TrueType
//! part, `w:embedRegular` with its `w:fontKey`), and named on every run. So
//! the document shows its Chinese in Word, WPS and LibreOffice on a machine
//! that has no 宋体 or any CJK font, and looks the same everywhere. The core
//! properties name the issuer and the report date.

use std::io::{Read, Write};
use std::path::Path;

use docx_rs::{
    AlignmentType, Docx, Footer, PageMargin, PageNum, Paragraph, Pic, Run, RunFonts, Shading,
    Style, StyleType, Table as WTable, TableCell, TableRow, WidthType,
};

use super::document::{Block, Cell, Document, Table};
use super::font;
use super::labels::{label, Lang};

/// The text width of an A4 page with 2.5 cm margins, in twips and EMU.
const TEXT_TWIPS: usize = 9026;
const TEXT_EMU: u32 = 5_731_510;

/// The family name of the registered report font (its `name` table's).
pub fn family() -> String {
    static FAMILY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    FAMILY
        .get_or_init(|| {
            let (bytes, _) = font::current();
            let mut db = resvg::usvg::fontdb::Database::new();
            db.load_font_data(bytes.to_vec());
            let name = db
                .faces()
                .next()
                .and_then(|f| f.families.first().map(|(n, _)| n.clone()));
            name.unwrap_or_else(|| "WenQuanYi Micro Hei".into())
        })
        .clone()
}

pub(crate) fn fonts(_head: bool) -> RunFonts {
    let f = family();
    RunFonts::new().east_asia(&f).ascii(&f).hi_ansi(&f).cs(&f)
}

/// Text fit for XML: control characters (which no XML may hold) become
/// spaces. Markup needs nothing: docx-rs writes text as XML text.
pub(crate) fn clean(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() && c != '\t' { ' ' } else { c })
        .collect()
}

fn run(text: &str) -> Run {
    Run::new().add_text(clean(text)).fonts(fonts(false))
}

fn para(text: &str) -> Paragraph {
    Paragraph::new().add_run(run(text))
}

fn styles(docx: Docx) -> Docx {
    let heading = |id: &str, name: &str, size: usize, level: usize| {
        Style::new(id, StyleType::Paragraph)
            .name(name)
            .based_on("Normal")
            .next("Normal")
            .q_format(true)
            .bold()
            .size(size)
            .fonts(fonts(true))
            .outline_lvl(level)
    };
    docx.add_style(
        Style::new("Title", StyleType::Paragraph)
            .name("Title")
            .based_on("Normal")
            .bold()
            .size(36)
            .fonts(fonts(true))
            .align(AlignmentType::Center),
    )
    .add_style(heading("Heading1", "heading 1", 30, 0))
    .add_style(heading("Heading2", "heading 2", 26, 1))
    .add_style(
        Style::new("Caption", StyleType::Paragraph)
            .name("caption")
            .based_on("Normal")
            .size(18)
            .fonts(fonts(true))
            .align(AlignmentType::Center),
    )
    .add_style(
        Style::new("Note", StyleType::Paragraph)
            .name("Note")
            .based_on("Normal")
            .size(18)
            .color("555555")
            .fonts(fonts(false)),
    )
}

/// Header rows carry `cantSplit` and nothing else does, so the written XML
/// can mark exactly them as repeating (docx-rs has no `tblHeader`).
fn table(doc: &Document, n: usize, t: &Table) -> (Paragraph, WTable, Option<Paragraph>) {
    let caption = Paragraph::new().style("Caption").keep_next(true).add_run(
        Run::new()
            .add_text(clean(&doc.table_caption(n, &t.caption)))
            .fonts(fonts(true)),
    );
    let ncol = t.columns.len().max(1);
    let size = match ncol {
        0..=6 => 18,
        7..=9 => 16,
        _ => 15,
    };
    let widths = column_widths(doc, t);
    let header = TableRow::new(
        t.columns
            .iter()
            .zip(&widths)
            .map(|(c, &width)| {
                TableCell::new()
                    .width(width, WidthType::Dxa)
                    .shading(Shading::new().fill("F1F3F5"))
                    .add_paragraph(
                        Paragraph::new().add_run(
                            Run::new()
                                .add_text(clean(&c.heading(doc.lang)))
                                .bold()
                                .size(size)
                                .fonts(fonts(true)),
                        ),
                    )
            })
            .collect(),
    )
    .cant_split();
    let mut rows = vec![header];
    for row in t.rows.iter().take(t.shown) {
        rows.push(TableRow::new(
            row.iter()
                .zip(&t.columns)
                .zip(&widths)
                .map(|((cell, col), &width)| {
                    let mut p = Paragraph::new();
                    if col.kind.is_some() {
                        p = p.align(AlignmentType::Right);
                    }
                    let flagged = cell.flagged(col.highlight);
                    let mut r = match cell {
                        Cell::Named { name, .. } => run(name).size(size),
                        other => run(&other.shown(col.kind, doc.lang)).size(size),
                    };
                    if flagged {
                        r = r.bold().color("A93226");
                    }
                    p = p.add_run(r);
                    if let Cell::Named { code, .. } = cell {
                        p = p.add_run(run(&format!(" {code}")).size(size - 4).color("888888"));
                    }
                    let mut c = TableCell::new()
                        .width(width, WidthType::Dxa)
                        .add_paragraph(p);
                    if flagged {
                        c = c.shading(Shading::new().fill("FDECEA"));
                    }
                    c
                })
                .collect(),
        ));
    }
    let table = WTable::new(rows)
        .set_grid(widths.clone())
        .width(TEXT_TWIPS, WidthType::Dxa);
    let note = doc
        .shortened(t)
        .map(|n| Paragraph::new().style("Note").add_run(run(&n).size(18)));
    (caption, table, note)
}

/// The .docx bytes; `charts` holds the figures' PNGs.
pub fn write(doc: &Document, charts: &Path) -> Result<Vec<u8>, DocxError> {
    let mut d = page(doc.lang)
        .add_paragraph(
            Paragraph::new()
                .style("Title")
                .add_run(Run::new().add_text(clean(&doc.title)).fonts(fonts(true))),
        )
        .add_paragraph(para(&doc.subtitle).align(AlignmentType::Center));
    if let Some(b) = &doc.banner {
        d = d.add_paragraph(
            Paragraph::new()
                .align(AlignmentType::Center)
                .add_run(run(b).bold().color("C0392B")),
        );
    }
    let mut pictures = 0;
    for (n, block) in doc.numbered() {
        match block {
            Block::Heading(t) => {
                d = d.add_paragraph(
                    Paragraph::new()
                        .style("Heading1")
                        .keep_next(true)
                        .add_run(Run::new().add_text(clean(t)).fonts(fonts(true))),
                )
            }
            Block::Subheading(t) => {
                d = d.add_paragraph(
                    Paragraph::new()
                        .style("Heading2")
                        .keep_next(true)
                        .add_run(Run::new().add_text(clean(t)).fonts(fonts(true))),
                )
            }
            Block::Paragraph(t) => d = d.add_paragraph(para(t)),
            Block::Note(t) => {
                d = d.add_paragraph(Paragraph::new().style("Note").add_run(run(t).size(18)))
            }
            Block::Bullets(items) => {
                for i in items {
                    d = d.add_paragraph(para(&format!("• {i}")).indent(
                        Some(240),
                        None,
                        None,
                        None,
                    ));
                }
            }
            Block::Cards(cards) => {
                // Three cards to a row, as a borderless-looking grid.
                let cols = 3;
                let width = TEXT_TWIPS / cols;
                let mut rows = Vec::new();
                for chunk in cards.chunks(cols) {
                    let mut cells: Vec<TableCell> = chunk
                        .iter()
                        .map(|c| {
                            let mut cell = TableCell::new()
                                .width(width, WidthType::Dxa)
                                .shading(Shading::new().fill("FAFBFC"))
                                .add_paragraph(
                                    Paragraph::new()
                                        .add_run(run(&c.label).size(18).color("555555")),
                                );
                            let mut v = Run::new()
                                .add_text(clean(&c.value))
                                .bold()
                                .size(32)
                                .fonts(fonts(true));
                            if c.alert {
                                v = v.color("C0392B");
                            }
                            cell = cell.add_paragraph(Paragraph::new().add_run(v));
                            for l in &c.lines {
                                cell =
                                    cell.add_paragraph(Paragraph::new().add_run(run(l).size(17)));
                            }
                            cell
                        })
                        .collect();
                    while cells.len() < cols {
                        cells.push(
                            TableCell::new()
                                .width(width, WidthType::Dxa)
                                .add_paragraph(Paragraph::new()),
                        );
                    }
                    rows.push(TableRow::new(cells));
                }
                d = d.add_table(WTable::new(rows).width(TEXT_TWIPS, WidthType::Dxa));
                d = d.add_paragraph(Paragraph::new());
            }
            Block::Figure(f) => {
                let path = charts.join(format!("{}.png", f.chart));
                let png = std::fs::read(&path).map_err(|source| DocxError::Chart {
                    path: path.display().to_string(),
                    source,
                })?;
                let (w, h) = png_size(&png).unwrap_or((1000, 640));
                pictures += 1;
                let height = (TEXT_EMU as u64 * h as u64 / w.max(1) as u64) as u32;
                // An explicit id: docx-rs counts pictures per process, which
                // would make the bytes depend on what else the process wrote.
                let pic = Pic::new_with_dimensions(png, w, h)
                    .size(TEXT_EMU, height)
                    .id(format!("rIdImage{pictures}"));
                d = d
                    .add_paragraph(
                        Paragraph::new()
                            .align(AlignmentType::Center)
                            .keep_next(true)
                            .add_run(Run::new().fonts(fonts(false)).add_image(pic)),
                    )
                    .add_paragraph(
                        Paragraph::new().style("Caption").add_run(
                            Run::new()
                                .add_text(clean(&doc.figure_caption(n.unwrap_or(0), &f.caption)))
                                .fonts(fonts(true)),
                        ),
                    );
            }
            Block::Table(t) => {
                let (caption, table, note) = table(doc, n.unwrap_or(0), t);
                d = d.add_paragraph(caption).add_table(table);
                if let Some(note) = note {
                    d = d.add_paragraph(note);
                }
                d = d.add_paragraph(Paragraph::new());
            }
        }
    }
    let kv = |title: &str, pairs: &[(String, String)], d: Docx| -> Docx {
        if pairs.is_empty() {
            return d;
        }
        let rows = pairs
            .iter()
            .map(|(k, v)| {
                TableRow::new(vec![
                    TableCell::new()
                        .width(2600, WidthType::Dxa)
                        .add_paragraph(Paragraph::new().add_run(run(k).bold().size(18))),
                    TableCell::new()
                        .width(TEXT_TWIPS - 2600, WidthType::Dxa)
                        .add_paragraph(Paragraph::new().add_run(run(v).size(18))),
                ])
            })
            .collect();
        d.add_paragraph(
            Paragraph::new()
                .style("Heading1")
                .add_run(Run::new().add_text(clean(title)).fonts(fonts(true))),
        )
        .add_table(WTable::new(rows).width(TEXT_TWIPS, WidthType::Dxa))
    };
    d = kv(label(doc.lang, "definitions"), &doc.definitions, d);
    d = kv(label(doc.lang, "provenance"), &doc.provenance, d);

    package(d, doc, "")
}

/// An empty A4 document with the report's styles, margins, font and page
/// numbers: every Word file govlens writes starts here.
pub(crate) fn page(lang: Lang) -> Docx {
    styles(Docx::new())
        .page_size(11906, 16838)
        .page_margin(PageMargin {
            top: 1418,
            left: 1418,
            bottom: 1418,
            right: 1418,
            header: 851,
            footer: 992,
            gutter: 0,
        })
        .default_fonts(fonts(false))
        .default_size(if lang == Lang::Zh { 21 } else { 22 })
        .footer(
            Footer::new().add_paragraph(
                Paragraph::new()
                    .align(AlignmentType::Center)
                    .add_page_num(PageNum::new()),
            ),
        )
}

/// The file's bytes: `d` built, its header rows repeating, Normal the
/// default style, the font cut to the characters of `doc` and `text`
/// embedded, the core properties of `doc` (title, issuer, date, language).
pub(crate) fn package(d: Docx, doc: &Document, text: &str) -> Result<Vec<u8>, DocxError> {
    let mut xml = d.build();
    let marked = String::from_utf8_lossy(&xml.document).to_string();
    xml.document = repeat_header_rows(&marked).into_bytes();
    // Normal as the default paragraph style, as Word's own files say: a
    // paragraph without a style is then Normal to every reader.
    let styles = String::from_utf8_lossy(&xml.styles).replace(
        r#"<w:style w:type="paragraph" w:styleId="Normal">"#,
        r#"<w:style w:type="paragraph" w:default="1" w:styleId="Normal">"#,
    );
    xml.styles = styles.into_bytes();
    let mut out = std::io::Cursor::new(Vec::new());
    xml.pack(&mut out)
        .map_err(|e| DocxError::Zip(e.to_string()))?;
    // Every character the file can show: its text, the writers' own words
    // (headings, 图/表 captions, notes) and printable ASCII.
    let text = format!(
        "{}{text}{}{}{}",
        doc.all_text(),
        super::labels::all_text(),
        "图表仅列出前行，共；完整格见的“”工作。",
        (' '..='~').collect::<String>()
    );
    let subset =
        font::subset(font::current().0, &text).map_err(|e| DocxError::Zip(e.to_string()))?;
    repack(&out.into_inner(), doc, &family(), &subset)
}

/// The font key of an embedded font: a GUID made from the font's own bytes,
/// so that the same document gives the same file.
fn font_key(font: &[u8]) -> String {
    let h = blake3::hash(font);
    let b = h.as_bytes();
    let hex: String = b[..16].iter().map(|x| format!("{x:02X}")).collect();
    format!(
        "{{{}-{}-{}-{}-{}}}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// ECMA-376 Part 1 §17.8.1: the first 32 bytes of the font XORed with the
/// key's 16 bytes, which are the GUID's hex digits read from its end (as
/// LibreOffice's and Word's readers undo it).
pub fn obfuscate(font: &[u8], key: &str) -> Vec<u8> {
    let hex: Vec<u8> = key
        .chars()
        .filter(|c| c.is_ascii_hexdigit())
        .map(|c| c.to_digit(16).unwrap_or(0) as u8)
        .collect();
    let bytes: Vec<u8> = hex.chunks(2).map(|p| p[0] * 16 + p[1]).collect();
    let reversed: Vec<u8> = bytes.iter().rev().copied().collect();
    let mut out = font.to_vec();
    for (i, b) in out.iter_mut().take(32).enumerate() {
        *b ^= reversed[i % 16];
    }
    out
}

fn xml_text(s: &str) -> String {
    clean(s)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// docx-rs's package with the font embedded and the core properties set.
fn repack(
    packed: &[u8],
    doc: &Document,
    family: &str,
    subset: &[u8],
) -> Result<Vec<u8>, DocxError> {
    let zerr = |e: zip::result::ZipError| DocxError::Zip(e.to_string());
    let ioerr = |e: std::io::Error| DocxError::Zip(e.to_string());
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(packed)).map_err(zerr)?;
    let key = font_key(subset);
    let family_xml = xml_text(family);
    let date = if doc.meta.date.is_empty() {
        "2026-01-01".to_string()
    } else {
        doc.meta.date.clone()
    };
    let author = xml_text(if doc.meta.author.is_empty() {
        "govlens"
    } else {
        &doc.meta.author
    });
    let core = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>{}</dc:title><dc:creator>{author}</dc:creator><cp:lastModifiedBy>{author}</cp:lastModifiedBy><dc:language>{}</dc:language><dcterms:created xsi:type="dcterms:W3CDTF">{date}T00:00:00Z</dcterms:created><dcterms:modified xsi:type="dcterms:W3CDTF">{date}T00:00:00Z</dcterms:modified><cp:revision>1</cp:revision></cp:coreProperties>"#,
        xml_text(&doc.title),
        if doc.lang == Lang::Zh {
            "zh-CN"
        } else {
            "en-GB"
        },
    );
    let font_entry = format!(
        r#"<w:font w:name="{family_xml}"><w:charset w:val="86" /><w:family w:val="swiss" /><w:pitch w:val="variable" /><w:embedRegular r:id="rIdFont1" w:fontKey="{key}" /></w:font>"#
    );
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let deflated = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..archive.len() {
        let mut f = archive.by_index(i).map_err(zerr)?;
        let name = f.name().to_string();
        if f.is_dir() {
            w.add_directory(name, stored).map_err(zerr)?;
            continue;
        }
        let mut bytes = Vec::new();
        f.read_to_end(&mut bytes).map_err(ioerr)?;
        let text = || String::from_utf8_lossy(&bytes).to_string();
        let bytes = match name.as_str() {
            "docProps/core.xml" => core.clone().into_bytes(),
            "word/fontTable.xml" => text().replace("</w:fonts>", &format!("{font_entry}</w:fonts>")).into_bytes(),
            "word/settings.xml" => text()
                .replacen("<w:defaultTabStop", "<w:embedTrueTypeFonts /><w:saveSubsetFonts /><w:defaultTabStop", 1)
                .into_bytes(),
            "[Content_Types].xml" => text()
                .replacen(
                    "<Default ContentType=\"image/png\"",
                    "<Default ContentType=\"application/vnd.openxmlformats-officedocument.obfuscatedFont\" Extension=\"odttf\" /><Default ContentType=\"image/png\"",
                    1,
                )
                .into_bytes(),
            _ => bytes,
        };
        w.start_file(name, stored).map_err(zerr)?;
        w.write_all(&bytes).map_err(ioerr)?;
    }
    w.start_file("word/_rels/fontTable.xml.rels", stored)
        .map_err(zerr)?;
    w.write_all(br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rIdFont1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/font" Target="fonts/font1.odttf" /></Relationships>"#).map_err(ioerr)?;
    w.start_file("word/fonts/font1.odttf", deflated)
        .map_err(zerr)?;
    w.write_all(&obfuscate(subset, &key)).map_err(ioerr)?;
    Ok(w.finish().map_err(zerr)?.into_inner())
}

/// Marks the rows written with `cantSplit` (the header rows) as table
/// header rows, which Word repeats at the top of every page.
fn repeat_header_rows(xml: &str) -> String {
    xml.replace("<w:cantSplit />", "<w:cantSplit /><w:tblHeader />")
        .replace("<w:cantSplit/>", "<w:cantSplit/><w:tblHeader/>")
}

/// Column widths in twips that share the text width by what the columns
/// hold: a name column gets room, a column of percentages little. A header
/// may wrap (it counts half), a value should not.
fn column_widths(doc: &Document, t: &Table) -> Vec<usize> {
    let want: Vec<usize> = t
        .columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let values = t
                .rows
                .iter()
                .take(t.shown.min(200))
                .filter_map(|r| r.get(i))
                .map(|cell| match cell {
                    Cell::Named { name, code } => {
                        super::xlsx::display_width(name) + code.len() * 3 / 4 + 1
                    }
                    other => super::xlsx::display_width(&other.shown(c.kind, doc.lang)),
                })
                .max()
                .unwrap_or(0);
            // Digits and signs must not wrap: a character's room to spare.
            let spare = usize::from(c.kind.is_some());
            (values + spare)
                .max(super::xlsx::display_width(&c.heading(doc.lang)).div_ceil(2))
                .clamp(4, 40)
        })
        .collect();
    // About 85 twips a Latin character at 8 pt, and the cell's margins.
    let need: Vec<usize> = want.iter().map(|w| w * 85 + 230).collect();
    // A column of short values (已报, 按时, 2 / 2) gets all it needs, so no
    // word of two characters breaks; the long ones share what is left.
    let short = |w: usize| w <= 8;
    let fixed: usize = want
        .iter()
        .zip(&need)
        .filter(|(w, _)| short(**w))
        .map(|(_, n)| n)
        .sum();
    let rest: usize = want
        .iter()
        .zip(&need)
        .filter(|(w, _)| !short(**w))
        .map(|(_, n)| n)
        .sum();
    // Unless a long column would then be narrower than a short one.
    let widest_short = want
        .iter()
        .zip(&need)
        .filter(|(w, _)| short(**w))
        .map(|(_, n)| *n)
        .max()
        .unwrap_or(0);
    let narrowest_long = want
        .iter()
        .zip(&need)
        .filter(|(w, _)| !short(**w))
        .map(|(_, n)| (TEXT_TWIPS.saturating_sub(fixed)) * n / rest.max(1))
        .min()
        .unwrap_or(0);
    if rest > 0 && fixed < TEXT_TWIPS / 2 && narrowest_long >= widest_short {
        return want
            .iter()
            .zip(&need)
            .map(|(w, n)| {
                if short(*w) {
                    *n
                } else {
                    (TEXT_TWIPS - fixed) * n / rest
                }
            })
            .collect();
    }
    let total: usize = need.iter().sum::<usize>().max(1);
    need.iter().map(|w| TEXT_TWIPS * w / total).collect()
}

/// A PNG's pixel size from its IHDR chunk.
fn png_size(png: &[u8]) -> Option<(u32, u32)> {
    if png.len() < 24 || &png[..8] != b"\x89PNG\r\n\x1a\n" {
        return None;
    }
    let w = u32::from_be_bytes(png[16..20].try_into().ok()?);
    let h = u32::from_be_bytes(png[20..24].try_into().ok()?);
    Some((w, h))
}

#[derive(Debug, thiserror::Error)]
pub enum DocxError {
    #[error("reading chart {path}: {source}")]
    Chart {
        path: String,
        source: std::io::Error,
    },
    #[error("writing the Word file: {0}")]
    Zip(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn obfuscation_is_its_own_inverse_and_follows_the_key() {
        let font: Vec<u8> = (0..64u8).collect();
        let key = "{00112233-4455-6677-8899-AABBCCDDEEFF}";
        let o = obfuscate(&font, key);
        // The key's bytes read from its end: FF EE DD … 00.
        assert_eq!(o[0], 0xFF);
        assert_eq!(o[1], 1 ^ 0xEE);
        assert_eq!(o[16], 16 ^ 0xFF);
        assert_eq!(&o[32..], &font[32..]);
        assert_eq!(obfuscate(&o, key), font);
    }

    #[test]
    fn only_header_rows_repeat() {
        let x = "<w:tr><w:trPr><w:cantSplit /></w:trPr></w:tr><w:tr><w:trPr></w:trPr></w:tr>";
        assert_eq!(repeat_header_rows(x).matches("tblHeader").count(), 1);
    }

    #[test]
    fn control_characters_never_reach_the_xml() {
        assert_eq!(clean("a\u{1}b\nc\td"), "a b c\td");
    }
}
