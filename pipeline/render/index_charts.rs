//! The index's sensitivity chart: per uncertain choice, its first-order
//! (S_i) and total (ST_i) index with their bootstrap 5–95% intervals, drawn
//! from the `index_sensitivity` table.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use polars::prelude::DataFrame;

use super::charts::DrawResult;
use super::font::FAMILY;
use super::{floats, strs};

fn font(size: u32) -> TextStyle<'static> {
    (FAMILY, size).into_font().into()
}

/// One factor's bars.
struct Bar {
    factor: String,
    s1: (f64, f64, f64),
    st: (f64, f64, f64),
}

fn bars(table: &DataFrame) -> Vec<Bar> {
    let f = strs(table, "factor");
    let g = |c: &str| floats(table, c);
    let (s1, s1l, s1h, st, stl, sth) = (
        g("s1"),
        g("s1_low"),
        g("s1_high"),
        g("st"),
        g("st_low"),
        g("st_high"),
    );
    (0..table.height())
        .map(|i| Bar {
            factor: f[i].clone(),
            s1: (
                s1[i].unwrap_or(0.0),
                s1l[i].unwrap_or(0.0),
                s1h[i].unwrap_or(0.0),
            ),
            st: (
                st[i].unwrap_or(0.0),
                stl[i].unwrap_or(0.0),
                sth[i].unwrap_or(0.0),
            ),
        })
        .collect()
}

fn chart<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    bars: &[Bar],
    title: &str,
) -> DrawResult<DB> {
    root.fill(&WHITE)?;
    let n = bars.len().max(1);
    let top = bars
        .iter()
        .map(|b| b.st.2.max(b.s1.2))
        .fold(1.0f64, f64::max)
        .min(1.2);
    let low = bars.iter().map(|b| b.s1.1.min(0.0)).fold(0.0f64, f64::min);
    let mut c = ChartBuilder::on(root)
        .caption(title, font(22))
        .margin(14)
        .x_label_area_size(50)
        .y_label_area_size(60)
        .build_cartesian_2d(0.0..n as f64, low..top)?;
    c.configure_mesh()
        .disable_x_mesh()
        .bold_line_style(BLACK.mix(0.12))
        .light_line_style(TRANSPARENT)
        .x_labels(0)
        .y_desc("Sobol index")
        .label_style(font(15))
        .axis_desc_style(font(16))
        .draw()?;
    let (blue, red) = (RGBColor(0x29, 0x80, 0xb9), RGBColor(0xc0, 0x39, 0x2b));
    for (i, b) in bars.iter().enumerate() {
        let x = i as f64;
        for (off, (v, lo, hi), colour) in [(0.15, b.s1, blue), (0.55, b.st, red)] {
            c.draw_series(std::iter::once(Rectangle::new(
                [(x + off, 0.0), (x + off + 0.3, v)],
                colour.mix(0.8).filled(),
            )))?;
            let mid = x + off + 0.15;
            c.draw_series(std::iter::once(PathElement::new(
                vec![(mid, lo), (mid, hi)],
                BLACK.stroke_width(2),
            )))?;
        }
    }
    // Each factor's name under its pair of bars.
    c.draw_series(bars.iter().enumerate().map(|(i, b)| {
        let half = (b.factor.chars().count() as i32 * 15) / 4;
        EmptyElement::at((i as f64 + 0.5, low)) + Text::new(b.factor.clone(), (-half, 10), font(15))
    }))?;
    c.draw_series(std::iter::once(Rectangle::new(
        [(0.0, 0.0), (0.0, 0.0)],
        blue.filled(),
    )))?
    .label("S_i (first order)")
    .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 14, y + 5)], blue.filled()));
    c.draw_series(std::iter::once(Rectangle::new(
        [(0.0, 0.0), (0.0, 0.0)],
        red.filled(),
    )))?
    .label("ST_i (total)")
    .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 14, y + 5)], red.filled()));
    c.configure_series_labels()
        .label_font(font(15))
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .position(SeriesLabelPosition::UpperRight)
        .draw()?;
    Ok(())
}

/// `sensitivity.svg` and `.png` into `dir`.
pub fn draw_sensitivity(
    dir: &Path,
    table: &DataFrame,
    title: &str,
    shown: &dyn Fn(&str) -> String,
) -> Result<(), String> {
    let mut b = bars(table);
    for bar in &mut b {
        bar.factor = shown(&bar.factor);
    }
    svg_png!(dir, "sensitivity", (1000, 560), bitmap, chart, &b, title)
}

/// The indicators' correlation heat map: Pearson's r of each pair (the
/// `index_correlations` table), −1 blue through 0 white to +1 red, the value
/// in each cell.
pub fn correlations<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    names: &[String],
    r: &[Vec<Option<f64>>],
    title: &str,
) -> DrawResult<DB> {
    root.fill(&WHITE)?;
    let k = names.len().max(1);
    let mut c = ChartBuilder::on(root)
        .caption(title, font(22))
        .margin(14)
        .x_label_area_size(150)
        .y_label_area_size(170)
        .build_cartesian_2d(0f64..k as f64, 0f64..k as f64)?;
    c.configure_mesh()
        .disable_mesh()
        .x_labels(0)
        .y_labels(0)
        .draw()?;
    for (i, row) in r.iter().enumerate() {
        for (j, &v) in row.iter().enumerate() {
            let colour = match v {
                Some(v) if v >= 0.0 => {
                    RGBColor(255, (255.0 - 180.0 * v) as u8, (255.0 - 180.0 * v) as u8)
                }
                Some(v) => RGBColor((255.0 + 180.0 * v) as u8, (255.0 + 180.0 * v) as u8, 255),
                None => RGBColor(0xee, 0xee, 0xee),
            };
            let (x, y) = (j as f64, (k - 1 - i) as f64);
            c.draw_series(std::iter::once(Rectangle::new(
                [(x + 0.02, y + 0.02), (x + 0.98, y + 0.98)],
                colour.filled(),
            )))?;
            if let Some(v) = v {
                c.draw_series(std::iter::once(
                    EmptyElement::at((x + 0.5, y + 0.5))
                        + Text::new(
                            format!("{:.2}", if v.abs() < 0.005 { 0.0 } else { v }),
                            (-16, -8),
                            font(14),
                        ),
                ))?;
            }
        }
    }
    // Names: under the columns and beside the rows.
    c.draw_series(names.iter().enumerate().map(|(j, n)| {
        EmptyElement::at((j as f64 + 0.5, 0.0))
            + Text::new(
                super::labels::short(n, 10),
                (-40, 8),
                font(13).transform(FontTransform::Rotate90),
            )
    }))?;
    c.draw_series(names.iter().enumerate().map(|(i, n)| {
        EmptyElement::at((0.0, (k - 1 - i) as f64 + 0.5))
            + Text::new(super::labels::short(n, 10), (-165, -8), font(14))
    }))?;
    Ok(())
}

/// `index_correlations.svg/.png` from the `index_correlations` table, the
/// indicators shown by `shown`.
pub fn draw_correlations(
    dir: &Path,
    table: &DataFrame,
    order: &[String],
    shown: &dyn Fn(&str) -> String,
    title: &str,
) -> Result<(), String> {
    let (a, b, p) = (strs(table, "a"), strs(table, "b"), floats(table, "pearson"));
    let k = order.len();
    let at = |n: &str| order.iter().position(|o| o == n);
    let mut r = vec![vec![None; k]; k];
    for (i, row) in r.iter_mut().enumerate() {
        row[i] = Some(1.0);
    }
    for row in 0..table.height() {
        if let (Some(i), Some(j)) = (at(&a[row]), at(&b[row])) {
            r[i][j] = p[row];
            r[j][i] = p[row];
        }
    }
    let names: Vec<String> = order.iter().map(|n| shown(n)).collect();
    svg_png!(
        dir,
        "index_correlations",
        (900, 860),
        bitmap,
        correlations,
        &names,
        &r,
        title
    )
}
