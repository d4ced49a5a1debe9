//! The indicators' distributions before and after treatment: each
//! indicator's skewness (x) and excess kurtosis (y) as read (hollow) and as
//! scored (filled), joined by a line, over the region COINr's check fails
//! (|skew| ≥ 2 and kurtosis ≥ 3.5, shaded) — drawn from `index_diagnostics`,
//! so that a reader sees at once which indicators needed treatment and
//! whether it worked. `axes` names the two axes and the shaded region.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use polars::prelude::DataFrame;

use super::charts::DrawResult;
use super::font::FAMILY;
use super::{floats, strs};
use crate::methods::index::treatment::{KURT, SKEW};

fn font(size: u32) -> TextStyle<'static> {
    (FAMILY, size).into_font().into()
}

/// One indicator: its shown name and (skew, kurtosis) before and after.
pub struct Moved {
    pub name: String,
    pub before: (f64, f64),
    pub after: (f64, f64),
}

/// The indicators of `index_diagnostics` with both moments (an indicator
/// with too few values has none and is left out).
pub fn moved(table: &DataFrame, shown: &dyn Fn(&str) -> String) -> Vec<Moved> {
    let names = strs(table, "indicator");
    let g = |c: &str| floats(table, c);
    let (s, k, sa, ka) = (
        g("skew"),
        g("kurtosis"),
        g("skew_treated"),
        g("kurtosis_treated"),
    );
    (0..table.height())
        .filter_map(|i| {
            Some(Moved {
                name: shown(&names[i]),
                before: (s[i]?, k[i]?),
                after: (sa[i]?, ka[i]?),
            })
        })
        .collect()
}

pub fn chart<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    points: &[Moved],
    title: &str,
    axes: (&str, &str, Option<&str>),
) -> DrawResult<DB> {
    root.fill(&WHITE)?;
    let all = points.iter().flat_map(|p| [p.before, p.after]);
    let (mut x0, mut x1, mut y0, mut y1) = (-SKEW - 1.0, SKEW + 1.0, -2.0f64, KURT + 2.0);
    for (x, y) in all {
        x0 = x0.min(x - 0.5);
        x1 = x1.max(x + 0.5);
        y0 = y0.min(y - 0.5);
        y1 = y1.max(y + 1.0);
    }
    let mut c = ChartBuilder::on(root)
        .caption(title, font(22))
        .margin(16)
        .x_label_area_size(50)
        .y_label_area_size(60)
        .build_cartesian_2d(x0..x1, y0..y1)?;
    c.configure_mesh()
        .bold_line_style(BLACK.mix(0.1))
        .light_line_style(TRANSPARENT)
        .x_desc(axes.0)
        .y_desc(axes.1)
        .label_style(font(15))
        .axis_desc_style(font(16))
        .draw()?;
    // Where the check fails: both tails of skew, above the kurtosis line.
    let fail = RGBColor(0xf5, 0xb7, 0xb1).mix(0.45);
    for (a, b) in [(x0, -SKEW), (SKEW, x1)] {
        c.draw_series(std::iter::once(Rectangle::new(
            [(a, KURT), (b, y1)],
            fail.filled(),
        )))?;
    }
    let grey = BLACK.mix(0.45);
    c.draw_series([
        PathElement::new(vec![(-SKEW, y0), (-SKEW, y1)], grey.stroke_width(1)),
        PathElement::new(vec![(SKEW, y0), (SKEW, y1)], grey.stroke_width(1)),
        PathElement::new(vec![(x0, KURT), (x1, KURT)], grey.stroke_width(1)),
    ])?;
    if let Some(f) = axes.2 {
        c.draw_series(std::iter::once(
            EmptyElement::at((SKEW, y1)) + Text::new(f.to_string(), (6, 6), font(14)),
        ))?;
    }
    let blue = RGBColor(0x29, 0x80, 0xb9);
    for p in points {
        if p.before != p.after {
            c.draw_series(std::iter::once(PathElement::new(
                vec![p.before, p.after],
                blue.mix(0.6).stroke_width(2),
            )))?;
            c.draw_series(std::iter::once(Circle::new(
                p.before,
                6,
                blue.stroke_width(2),
            )))?;
        }
        c.draw_series(std::iter::once(Circle::new(p.after, 6, blue.filled())))?;
    }
    // Names beside the filled points, moved off each other where they
    // would overlap (points of similar moments are common).
    let mut placed: Vec<(i32, i32, i32, i32)> = Vec::new();
    let mut order: Vec<&Moved> = points.iter().collect();
    order.sort_by(|a, b| a.after.0.total_cmp(&b.after.0));
    for p in order {
        let name = super::labels::short(&p.name, 14);
        let w: i32 = name
            .chars()
            .map(|ch| if ch.is_ascii() { 8 } else { 14 })
            .sum();
        let (px, py) = c.backend_coord(&p.after);
        let offsets = [
            (9, -8),
            (9, 8),
            (9, -24),
            (9, 24),
            (-w - 9, -8),
            (-w - 9, 8),
            (9, -40),
            (9, 40),
        ];
        let free = |(dx, dy): (i32, i32)| {
            let r = (px + dx, py + dy, px + dx + w, py + dy + 15);
            !placed
                .iter()
                .any(|q| r.0 < q.2 && q.0 < r.2 && r.1 < q.3 && q.1 < r.3)
        };
        let (dx, dy) = offsets
            .iter()
            .copied()
            .find(|o| free(*o))
            .unwrap_or(offsets[0]);
        placed.push((px + dx, py + dy, px + dx + w, py + dy + 15));
        c.draw_series(std::iter::once(
            EmptyElement::at(p.after) + Text::new(name, (dx, dy), font(14)),
        ))?;
    }
    Ok(())
}

/// `index_distributions.svg` and `.png` into `dir`.
pub fn draw(
    dir: &Path,
    points: &[Moved],
    title: &str,
    axes: (&str, &str, Option<&str>),
) -> Result<(), String> {
    svg_png!(
        dir,
        "index_distributions",
        (900, 640),
        bitmap,
        chart,
        points,
        title,
        axes
    )
}
