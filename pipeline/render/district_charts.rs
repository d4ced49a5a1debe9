//! The district report's two charts: every unit ranked with the district's
//! own units highlighted, and the district's trend against its model and
//! all other districts. Like [`super::charts`], plain data in, any plotters
//! backend out.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::charts::DrawResult;
use super::font::FAMILY;
use super::labels::Lang;

fn font(size: u32) -> TextStyle<'static> {
    (FAMILY, size).into_font().into()
}

const MINE: RGBColor = RGBColor(0xc0, 0x39, 0x2b);
const OTHERS: RGBColor = RGBColor(0xb8, 0xc2, 0xcc);
const MODEL: RGBColor = RGBColor(0x29, 0x80, 0xb9);

/// Shapes a chart draws one by one before it summarises them.
const MAX_SHAPES: usize = 1500;

/// A value on the y axis: a percentage for shares.
fn tick(v: f64, share: bool) -> String {
    if share {
        format!("{:.0}%", v * 100.0)
    } else {
        format!("{v:.0}")
    }
}

/// All units' values sorted from high to low, one thin bar each; the
/// district's units in red. `legend` names the two colours.
pub fn ranked_bars<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    bars: &[(f64, bool)],
    title: &str,
    y_desc: &str,
    share: bool,
    legend: (&str, &str),
) -> DrawResult<DB> {
    root.fill(&WHITE)?;
    let hi = bars.iter().map(|b| b.0).fold(f64::NEG_INFINITY, f64::max);
    let lo = bars.iter().map(|b| b.0).fold(f64::INFINITY, f64::min);
    let (lo, hi) = if hi.is_finite() {
        (
            (lo - 0.05 * (hi - lo).max(1e-9)).min(0.0f64.max(lo - (hi - lo))),
            hi + 0.05 * (hi - lo).max(1e-9),
        )
    } else {
        (0.0, 1.0)
    };
    let n = bars.len().max(1);
    let mut chart = ChartBuilder::on(root)
        .caption(title, font(24))
        .margin(14)
        .x_label_area_size(36)
        .y_label_area_size(70)
        .build_cartesian_2d(0f64..n as f64, lo..hi)?;
    chart
        .configure_mesh()
        .bold_line_style(BLACK.mix(0.12))
        .light_line_style(BLACK.mix(0.04))
        .disable_x_mesh()
        .x_labels(0)
        .y_label_formatter(&|v| tick(*v, share))
        .y_desc(y_desc)
        .label_style(font(15))
        .axis_desc_style(font(16))
        .draw()?;
    // The others: a bar each while they can be told apart, else (a national
    // run's 620,000 units) their sorted values as one area, sampled to at
    // most MAX_SHAPES points so the SVG stays small.
    let others: Vec<(f64, f64)> = bars
        .iter()
        .enumerate()
        .filter(|(_, b)| !b.1)
        .map(|(i, b)| (i as f64 + 0.5, b.0))
        .collect();
    let anno = if others.len() <= MAX_SHAPES {
        chart.draw_series(
            others
                .iter()
                .map(|(x, v)| Rectangle::new([(x - 0.4, lo), (x + 0.4, *v)], OTHERS.filled())),
        )?
    } else {
        let step = others.len().div_ceil(MAX_SHAPES);
        let mut pts: Vec<(f64, f64)> = vec![(others[0].0, lo)];
        pts.extend(others.iter().step_by(step).copied());
        pts.extend(others.last().copied());
        pts.push((others[others.len() - 1].0, lo));
        chart.draw_series(std::iter::once(Polygon::new(pts, OTHERS.filled())))?
    };
    anno.label(legend.1)
        .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], OTHERS.filled()));
    chart
        .draw_series(bars.iter().enumerate().filter(|(_, b)| b.1).map(|(i, b)| {
            Rectangle::new(
                [(i as f64 + 0.05, lo), (i as f64 + 0.95, b.0)],
                MINE.filled(),
            )
        }))?
        .label(legend.0)
        .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], MINE.filled()));
    chart
        .configure_series_labels()
        .label_font(font(15))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.3))
        .position(SeriesLabelPosition::UpperRight)
        .draw()?;
    Ok(())
}

/// Three lines over the periods: the district, the same model elsewhere,
/// all others.
pub fn comparison<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    periods: &[String],
    series: &[(String, Vec<Option<f64>>)],
    title: &str,
    y_desc: &str,
    share: bool,
    _lang: Lang,
) -> DrawResult<DB> {
    root.fill(&WHITE)?;
    let vals: Vec<f64> = series
        .iter()
        .flat_map(|s| s.1.iter().flatten().copied())
        .collect();
    let (lo, hi) = vals
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(*v), b.max(*v))
        });
    let pad = ((hi - lo) * 0.15).max(1e-3);
    let (lo, hi) = if lo.is_finite() {
        (lo - pad, hi + pad)
    } else {
        (0.0, 1.0)
    };
    let n = periods.len().max(1);
    let mut chart = ChartBuilder::on(root)
        .caption(title, font(24))
        .margin(14)
        .x_label_area_size(40)
        .y_label_area_size(70)
        // Room on the right for the legend, clear of the latest points.
        .build_cartesian_2d(-0.5f64..n as f64 - 0.5 + (n as f64 / 4.0).max(2.0), lo..hi)?;
    chart
        .configure_mesh()
        .bold_line_style(BLACK.mix(0.12))
        .light_line_style(BLACK.mix(0.04))
        .x_labels(n * 2 + 1)
        .x_label_formatter(&|x| {
            let i = x.round();
            if (x - i).abs() < 0.01 && i >= 0.0 && (i as usize) < periods.len() {
                periods[i as usize].clone()
            } else {
                String::new()
            }
        })
        .y_label_formatter(&|v| tick(*v, share))
        .y_desc(y_desc)
        .label_style(font(15))
        .axis_desc_style(font(16))
        .draw()?;
    for (k, (name, pts)) in series.iter().enumerate() {
        let c = [MINE, MODEL, RGBColor(0x7f, 0x8c, 0x8d)][k.min(2)];
        let w = if k == 0 { 4 } else { 2 };
        let line: Vec<(f64, f64)> = pts
            .iter()
            .enumerate()
            .filter_map(|(i, v)| Some((i as f64, (*v)?)))
            .collect();
        chart
            .draw_series(LineSeries::new(line.iter().copied(), c.stroke_width(w)))?
            .label(name.as_str())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], c.stroke_width(w)));
        chart.draw_series(line.iter().map(|p| Circle::new(*p, 4, c.filled())))?;
    }
    chart
        .configure_series_labels()
        .label_font(font(15))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.3))
        .position(SeriesLabelPosition::UpperRight)
        .draw()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn svg_of(n: usize) -> String {
        crate::render::font::register(None).unwrap();
        let bars: Vec<(f64, bool)> = (0..n).map(|i| ((n - i) as f64, i % 97 == 0)).collect();
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (1000, 560)).into_drawing_area();
            ranked_bars(&root, &bars, "t", "y", false, ("mine", "others")).unwrap();
            root.present().unwrap();
        }
        svg
    }

    #[test]
    fn a_national_ranking_stays_a_small_chart() {
        // A few hundred units: a bar each.
        let small = svg_of(300);
        assert!(small.matches("<rect").count() >= 300);
        // 620,000 units: the others as one area, the district's own as bars.
        let big = svg_of(620_000);
        assert!(big.contains("<polygon"), "no area drawn");
        assert!(big.len() < 2_000_000, "{} bytes", big.len());
        assert!(big.matches("<rect").count() >= 620_000 / 97);
    }
}
