//! The research report's fsQCA section, from the run's `qca_*` tables (a
//! run config with `[qca]`): what was studied, the configuration table and
//! the XY plot, each configuration's fit, the necessity of single
//! conditions and how robust the solution is. Every number is read from
//! the tables the run published; the sentences quote the tables below them.

use std::path::Path;

use super::document::{Block, Cell, Column, Figure, Highlight, Table};
use super::format::Kind;
use super::labels::{self, label, period_label, set_label, term_label, Lang};
use super::{floats, strs, table, RenderError};

/// Whether the run made a fsQCA study.
pub(super) fn has_study(dir: &Path) -> bool {
    dir.join("tables/qca_solutions.parquet").is_file()
}

/// The section's blocks (none when the run has no study).
pub(super) fn blocks(
    dir: &Path,
    latest: &str,
    simulated: bool,
    lang: Lang,
) -> Result<Vec<Block>, RenderError> {
    if !has_study(dir) {
        return Ok(Vec::new());
    }
    let zh = lang == Lang::Zh;
    let sol = table(dir, "qca_solutions")?;
    let nec = table(dir, "qca_necessity")?;
    let rob = table(dir, "qca_robustness")?;
    let cal = table(dir, "qca_calibrated")?;
    let conf = table(dir, "qca_configurations")?;
    let shown = strs(&conf, "solution")
        .into_iter()
        .next()
        .unwrap_or_else(|| "parsimonious".into());
    let columns: Vec<String> = cal
        .get_column_names()
        .iter()
        .map(|c| c.to_string())
        .collect();
    // qca_calibrated: case, the conditions, the outcome, solution.
    let outcome = columns[columns.len() - 2].clone();
    let conditions: Vec<String> = columns[1..columns.len() - 2].to_vec();
    let (kind, model, term) = (
        strs(&sol, "solution"),
        strs(&sol, "model"),
        strs(&sol, "term"),
    );
    let (incl, pri, cov, uniq) = (
        floats(&sol, "incl"),
        floats(&sol, "pri"),
        floats(&sol, "cov"),
        floats(&sol, "cov_unique"),
    );
    let cases = strs(&sol, "cases");
    let models = {
        let mut m: Vec<&String> = (0..sol.height())
            .filter(|&i| kind[i] == shown)
            .map(|i| &model[i])
            .collect();
        m.dedup();
        m.len()
    };
    let mut terms = Table::new(
        "fsQCA",
        &labels::titled(lang, "qca_terms", simulated),
        vec![
            Column::text(label(lang, "qca_term")),
            Column::number(label(lang, "qca_consistency"), Kind::Coefficient),
            Column::number(label(lang, "qca_pri"), Kind::Coefficient),
            Column::number(label(lang, "qca_raw"), Kind::Coefficient),
            Column::number(label(lang, "qca_unique"), Kind::Coefficient),
            Column::number(label(lang, "qca_cases"), Kind::Count),
        ],
    );
    let mut whole = None;
    for i in (0..sol.height()).filter(|&i| kind[i] == shown && model[i] == "M1") {
        let n = if cases[i].is_empty() {
            0.0
        } else {
            cases[i].split(',').count() as f64
        };
        let name = if term[i] == "*" {
            whole = Some((incl[i], cov[i]));
            if zh {
                "总体解".to_string()
            } else {
                "solution".to_string()
            }
        } else {
            term_label(lang, &term[i])
        };
        terms.rows.push(vec![
            Cell::text(name),
            Cell::Num(incl[i]),
            Cell::Num(pri[i]),
            Cell::Num(cov[i]),
            Cell::Num(if term[i] == "*" { None } else { uniq[i] }),
            Cell::Num(Some(n)),
        ]);
    }
    let n_terms = terms.rows.len().saturating_sub(1);
    let (sc, sv) = whole.unwrap_or((None, None));
    let f3 = |v: Option<f64>| Cell::Num(v).shown(Some(Kind::Coefficient), lang);
    let same = rob
        .column(if shown == "intermediate" {
            "same_intermediate"
        } else {
            "same_parsimonious"
        })
        .ok()
        .and_then(|c| c.bool().ok().cloned());
    let settings = rob.height().saturating_sub(1);
    let kept = same
        .map(|c| c.iter().skip(1).filter(|v| *v == Some(true)).count())
        .unwrap_or(0);
    let sets_shown: Vec<String> = conditions.iter().map(|c| set_label(lang, c)).collect();
    let solution_name = label(
        lang,
        if shown == "intermediate" {
            "qca_intermediate"
        } else {
            "qca_parsimonious"
        },
    );
    let mut text = if zh {
        format!(
            "以{}为结果、{}为条件，对{}的 {} 个单位做模糊集定性比较分析。{}含 {} 个组态，总体一致性 {}，总体覆盖度 {}。",
            set_label(lang, &outcome),
            sets_shown.join("、"),
            period_label(lang, latest),
            cal.height(),
            solution_name,
            n_terms,
            f3(sc),
            f3(sv)
        )
    } else {
        format!(
            "Fuzzy-set QCA of the {} units of {} with {} as the outcome and {} as conditions. The {} has {} configuration(s), solution consistency {} and coverage {}.",
            cal.height(),
            period_label(lang, latest),
            set_label(lang, &outcome),
            sets_shown.join(", "),
            solution_name,
            n_terms,
            f3(sc),
            f3(sv)
        )
    };
    if models > 1 {
        text.push_str(&if zh {
            format!(
                "另有 {} 个同样简洁的等价模型（见 qca_solutions 表）。",
                models - 1
            )
        } else {
            format!(
                " {} more equally short model(s) fit as well (table qca_solutions).",
                models - 1
            )
        });
    }
    text.push_str(&if zh {
        format!("稳健性检验的 {settings} 个设置（阈值与锚点的变动）中，{kept} 个给出相同的{solution_name}。")
    } else {
        format!(" Of the robustness grid's {settings} settings (cuts and anchors moved), {kept} give the same {solution_name}.")
    });

    let mut nec_t = Table::new(
        label(lang, "qca_necessity"),
        &labels::titled(lang, "qca_necessity", simulated),
        vec![
            Column::text(label(lang, "qca_condition")),
            Column::number(label(lang, "qca_incl_n"), Kind::Coefficient)
                .highlight(Highlight::Above(0.9 - 1e-12)),
            Column::number(label(lang, "qca_ron"), Kind::Coefficient),
            Column::number(label(lang, "qca_cov_n"), Kind::Coefficient),
        ],
    );
    let (nc, ni, nr, nv) = (
        strs(&nec, "condition"),
        floats(&nec, "inclN"),
        floats(&nec, "RoN"),
        floats(&nec, "covN"),
    );
    for i in 0..nec.height() {
        nec_t.rows.push(vec![
            Cell::text(term_label(lang, &nc[i])),
            Cell::Num(ni[i]),
            Cell::Num(nr[i]),
            Cell::Num(nv[i]),
        ]);
    }
    let title_key = if shown == "intermediate" {
        "qca_title"
    } else {
        "qca_title_pars"
    };
    Ok(vec![
        Block::Heading(label(lang, "qca_heading").into()),
        Block::Paragraph(text),
        Block::Figure(Figure {
            chart: "configuration_table".into(),
            caption: labels::titled(lang, title_key, simulated),
        }),
        Block::Table(terms),
        Block::Figure(Figure {
            chart: "qca_xy".into(),
            caption: labels::titled(lang, "qca_xy_title", simulated),
        }),
        Block::Table(nec_t),
        Block::Note(label(lang, "def_qca").into()),
    ])
}
