//! The configuration table of an fsQCA solution in the form Chinese
//! public-administration papers print it: a row per condition, a column
//! per configuration (a term of the intermediate solution, else the
//! parsimonious one); ● the condition present, ⊗ absent, blank either; a
//! large mark for a core condition (one the parsimonious solution keeps
//! too), a small one for a peripheral condition; each configuration's
//! consistency, raw and unique coverage below, and the solution's.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use polars::prelude::DataFrame;

use super::charts::DrawResult;
use super::font::FAMILY;
use super::labels::{label, Lang};
use super::{floats, strs};

fn font(size: u32) -> TextStyle<'static> {
    (FAMILY, size).into_font().into()
}

/// A condition in one configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Present { core: bool },
    Absent { core: bool },
    Either,
}

/// One configuration (a column): its marks per condition and its fit.
#[derive(Debug, Clone)]
pub struct Configuration {
    pub marks: Vec<Mark>,
    pub consistency: f64,
    pub raw_coverage: f64,
    pub unique_coverage: f64,
}

/// Labels of the table, in the report's language.
#[derive(Debug, Clone)]
pub struct Legend {
    pub title: String,
    pub consistency: String,
    pub raw: String,
    pub unique: String,
    pub solution: String,
    pub note: String,
}

pub fn configuration_table<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    conditions: &[String],
    configs: &[Configuration],
    solution: (f64, f64),
    legend: &Legend,
) -> DrawResult<DB> {
    root.fill(&WHITE)?;
    let (w, h) = root.dim_in_pixel();
    let (w, h) = (w as i32, h as i32);
    let left = 190;
    let top = 70;
    let cols = configs.len().max(1) as i32;
    let col_w = ((w - left - 30) / cols).min(160);
    let rows = conditions.len() as i32 + 3;
    let row_h = ((h - top - 90) / rows.max(1)).min(56);
    let black = BLACK.stroke_width(1);
    root.draw(&Text::new(legend.title.clone(), (20, 18), font(24)))?;
    // Header: configuration numbers.
    for (j, _) in configs.iter().enumerate() {
        let x = left + j as i32 * col_w + col_w / 2;
        root.draw(&Text::new(
            format!("C{}", j + 1),
            (x - 12, top - 30),
            font(18),
        ))?;
    }
    root.draw(&PathElement::new(
        vec![(10, top - 6), (w - 10, top - 6)],
        black,
    ))?;
    for (i, c) in conditions.iter().enumerate() {
        let y = top + i as i32 * row_h + row_h / 2;
        root.draw(&Text::new(c.clone(), (20, y - 9), font(18)))?;
        for (j, conf) in configs.iter().enumerate() {
            let x = left + j as i32 * col_w + col_w / 2;
            let (r, present) = match conf.marks[i] {
                Mark::Present { core } => (if core { 13 } else { 7 }, true),
                Mark::Absent { core } => (if core { 13 } else { 7 }, false),
                Mark::Either => continue,
            };
            if present {
                root.draw(&Circle::new((x, y), r, BLACK.filled()))?;
            } else {
                root.draw(&Circle::new((x, y), r, BLACK.stroke_width(2)))?;
                let d = (r as f64 * 0.7) as i32;
                root.draw(&PathElement::new(
                    vec![(x - d, y - d), (x + d, y + d)],
                    BLACK.stroke_width(2),
                ))?;
                root.draw(&PathElement::new(
                    vec![(x - d, y + d), (x + d, y - d)],
                    BLACK.stroke_width(2),
                ))?;
            }
        }
    }
    let fits_top = top + conditions.len() as i32 * row_h;
    root.draw(&PathElement::new(
        vec![(10, fits_top), (w - 10, fits_top)],
        black,
    ))?;
    for (k, (name, pick)) in [
        (&legend.consistency, 0usize),
        (&legend.raw, 1),
        (&legend.unique, 2),
    ]
    .into_iter()
    .enumerate()
    {
        let y = fits_top + k as i32 * row_h + row_h / 2;
        root.draw(&Text::new(name.clone(), (20, y - 9), font(16)))?;
        for (j, conf) in configs.iter().enumerate() {
            let v = [conf.consistency, conf.raw_coverage, conf.unique_coverage][pick];
            let x = left + j as i32 * col_w + col_w / 2;
            root.draw(&Text::new(format!("{v:.3}"), (x - 22, y - 9), font(16)))?;
        }
    }
    let bottom = fits_top + 3 * row_h;
    root.draw(&PathElement::new(
        vec![(10, bottom), (w - 10, bottom)],
        black,
    ))?;
    root.draw(&Text::new(
        format!("{} {:.3} / {:.3}", legend.solution, solution.0, solution.1),
        (20, bottom + 12),
        font(16),
    ))?;
    root.draw(&Text::new(legend.note.clone(), (20, bottom + 38), font(14)))?;
    Ok(())
}

/// What both QCA charts show, read back from the study's tables
/// (`qca_calibrated`, `qca_solutions`, `qca_configurations`), so that a
/// run's render and `govlens qca` draw from the same published numbers.
#[derive(Debug, Clone)]
pub struct Figures {
    /// `intermediate` or `parsimonious`.
    pub solution: String,
    pub conditions: Vec<String>,
    pub configurations: Vec<Configuration>,
    /// The shown solution's (consistency, coverage).
    pub fit: (f64, f64),
    pub outcome: String,
    /// Per case: (id, solution membership, outcome membership).
    pub points: Vec<(String, f64, f64)>,
    /// Further models of the solution (M2 …) not drawn.
    pub more_models: usize,
    /// Whether the data is simulated: the titles say so.
    pub simulated: bool,
}

impl Figures {
    /// Reads the tables; `shown` names a condition or the outcome as the
    /// chart prints it (a run's label for `share_young:cadre`).
    pub fn from_tables(
        calibrated: &DataFrame,
        solutions: &DataFrame,
        configurations: &DataFrame,
        shown: &dyn Fn(&str) -> String,
    ) -> Option<Figures> {
        let kind = strs(configurations, "solution").into_iter().next()?;
        let (model, config, term, cond, presence) = (
            strs(configurations, "model"),
            floats(configurations, "configuration"),
            strs(configurations, "term"),
            strs(configurations, "condition"),
            strs(configurations, "presence"),
        );
        let core: Vec<bool> = configurations
            .column("core")
            .ok()?
            .bool()
            .ok()?
            .iter()
            .map(|b| b.unwrap_or(false))
            .collect();
        let m1: Vec<usize> = (0..configurations.height())
            .filter(|&i| model[i] == "M1")
            .collect();
        let mut conditions: Vec<String> = Vec::new();
        for &i in &m1 {
            if !conditions.contains(&cond[i]) {
                conditions.push(cond[i].clone());
            }
        }
        let (sk, sm, st) = (
            strs(solutions, "solution"),
            strs(solutions, "model"),
            strs(solutions, "term"),
        );
        let (incl, cov, uniq) = (
            floats(solutions, "incl"),
            floats(solutions, "cov"),
            floats(solutions, "cov_unique"),
        );
        let fit_of = |t: &str| {
            (0..solutions.height()).find(|&i| sk[i] == kind && sm[i] == "M1" && st[i] == t)
        };
        let mut configurations_out = Vec::new();
        let mut n = 0;
        while let Some(first) = m1.iter().find(|&&i| config[i] == Some((n + 1) as f64)) {
            let marks = m1
                .iter()
                .filter(|&&i| config[i] == Some((n + 1) as f64))
                .map(|&i| match presence[i].as_str() {
                    "present" => Mark::Present { core: core[i] },
                    "absent" => Mark::Absent { core: core[i] },
                    _ => Mark::Either,
                })
                .collect();
            let f = fit_of(&term[*first])?;
            configurations_out.push(Configuration {
                marks,
                consistency: incl[f]?,
                raw_coverage: cov[f]?,
                unique_coverage: uniq[f].unwrap_or(0.0),
            });
            n += 1;
        }
        let whole = fit_of("*")?;
        let columns: Vec<String> = calibrated
            .get_column_names()
            .iter()
            .map(|c| c.to_string())
            .collect();
        let outcome = columns.iter().rev().nth(1)?.clone();
        let (ids, x, y) = (
            strs(calibrated, "case"),
            floats(calibrated, "solution"),
            floats(calibrated, &outcome),
        );
        let points = (0..calibrated.height())
            .filter_map(|i| Some((ids[i].clone(), x[i]?, y[i]?)))
            .collect();
        let models: std::collections::BTreeSet<&String> = model.iter().collect();
        Some(Figures {
            solution: kind,
            conditions: conditions.iter().map(|c| shown(c)).collect(),
            configurations: configurations_out,
            fit: (incl[whole]?, cov[whole]?),
            outcome: shown(&outcome),
            points,
            more_models: models.len().saturating_sub(1),
            simulated: false,
        })
    }

    /// The configuration table's labels.
    fn legend(&self, lang: Lang) -> Legend {
        let mut note = label(lang, "qca_note").to_string();
        if self.more_models > 0 {
            note.push_str(&match lang {
                Lang::Zh => format!(
                    " 另有 {} 个等价模型（M2 起）见 qca_solutions。",
                    self.more_models
                ),
                Lang::En => format!(
                    " {} more equivalent model(s) (M2 …) in qca_solutions.",
                    self.more_models
                ),
            });
        }
        Legend {
            title: super::labels::titled(
                lang,
                if self.solution == "intermediate" {
                    "qca_title"
                } else {
                    "qca_title_pars"
                },
                self.simulated,
            ),
            consistency: label(lang, "qca_consistency").into(),
            raw: label(lang, "qca_raw").into(),
            unique: label(lang, "qca_unique").into(),
            solution: label(lang, "qca_solution").into(),
            note,
        }
    }

    /// Both charts as SVG and PNG into `dir`: `configuration_table` and
    /// `qca_xy`; returns their names.
    pub fn draw(&self, dir: &Path, lang: Lang) -> Result<Vec<String>, String> {
        let k = self.conditions.len() as u32;
        let legend = self.legend(lang);
        let table_size = (900u32, 120 + 52 * (k + 3) + 80);
        svg_png!(
            dir,
            "configuration_table",
            table_size,
            bitmap,
            configuration_table,
            &self.conditions,
            &self.configurations,
            self.fit,
            &legend
        )?;
        svg_png!(dir, "qca_xy", (760, 720), bitmap, xy_plot, self, lang)?;
        Ok(vec!["configuration_table".into(), "qca_xy".into()])
    }
}

/// The XY plot of the shown solution's membership (x) against the
/// outcome's (y): cases above the diagonal are consistent with sufficiency;
/// the solution's consistency and coverage under the title. Up to 40
/// cases are named.
pub fn xy_plot<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    f: &Figures,
    lang: Lang,
) -> DrawResult<DB> {
    root.fill(&WHITE)?;
    // "中间解与结果的 XY 图" / "XY plot of the intermediate solution and the outcome".
    let which = label(
        lang,
        if f.solution == "intermediate" {
            "qca_intermediate"
        } else {
            "qca_parsimonious"
        },
    );
    let title = match lang {
        Lang::Zh => format!("{which}与结果的 XY 图"),
        Lang::En => format!("XY plot of the {which} and the outcome"),
    };
    let title = if f.simulated {
        super::labels::titled_text(lang, &title)
    } else {
        title
    };
    // The fit under the title, outside the plot: the corners hold cases.
    let sep = if lang == Lang::Zh { "　" } else { "  " };
    let corner = [
        format!("{} {:.3}", label(lang, "qca_consistency"), f.fit.0),
        format!("{} {:.3}", label(lang, "qca_coverage"), f.fit.1),
        format!("{} {}", label(lang, "qca_n_cases"), f.points.len()),
    ]
    .join(sep);
    let (head, body) = root.split_vertically(78);
    head.draw(&Text::new(title, (20, 12), font(24)))?;
    head.draw(&Text::new(corner, (20, 46), font(17)))?;
    let mut chart = ChartBuilder::on(&body)
        .margin(16)
        .x_label_area_size(50)
        .y_label_area_size(60)
        .build_cartesian_2d(0.0..1.0f64, 0.0..1.0f64)?;
    chart
        .configure_mesh()
        .bold_line_style(BLACK.mix(0.12))
        .light_line_style(TRANSPARENT)
        .x_desc(label(lang, "qca_xy_x"))
        .y_desc(match lang {
            Lang::Zh => format!("{}：{}", label(lang, "qca_xy_y"), f.outcome),
            Lang::En => format!("{}: {}", label(lang, "qca_xy_y"), f.outcome),
        })
        .label_style(font(15))
        .axis_desc_style(font(16))
        .draw()?;
    chart.draw_series(std::iter::once(PathElement::new(
        vec![(0.0, 0.0), (1.0, 1.0)],
        BLACK.mix(0.5).stroke_width(1),
    )))?;
    // The crossovers: 0.5 in the solution and in the outcome.
    let v = 0.5;
    chart.draw_series(std::iter::once(PathElement::new(
        vec![(v, 0.0), (v, 1.0)],
        BLACK.mix(0.2),
    )))?;
    chart.draw_series(std::iter::once(PathElement::new(
        vec![(0.0, v), (1.0, v)],
        BLACK.mix(0.2),
    )))?;
    let blue = RGBColor(0x29, 0x80, 0xb9);
    chart.draw_series(
        f.points
            .iter()
            .map(|(_, x, y)| Circle::new((*x, *y), 4, blue.mix(0.7).filled())),
    )?;
    if f.points.len() <= 40 {
        chart.draw_series(f.points.iter().map(|(id, x, y)| {
            EmptyElement::at((*x, *y)) + Text::new(super::labels::short(id, 14), (6, -16), font(13))
        }))?;
    }
    Ok(())
}
