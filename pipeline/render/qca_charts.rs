//! The configuration table of an fsQCA solution in the form Chinese
//! public-administration papers print it: a row per condition, a column
//! per configuration (a term of the intermediate solution, else the
//! parsimonious one); ● the condition present, ⊗ absent, blank either; a
//! large mark for a core condition (one the parsimonious solution keeps
//! too), a small one for a peripheral condition; each configuration's
//! consistency, raw and unique coverage below, and the solution's.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::charts::DrawResult;
use super::font::FAMILY;

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
