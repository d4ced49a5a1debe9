//! One function per chart. Each takes prepared data (plain vectors, built by
//! [`super::data`] from the run's tables) and draws on any plotters backend,
//! so the same code makes the SVG and the PNG.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::font::FAMILY;
use super::labels::{centre, label, model, Lang};

pub type DrawResult<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

const COLOURS: [RGBColor; 5] = [
    RGBColor(0xc0, 0x39, 0x2b), // sinking
    RGBColor(0x29, 0x80, 0xb9), // collaborative
    RGBColor(0x27, 0xae, 0x60), // embedded
    RGBColor(0x8e, 0x44, 0xad), // integrated
    RGBColor(0x7f, 0x8c, 0x8d), // none
];

pub fn model_colour(m: &str) -> RGBColor {
    match m {
        "sinking" => COLOURS[0],
        "collaborative" => COLOURS[1],
        "embedded" => COLOURS[2],
        "integrated" => COLOURS[3],
        _ => COLOURS[4],
    }
}

/// The series legend every chart with series uses.
fn legend<'a, DB, CT>(
    chart: &mut ChartContext<'a, DB, CT>,
    position: SeriesLabelPosition,
) -> DrawResult<DB>
where
    DB: DrawingBackend + 'a,
    CT: CoordTranslate,
{
    chart
        .configure_series_labels()
        .label_font(font(15))
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .position(position)
        .draw()
}

fn font(size: u32) -> TextStyle<'static> {
    (FAMILY, size).into_font().into()
}

/// How a value axis shows its numbers: as the report's tables do — a
/// share's level in %, its change in percentage points, anything else as
/// it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    Plain,
    Percent,
    Points,
}

impl Scale {
    /// The scale of a metric's level.
    pub fn level(metric: &str) -> Scale {
        match crate::render::format::metric_kind(metric) {
            crate::render::format::Kind::Share => Scale::Percent,
            _ => Scale::Plain,
        }
    }

    /// The scale of a metric's change.
    pub fn change(metric: &str) -> Scale {
        match Scale::level(metric) {
            Scale::Percent => Scale::Points,
            s => s,
        }
    }

    /// A tick's text: 80%, 5, 0.25.
    pub fn tick(self, v: f64) -> String {
        let trim = |x: f64, places: usize| {
            let s = format!("{x:.places$}");
            if s.contains('.') {
                s.trim_end_matches('0').trim_end_matches('.').to_string()
            } else {
                s
            }
        };
        if v.abs() < 1e-12 {
            return "0".into();
        }
        match self {
            Scale::Percent => format!("{}%", trim(v * 100.0, 1)),
            Scale::Points => trim(v * 100.0, 1),
            Scale::Plain => trim(v, 2),
        }
    }

    /// The axis title with its unit: 调解成功率（%）.
    pub fn desc(self, name: &str, lang: Lang) -> String {
        match (self, lang) {
            (Scale::Plain, _) => name.to_string(),
            (Scale::Percent, Lang::Zh) => format!("{name}（%）"),
            (Scale::Percent, Lang::En) => format!("{name} (%)"),
            (Scale::Points, Lang::Zh) => format!("{name}（百分点）"),
            (Scale::Points, Lang::En) => format!("{name} (pp)"),
        }
    }
}

/// (a) Stacked young / middle / old shares per model and role, with n.
#[derive(Debug, Clone)]
pub struct AgeBar {
    pub model: String,
    pub role: String,
    pub young: f64,
    pub old: f64,
    pub n: usize,
}

pub fn age_structure<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    bars: &[AgeBar],
    period: &str,
    simulated: bool,
    lang: Lang,
) -> DrawResult<DB> {
    root.fill(&WHITE)?;
    // The first bar at the top: rows read in the tables' order.
    let bars: Vec<&AgeBar> = bars.iter().rev().collect();
    let title = super::labels::period_title(lang, "age_title", period, simulated);
    let mut chart = ChartBuilder::on(root)
        .caption(title, font(24))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(230)
        // The room right of 100% holds the legend, clear of the bars.
        .build_cartesian_2d(0f64..1.22f64, 0f64..bars.len() as f64)?;
    let names: Vec<String> = bars
        .iter()
        .map(|b| {
            format!(
                "{} · {} (n={})",
                model(lang, &b.model),
                label(lang, &b.role),
                b.n
            )
        })
        .collect();
    chart
        .configure_mesh()
        .bold_line_style(BLACK.mix(0.12))
        .light_line_style(BLACK.mix(0.04))
        .disable_y_mesh()
        .y_labels(bars.len().max(1) * 2 + 1)
        .y_label_formatter(&|y| {
            let i = y.floor() as usize;
            if (y - i as f64 - 0.5).abs() < 0.01 && i < names.len() {
                names[i].clone()
            } else {
                String::new()
            }
        })
        .x_label_formatter(&|x| {
            if *x <= 1.0 + 1e-9 {
                format!("{:.0}%", x * 100.0)
            } else {
                String::new()
            }
        })
        .x_desc(label(lang, "share"))
        .label_style(font(15))
        .axis_desc_style(font(16))
        .draw()?;
    let parts = [
        ("young", RGBColor(0x5d, 0xad, 0xe2)),
        ("middle", RGBColor(0xf5, 0xcb, 0xa7)),
        ("old", RGBColor(0xc0, 0x39, 0x2b)),
    ];
    for (k, (key, colour)) in parts.into_iter().enumerate() {
        chart
            .draw_series(bars.iter().enumerate().map(|(i, b)| {
                let (start, width) = match k {
                    0 => (0.0, b.young),
                    1 => (b.young, (1.0 - b.young - b.old).max(0.0)),
                    _ => (1.0 - b.old, b.old),
                };
                Rectangle::new(
                    [(start, i as f64 + 0.15), (start + width, i as f64 + 0.85)],
                    colour.filled(),
                )
            }))?
            .label(label(lang, key))
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], colour.filled()));
    }
    legend(&mut chart, SeriesLabelPosition::UpperRight)?;
    Ok(())
}

/// (b) Box with points of one metric per model.
pub fn boxes<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    groups: &[(String, Vec<f64>)],
    title: &str,
    y_desc: &str,
    scale: Scale,
    lang: Lang,
) -> DrawResult<DB> {
    root.fill(&WHITE)?;
    let all: Vec<f64> = groups.iter().flat_map(|g| g.1.iter().copied()).collect();
    let (lo, hi) = all
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
            (a.min(*x), b.max(*x))
        });
    let (lo, hi) = if lo.is_finite() {
        (
            lo - 0.02 * (hi - lo).max(1e-9),
            hi + 0.02 * (hi - lo).max(1e-9),
        )
    } else {
        (0.0, 1.0)
    };
    let names: Vec<String> = groups
        .iter()
        .map(|g| format!("{} (n={})", model(lang, &g.0), g.1.len()))
        .collect();
    let mut chart = ChartBuilder::on(root)
        .caption(title, font(24))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d(-0.5f64..groups.len() as f64 - 0.5, lo..hi)?;
    chart
        .configure_mesh()
        .bold_line_style(BLACK.mix(0.12))
        .light_line_style(BLACK.mix(0.04))
        .disable_x_mesh()
        .x_labels(groups.len().max(1) * 2 + 1)
        .x_label_formatter(&|x| {
            let i = x.round();
            if (x - i).abs() < 0.01 && i >= 0.0 && (i as usize) < names.len() {
                names[i as usize].clone()
            } else {
                String::new()
            }
        })
        .y_label_formatter(&|y| scale.tick(*y))
        .y_desc(scale.desc(y_desc, lang))
        .label_style(font(15))
        .axis_desc_style(font(16))
        .draw()?;
    for (i, (m, v)) in groups.iter().enumerate() {
        if v.is_empty() {
            continue;
        }
        let mut s = v.clone();
        s.sort_by(f64::total_cmp);
        let q = |p: f64| crate::methods::stats::quantile_sorted(&s, p);
        let (q1, med, q3) = (q(0.25), q(0.5), q(0.75));
        let iqr = q3 - q1;
        let lo_w = s
            .iter()
            .copied()
            .find(|x| *x >= q1 - 1.5 * iqr)
            .unwrap_or(q1);
        let hi_w = s
            .iter()
            .rev()
            .copied()
            .find(|x| *x <= q3 + 1.5 * iqr)
            .unwrap_or(q3);
        let x = i as f64;
        let c = model_colour(m);
        // Points, spread by a deterministic jitter.
        chart.draw_series(s.iter().enumerate().map(|(k, y)| {
            let jitter = ((k * 7919) % 97) as f64 / 97.0 * 0.5 - 0.25;
            Circle::new((x + jitter, *y), 2, c.mix(0.45).filled())
        }))?;
        chart.draw_series(std::iter::once(Rectangle::new(
            [(x - 0.3, q1), (x + 0.3, q3)],
            c.stroke_width(2),
        )))?;
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(x - 0.3, med), (x + 0.3, med)],
            c.stroke_width(3),
        )))?;
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(x, q3), (x, hi_w)],
            c.stroke_width(1),
        )))?;
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(x, q1), (x, lo_w)],
            c.stroke_width(1),
        )))?;
    }
    Ok(())
}

/// (b) Model means over the years.
pub fn trend<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    lines: &[(String, Vec<(i32, f64)>)],
    title: &str,
    y_desc: &str,
    scale: Scale,
    lang: Lang,
) -> DrawResult<DB> {
    root.fill(&WHITE)?;
    let pts: Vec<(i32, f64)> = lines.iter().flat_map(|l| l.1.iter().copied()).collect();
    let (x0, x1) = pts
        .iter()
        .fold((i32::MAX, i32::MIN), |(a, b), p| (a.min(p.0), b.max(p.0)));
    let (y0, y1) = pts
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| {
            (a.min(p.1), b.max(p.1))
        });
    let (x0, x1) = if x0 <= x1 {
        (x0, x1.max(x0 + 1))
    } else {
        (2015, 2024)
    };
    let pad = ((y1 - y0) * 0.1).max(1e-6);
    let (y0, y1) = if y0.is_finite() {
        (y0 - pad, y1 + pad)
    } else {
        (0.0, 1.0)
    };
    let mut chart = ChartBuilder::on(root)
        .caption(title, font(24))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d(x0..x1, y0..y1)?;
    chart
        .configure_mesh()
        .bold_line_style(BLACK.mix(0.12))
        .light_line_style(BLACK.mix(0.04))
        .x_labels((x1 - x0 + 1) as usize)
        .x_label_formatter(&|x| x.to_string())
        .y_label_formatter(&|y| scale.tick(*y))
        .x_desc(label(lang, "year"))
        .y_desc(scale.desc(y_desc, lang))
        .label_style(font(15))
        .axis_desc_style(font(16))
        .draw()?;
    for (m, pts) in lines {
        let c = model_colour(m);
        chart
            .draw_series(LineSeries::new(pts.iter().copied(), c.stroke_width(2)))?
            .label(model(lang, m))
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], c.stroke_width(2)));
        chart.draw_series(pts.iter().map(|p| Circle::new(*p, 3, c.filled())))?;
    }
    // Upper left: the lines start low (before adoption), the top-left corner is free.
    legend(&mut chart, SeriesLabelPosition::UpperLeft)?;
    Ok(())
}

/// (c) A centre type × model heatmap of visits per 1,000 residents.
pub fn heatmap<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    models: &[String],
    centres: &[String],
    cells: &[Vec<Option<f64>>],
    title: &str,
    lang: Lang,
) -> DrawResult<DB> {
    root.fill(&WHITE)?;
    let max = cells
        .iter()
        .flatten()
        .flatten()
        .fold(0.0f64, |a, b| a.max(*b))
        .max(1e-9);
    let mut chart = ChartBuilder::on(root)
        .caption(title, font(24))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(110)
        .build_cartesian_2d(
            0f64..models.len().max(1) as f64,
            0f64..centres.len().max(1) as f64,
        )?;
    let mnames: Vec<String> = models.iter().map(|m| model(lang, m)).collect();
    let cnames: Vec<String> = centres.iter().map(|c| centre(lang, c)).collect();
    chart
        .configure_mesh()
        .bold_line_style(BLACK.mix(0.12))
        .light_line_style(BLACK.mix(0.04))
        .disable_mesh()
        .x_labels(models.len() * 2 + 1)
        .y_labels(centres.len() * 2 + 1)
        .x_label_formatter(&|x| pick(&mnames, *x))
        .y_label_formatter(&|y| pick(&cnames, *y))
        .label_style(font(15))
        .draw()?;
    for (ci, row) in cells.iter().enumerate() {
        for (mi, v) in row.iter().enumerate() {
            let (x, y) = (mi as f64, ci as f64);
            let colour = match v {
                Some(v) => {
                    let t = v / max;
                    RGBColor(
                        (255.0 - 200.0 * t) as u8,
                        (255.0 - 120.0 * t) as u8,
                        (255.0 - 40.0 * t) as u8,
                    )
                }
                None => RGBColor(0xee, 0xee, 0xee),
            };
            chart.draw_series(std::iter::once(Rectangle::new(
                [(x + 0.02, y + 0.04), (x + 0.98, y + 0.96)],
                colour.filled(),
            )))?;
            if let Some(v) = v {
                chart.draw_series(std::iter::once(Text::new(
                    format!("{v:.0}"),
                    (x + 0.4, y + 0.4),
                    font(15),
                )))?;
            }
        }
    }
    Ok(())
}

fn pick(names: &[String], x: f64) -> String {
    let i = x.floor();
    if (x - i - 0.5).abs() < 0.01 && i >= 0.0 && (i as usize) < names.len() {
        names[i as usize].clone()
    } else {
        String::new()
    }
}

/// (c, d) One bar per model.
pub fn model_bars<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    bars: &[(String, f64, usize)],
    title: &str,
    y_desc: &str,
    scale: Scale,
    lang: Lang,
) -> DrawResult<DB> {
    root.fill(&WHITE)?;
    let max = bars.iter().map(|b| b.1).fold(0.0f64, f64::max).max(1e-9) * 1.1;
    let names: Vec<String> = bars
        .iter()
        .map(|b| format!("{} (n={})", model(lang, &b.0), b.2))
        .collect();
    let mut chart = ChartBuilder::on(root)
        .caption(title, font(24))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d(0f64..bars.len().max(1) as f64, 0f64..max)?;
    chart
        .configure_mesh()
        .bold_line_style(BLACK.mix(0.12))
        .light_line_style(BLACK.mix(0.04))
        .disable_x_mesh()
        .x_labels(bars.len() * 2 + 1)
        .x_label_formatter(&|x| pick(&names, *x))
        .y_label_formatter(&|y| scale.tick(*y))
        .y_desc(scale.desc(y_desc, lang))
        .label_style(font(15))
        .axis_desc_style(font(16))
        .draw()?;
    chart.draw_series(bars.iter().enumerate().map(|(i, (m, v, _))| {
        Rectangle::new(
            [(i as f64 + 0.15, 0.0), (i as f64 + 0.85, *v)],
            model_colour(m).filled(),
        )
    }))?;
    Ok(())
}

/// (d) Units ranked, with their 5–95% rank intervals.
#[derive(Debug, Clone)]
pub struct RankRow {
    pub label: String,
    pub model: String,
    pub rank: f64,
    pub p05: f64,
    pub p95: f64,
}

pub fn ranks<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    rows: &[RankRow],
    n_units: usize,
    title: &str,
    lang: Lang,
) -> DrawResult<DB> {
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(root)
        .caption(title, font(24))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(240)
        .build_cartesian_2d(
            0.5f64..n_units.max(1) as f64 + 0.5,
            0f64..rows.len().max(1) as f64,
        )?;
    let names: Vec<String> = rows.iter().map(|r| r.label.clone()).collect();
    chart
        .configure_mesh()
        .bold_line_style(BLACK.mix(0.12))
        .light_line_style(BLACK.mix(0.04))
        .disable_y_mesh()
        .y_labels(rows.len() * 2 + 1)
        .y_label_formatter(&|y| pick(&names, *y))
        .x_label_formatter(&|x| format!("{x:.0}"))
        .x_desc(label(lang, "rank"))
        .label_style(font(15))
        .axis_desc_style(font(16))
        .draw()?;
    for (i, r) in rows.iter().enumerate() {
        let y = i as f64 + 0.5;
        let c = model_colour(&r.model);
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(r.p05, y), (r.p95, y)],
            c.stroke_width(2),
        )))?;
        chart.draw_series(std::iter::once(Circle::new((r.rank, y), 4, c.filled())))?;
    }
    Ok(())
}

/// One event time of the event study: the estimate, its pointwise 95%
/// interval and the uniform band (equal to the interval without one).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EventPoint {
    pub e: i32,
    pub att: f64,
    pub low: f64,
    pub high: f64,
    pub band_low: f64,
    pub band_high: f64,
}

/// (e) The event study: estimates with pointwise intervals (whiskers) and,
/// shaded, the uniform band that covers every event time at once, both at
/// 1 − `alpha` (the legend says which).
pub fn event_study<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    rows: &[EventPoint],
    title: &str,
    y_desc: &str,
    scale: Scale,
    lang: Lang,
    alpha: f64,
) -> DrawResult<DB> {
    root.fill(&WHITE)?;
    let (e0, e1) = rows
        .iter()
        .fold((i32::MAX, i32::MIN), |(a, b), r| (a.min(r.e), b.max(r.e)));
    let (e0, e1) = if e0 <= e1 { (e0, e1) } else { (-1, 1) };
    let (lo, hi) = rows.iter().fold((0.0f64, 0.0f64), |(a, b), r| {
        (a.min(r.low.min(r.band_low)), b.max(r.high.max(r.band_high)))
    });
    let pad = ((hi - lo) * 0.1).max(1e-6);
    let mut chart = ChartBuilder::on(root)
        .caption(title, font(24))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(70)
        .build_cartesian_2d(e0 as f64 - 0.5..e1 as f64 + 0.5, lo - pad..hi + pad)?;
    chart
        .configure_mesh()
        .bold_line_style(BLACK.mix(0.12))
        .light_line_style(BLACK.mix(0.04))
        .x_labels((e1 - e0 + 1) as usize)
        .x_label_formatter(&|x| format!("{:.0}", x))
        .y_label_formatter(&|y| scale.tick(*y))
        .x_desc(label(lang, "rel_year"))
        .y_desc(scale.desc(y_desc, lang))
        .label_style(font(15))
        .axis_desc_style(font(16))
        .draw()?;
    let banded = rows
        .iter()
        .any(|r| (r.band_high - r.high).abs() > 1e-12 || (r.band_low - r.low).abs() > 1e-12);
    if banded {
        let band = RGBColor(0x29, 0x80, 0xb9).mix(0.15);
        chart
            .draw_series(rows.iter().map(|r| {
                let x = r.e as f64;
                Rectangle::new(
                    [(x - 0.3, r.band_low), (x + 0.3, r.band_high)],
                    band.filled(),
                )
            }))?
            .label(super::labels::at_level(label(lang, "uniform_band"), alpha))
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 14, y + 5)], band.filled()));
    }
    chart.draw_series(std::iter::once(PathElement::new(
        vec![(e0 as f64 - 0.5, 0.0), (e1 as f64 + 0.5, 0.0)],
        BLACK.mix(0.4),
    )))?;
    chart.draw_series(std::iter::once(PathElement::new(
        vec![(-0.5, lo - pad), (-0.5, hi + pad)],
        RED.mix(0.6).stroke_width(2),
    )))?;
    chart.draw_series(std::iter::once(Text::new(
        label(lang, "adoption").to_string(),
        (-0.45, hi + pad * 0.5),
        font(15),
    )))?;
    for r in rows {
        let c = if r.e < 0 {
            RGBColor(0x7f, 0x8c, 0x8d)
        } else {
            RGBColor(0x29, 0x80, 0xb9)
        };
        let x = r.e as f64;
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(x, r.low), (x, r.high)],
            c.stroke_width(2),
        )))?;
        chart.draw_series(std::iter::once(Circle::new((x, r.att), 4, c.filled())))?;
    }
    let whisker = RGBColor(0x29, 0x80, 0xb9);
    chart
        .draw_series(std::iter::once(PathElement::new(vec![], whisker)))?
        .label(super::labels::at_level(label(lang, "pointwise_ci"), alpha))
        .legend(move |(x, y)| {
            PathElement::new(
                vec![(x + 7, y - 6), (x + 7, y + 6)],
                whisker.stroke_width(2),
            )
        });
    legend(&mut chart, SeriesLabelPosition::UpperLeft)?;
    Ok(())
}

/// (f) Quarantined rows and findings per table and rule.
pub fn quality<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    rows: &[(String, String, u64)],
    title: &str,
    lang: Lang,
) -> DrawResult<DB> {
    root.fill(&WHITE)?;
    let max = rows.iter().map(|r| r.2).max().unwrap_or(1).max(1) as f64 * 1.15;
    let names: Vec<String> = rows.iter().map(|r| format!("{} · {}", r.0, r.1)).collect();
    let mut chart = ChartBuilder::on(root)
        .caption(title, font(24))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(220)
        .build_cartesian_2d(0f64..max, 0f64..rows.len().max(1) as f64)?;
    chart
        .configure_mesh()
        .bold_line_style(BLACK.mix(0.12))
        .light_line_style(BLACK.mix(0.04))
        .disable_y_mesh()
        .y_labels(rows.len().max(1) * 2 + 1)
        .y_label_formatter(&|y| pick(&names, *y))
        .x_desc(label(lang, "rows"))
        .label_style(font(15))
        .axis_desc_style(font(16))
        .draw()?;
    chart.draw_series(rows.iter().enumerate().map(|(i, r)| {
        let colour = if r.1.starts_with("E_") {
            RGBColor(0xc0, 0x39, 0x2b)
        } else {
            RGBColor(0xe6, 0x7e, 0x22)
        };
        Rectangle::new(
            [(0.0, i as f64 + 0.15), (r.2 as f64, i as f64 + 0.85)],
            colour.filled(),
        )
    }))?;
    chart.draw_series(
        rows.iter()
            .enumerate()
            .map(|(i, r)| Text::new(r.2.to_string(), (r.2 as f64, i as f64 + 0.3), font(15))),
    )?;
    Ok(())
}

/// The event study's points from an `event_study` (or `govlens did`
/// `aggregations`) table: rows where `keep` holds, with a key; the uniform
/// band is the table's interval, the pointwise one att ± z₁₋α/₂ se (1.96 at
/// the default 0.05).
pub fn event_points(
    table: &polars::prelude::DataFrame,
    keep: impl Fn(usize) -> bool,
    alpha: f64,
) -> Vec<EventPoint> {
    let f = |c: &str| super::floats(table, c);
    let key = if table.column("rel_year").is_ok() {
        f("rel_year")
    } else {
        f("key")
    };
    let (att, se, lo, hi) = (f("att"), f("se"), f("ci_low"), f("ci_high"));
    let z = crate::methods::did::inference::z(alpha);
    (0..table.height())
        .filter(|&i| keep(i))
        .filter_map(|i| {
            let (a, s) = (att[i]?, se[i]?);
            Some(EventPoint {
                e: key[i]? as i32,
                att: a,
                low: a - z * s,
                high: a + z * s,
                band_low: lo[i]?,
                band_high: hi[i]?,
            })
        })
        .collect()
}
