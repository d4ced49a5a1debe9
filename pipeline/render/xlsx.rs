//! A [`Document`] as an Excel workbook (rust_xlsxwriter): a summary sheet
//! (title, findings, key figures), one sheet per table with its header row
//! frozen, an autofilter, number formats by kind ([`format::excel_format`]),
//! the highlight rules as conditional formats and column widths that fit
//! Chinese text; the charts as images on a 图表 sheet; a 说明 sheet with the
//! definitions and provenance. Every text is written as a string: no cell
//! is ever a formula, whatever a region's name begins with.

use std::collections::BTreeSet;
use std::path::Path;

use rust_xlsxwriter::{
    Color, ConditionalFormatCell, ConditionalFormatCellRule, DocProperties, ExcelDateTime, Format,
    FormatAlign, FormatBorder, Image, Workbook, Worksheet, XlsxError,
};

use super::document::{Block, Cell, Document, Highlight, Table};
use super::format;
use super::labels::{label, Lang};

/// Display width of text in Excel's character units: a Han character (or
/// any wide East Asian character) is about two Latin ones.
pub fn display_width(s: &str) -> usize {
    s.chars()
        .map(|c| match c as u32 {
            0x1100..=0x115F
            | 0x2E80..=0xA4CF
            | 0xAC00..=0xD7A3
            | 0xF900..=0xFAFF
            | 0xFE30..=0xFE4F
            | 0xFF00..=0xFF60
            | 0xFFE0..=0xFFE6
            | 0x20000..=0x3FFFD => 2,
            _ => 1,
        })
        .sum()
}

/// A sheet name Excel accepts: none of `[]:*?/\`, at most 31 characters,
/// unique in the workbook.
fn sheet_name(want: &str, used: &mut BTreeSet<String>) -> String {
    let clean: String = want
        .chars()
        .filter(|c| !"[]:*?/\\".contains(*c))
        .collect::<String>()
        .trim_matches('\'')
        .to_string();
    let clean = if clean.is_empty() {
        "Sheet".into()
    } else {
        clean
    };
    let mut n = 1;
    loop {
        let suffix = if n == 1 {
            String::new()
        } else {
            format!(" ({n})")
        };
        let keep = 31 - suffix.chars().count();
        let name: String = clean.chars().take(keep).collect::<String>() + &suffix;
        if used.insert(name.to_lowercase()) {
            return name;
        }
        n += 1;
    }
}

/// Printing as an office prints a sheet: A4, one page wide, page numbers,
/// and a table's header row repeated on every page.
pub(crate) fn print_setup(ws: &mut Worksheet, header_row: Option<u32>) -> Result<(), XlsxError> {
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 0);
    ws.set_footer("&C&P / &N");
    if let Some(r) = header_row {
        ws.set_landscape();
        ws.set_print_gridlines(true);
        ws.set_repeat_rows(r, r)?;
    }
    Ok(())
}

struct Styles {
    title: Format,
    bold: Format,
    header: Format,
    wrap: Format,
    flag: Format,
    lang: Lang,
}

fn header_and_rows(
    ws: &mut Worksheet,
    t: &Table,
    st: &Styles,
    caption: &str,
) -> Result<(), XlsxError> {
    ws.write_string_with_format(0, 0, caption, &st.bold)?;
    // Columns as written: a Named column is two (name, code).
    let mut col = 0u16;
    let mut widths: Vec<usize> = Vec::new();
    let first_row = 1u32;
    // Lines a row's wrapped cells take: its height is set to fit them (no
    // reader autofits a row on opening).
    let mut lines = vec![1usize; t.rows.len()];
    for (ci, c) in t.columns.iter().enumerate() {
        let named = t
            .rows
            .iter()
            .any(|r| matches!(r.get(ci), Some(Cell::Named { .. })));
        let fmt = c
            .kind
            .map(|k| cjk().set_num_format(format::excel_format(k)));
        let heading = c.heading(st.lang);
        ws.write_string_with_format(first_row, col, &heading, &st.header)?;
        let mut w = display_width(&heading).div_ceil(2).max(6);
        let code_col = col + 1;
        if named {
            let h = match st.lang {
                Lang::Zh => "区划代码".to_string(),
                Lang::En => "code".to_string(),
            };
            ws.write_string_with_format(first_row, code_col, &h, &st.header)?;
        }
        let mut wc = 8;
        for (ri, row) in t.rows.iter().enumerate() {
            let r = first_row + 1 + ri as u32;
            match row.get(ci) {
                Some(Cell::Num(Some(v))) if v.is_finite() => {
                    let k = c.kind.unwrap_or(format::Kind::Decimal);
                    let x = format::excel_value(*v, k);
                    match &fmt {
                        Some(f) => ws.write_number_with_format(r, col, x, f)?,
                        None => ws.write_number_with_format(r, col, x, &cjk())?,
                    };
                    w = w.max(display_width(&format::cell(
                        Some(*v),
                        c.kind.unwrap_or(format::Kind::Decimal),
                        st.lang,
                    )));
                }
                Some(Cell::Value(Some(v), k)) if v.is_finite() => {
                    let f = cjk().set_num_format(format::excel_format(*k));
                    ws.write_number_with_format(r, col, format::excel_value(*v, *k), &f)?;
                    w = w.max(display_width(&format::text(Some(*v), *k, st.lang)));
                }
                Some(Cell::Bare(Some(v), k)) if v.is_finite() => {
                    let f = cjk().set_num_format(format::excel_format(*k));
                    ws.write_number_with_format(r, col, format::excel_value(*v, *k), &f)?;
                    w = w.max(display_width(&format::cell(Some(*v), *k, st.lang)));
                }
                Some(Cell::Num(_) | Cell::Value(..) | Cell::Bare(..)) | None => {}
                // A text wider than a column may be wraps in its cell.
                Some(Cell::Text(s)) if display_width(s) > 60 => {
                    ws.write_string_with_format(r, col, s, &st.wrap)?;
                    w = w.max(display_width(s));
                    lines[ri] = lines[ri].max(display_width(s).div_ceil(56));
                }
                Some(Cell::Text(s)) => {
                    ws.write_string_with_format(r, col, s, &cjk())?;
                    w = w.max(display_width(s));
                }
                Some(Cell::Named { name, code }) => {
                    ws.write_string_with_format(r, col, name, &cjk())?;
                    ws.write_string_with_format(r, code_col, code, &cjk())?;
                    w = w.max(display_width(name));
                    wc = wc.max(display_width(code));
                }
            }
        }
        if c.highlight != Highlight::None && !t.rows.is_empty() {
            let last = first_row + t.rows.len() as u32;
            let k = c.kind.unwrap_or(format::Kind::Decimal);
            let cf = match c.highlight {
                Highlight::Above(x) => ConditionalFormatCell::new().set_rule(
                    ConditionalFormatCellRule::GreaterThan(format::excel_value(x, k)),
                ),
                Highlight::Below(x) => ConditionalFormatCell::new().set_rule(
                    ConditionalFormatCellRule::LessThan(format::excel_value(x, k)),
                ),
                Highlight::None => unreachable!("checked above"),
            };
            ws.add_conditional_format(first_row + 1, col, last, col, &cf.set_format(&st.flag))?;
        }
        widths.push(w);
        col += 1;
        if named {
            widths.push(wc);
            col += 1;
        }
    }
    for (i, w) in widths.iter().enumerate() {
        ws.set_column_width(i as u16, (*w as f64 + 2.0).clamp(6.0, 60.0))?;
    }
    // Two lines for headers that wrap in their narrower columns.
    ws.set_row_height(first_row, 30)?;
    for (ri, n) in lines.iter().enumerate().filter(|(_, n)| **n > 1) {
        ws.set_row_height(first_row + 1 + ri as u32, 15.5 * *n as f64)?;
    }
    ws.set_freeze_panes(first_row + 1, 0)?;
    print_setup(ws, Some(first_row))?;
    if col > 0 {
        ws.autofilter(first_row, 0, first_row + t.rows.len() as u32, col - 1)?;
    }
    Ok(())
}

/// The font every cell names: 微软雅黑 (Microsoft YaHei), on every Chinese
/// Windows since Vista and substituted by any CJK font elsewhere. A
/// workbook cannot carry its font; the 说明 sheet says which it names.
pub const FONT: &str = "Microsoft YaHei";

pub(crate) fn cjk() -> Format {
    Format::new().set_font_name(FONT)
}

/// The workbook's bytes; `charts` holds the figures' PNGs.
pub fn write(doc: &Document, charts: &Path) -> Result<Vec<u8>, XlsxError> {
    let lang = doc.lang;
    let mut wb = Workbook::new();
    // A fixed creation time: the same run gives the same bytes.
    let date = |i: std::ops::Range<usize>| doc.meta.date.get(i).and_then(|x| x.parse().ok());
    let created = match (date(0..4), date(5..7), date(8..10)) {
        (Some(y), Some(m), Some(d)) => ExcelDateTime::from_ymd(y, m as u8, d as u8)?,
        _ => ExcelDateTime::from_ymd(2026, 1, 1)?,
    };
    let mut props = DocProperties::new()
        .set_title(&doc.title)
        .set_creation_datetime(&created);
    if !doc.meta.author.is_empty() {
        props = props
            .set_author(&doc.meta.author)
            .set_company(&doc.meta.author);
    }
    wb.set_properties(&props);
    let st = Styles {
        title: cjk().set_bold().set_font_size(16),
        bold: cjk().set_bold(),
        header: cjk()
            .set_bold()
            .set_background_color(Color::RGB(0xF1F3F5))
            .set_border(FormatBorder::Thin)
            .set_align(FormatAlign::Center)
            .set_text_wrap(),
        wrap: cjk().set_text_wrap().set_align(FormatAlign::Top),
        flag: cjk()
            .set_background_color(Color::RGB(0xFDECEA))
            .set_font_color(Color::RGB(0xA93226)),
        lang,
    };
    let mut used = BTreeSet::new();

    // The summary sheet: what a reader sees first.
    let ws = wb.add_worksheet();
    ws.set_name(sheet_name(label(lang, "summary_sheet"), &mut used))?;
    ws.set_column_width(0, 28)?;
    ws.set_column_width(1, 18)?;
    ws.set_column_width(2, 70)?;
    ws.set_row_height(0, 24)?;
    print_setup(ws, None)?;
    ws.write_string_with_format(0, 0, &doc.title, &st.title)?;
    ws.write_string_with_format(1, 0, &doc.subtitle, &cjk())?;
    let mut r = 2;
    if let Some(b) = &doc.banner {
        ws.write_string_with_format(r, 0, b, &st.flag)?;
        r += 1;
    }
    r += 1;
    for block in &doc.blocks {
        match block {
            Block::Bullets(items) => {
                // Across the three columns, wrapped: a long sentence stays
                // on the page.
                for i in items {
                    let text = format!("• {i}");
                    let lines = display_width(&text).div_ceil(110).max(1);
                    if lines > 1 {
                        ws.merge_range(r, 0, r, 2, &text, &st.wrap)?;
                        ws.set_row_height(r, 16.0 * lines as f64)?;
                    } else {
                        ws.write_string_with_format(r, 0, &text, &cjk())?;
                    }
                    r += 1;
                }
                r += 1;
            }
            Block::Cards(cards) => {
                for c in cards {
                    ws.write_string_with_format(r, 0, &c.label, &st.bold)?;
                    match c.number {
                        // The figure as a number the clerk can compute with.
                        Some((v, k)) => {
                            let f = cjk().set_num_format(format::excel_format(k));
                            let f = if c.alert {
                                f.set_font_color(Color::RGB(0xC0392B)).set_bold()
                            } else {
                                f
                            };
                            ws.write_number_with_format(r, 1, format::excel_value(v, k), &f)?;
                        }
                        None if c.alert => {
                            ws.write_string_with_format(r, 1, &c.value, &st.flag)?;
                        }
                        None => {
                            ws.write_string_with_format(r, 1, &c.value, &cjk())?;
                        }
                    }
                    ws.write_string_with_format(r, 2, c.lines.join("；"), &cjk())?;
                    r += 1;
                }
                r += 1;
            }
            _ => {}
        }
    }

    // One sheet per table.
    for (n, block) in doc.numbered() {
        if let Block::Table(t) = block {
            let ws = wb.add_worksheet();
            ws.set_name(sheet_name(&t.sheet, &mut used))?;
            header_and_rows(ws, t, &st, &doc.table_caption(n.unwrap_or(0), &t.caption))?;
        }
    }

    // The charts, one under the other with their captions.
    let figures: Vec<_> = doc
        .numbered()
        .into_iter()
        .filter_map(|(n, b)| match b {
            Block::Figure(f) => Some((n.unwrap_or(0), f)),
            _ => None,
        })
        .collect();
    if !figures.is_empty() {
        let ws = wb.add_worksheet();
        ws.set_name(sheet_name(label(lang, "charts_sheet"), &mut used))?;
        print_setup(ws, None)?;
        let mut row = 0u32;
        for (n, f) in figures {
            ws.write_string_with_format(row, 0, doc.figure_caption(n, &f.caption), &st.bold)?;
            let png = std::fs::read(charts.join(format!("{}.png", f.chart)))
                .map_err(XlsxError::IoError)?;
            let scale = 0.75;
            let img = Image::new_from_buffer(&png)?
                .set_scale_width(scale)
                .set_scale_height(scale);
            let rows = (img.height() * scale / 20.0).ceil() as u32;
            ws.insert_image(row + 1, 0, &img)?;
            row += rows + 3;
        }
    }

    // Definitions and provenance.
    let ws = wb.add_worksheet();
    ws.set_name(sheet_name(label(lang, "notes_sheet"), &mut used))?;
    print_setup(ws, None)?;
    ws.set_column_width(0, 30)?;
    ws.set_column_width(1, 100)?;
    let mut r = 0u32;
    ws.write_string_with_format(r, 0, label(lang, "definitions"), &st.title)?;
    r += 1;
    for (k, v) in &doc.definitions {
        ws.write_string_with_format(r, 0, k, &st.bold)?;
        ws.write_string_with_format(r, 1, v, &st.wrap)?;
        r += 1;
    }
    r += 1;
    ws.write_string_with_format(r, 0, label(lang, "provenance"), &st.title)?;
    r += 1;
    for (k, v) in &doc.provenance {
        ws.write_string_with_format(r, 0, k, &st.bold)?;
        ws.write_string_with_format(r, 1, v, &cjk())?;
        r += 1;
    }
    let (k, v) = match lang {
        Lang::Zh => ("字体", format!("本工作簿各单元格使用“微软雅黑”（{FONT}）；没有该字体的电脑由系统换用其他中文字体。")),
        Lang::En => ("Font", format!("Every cell names {FONT}; a computer without it substitutes another CJK font.")),
    };
    ws.write_string_with_format(r, 0, k, &st.bold)?;
    ws.write_string_with_format(r, 1, v, &cjk())?;
    r += 1;
    if let Some(c) = &doc.config {
        r += 1;
        for line in c.lines() {
            ws.write_string_with_format(r, 1, line, &cjk())?;
            r += 1;
        }
    }
    wb.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_han_character_is_two_latin_widths() {
        assert_eq!(display_width("abc"), 3);
        assert_eq!(display_width("金谷东园社区"), 12);
        assert_eq!(display_width("（）"), 4);
    }

    #[test]
    fn sheet_names_are_what_excel_accepts() {
        let mut used = BTreeSet::new();
        assert_eq!(sheet_name("a/b:c", &mut used), "abc");
        assert_eq!(sheet_name("ABC", &mut used), "ABC (2)");
        let long = "很".repeat(40);
        assert_eq!(sheet_name(&long, &mut used).chars().count(), 31);
    }
}
