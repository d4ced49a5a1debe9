//! The research report's fsQCA section, from the run's `qca_*` tables (a
//! run config with `[qca]`): what was studied, how each set was calibrated,
//! the truth table, the configuration table and the XY plot, each
//! configuration's fit, the necessity of single conditions and how robust
//! the solution is. Every number is read from the tables the run
//! published; the sentences quote the tables below them. A solution below
//! its own consistency cut (or 0.75), with PRI below 0.5, or kept by fewer
//! than half the robustness settings is said to be so and is not a
//! finding; a condition in the direction opposite to `expect` is flagged.

use std::path::Path;

use super::data_content::QcaFacts;
use super::document::{Block, Cell, Column, Figure, Highlight, Table};
use super::format::Kind;
use super::labels::{self, label, period_label, set_label, term_label, Lang};
use super::{floats, strs, table, RenderError};

/// Whether the run made a fsQCA study.
pub(super) fn has_study(dir: &Path) -> bool {
    dir.join("tables/qca_solutions.parquet").is_file()
}

/// A solution's consistency below this is not a sufficient configuration
/// whatever `incl_cut` says (Schneider & Wagemann 2012: 0.75).
pub const MIN_CONSISTENCY: f64 = 0.75;
/// A PRI below this says the configuration is nearly as consistent with
/// the outcome's absence.
pub const MIN_PRI: f64 = 0.5;

/// The section: its blocks, the finding it allows (none without a study)
/// and the caveats the limitations repeat.
pub(super) struct QcaSection {
    pub(super) blocks: Vec<Block>,
    pub(super) finding: Option<String>,
    pub(super) facts: QcaFacts,
}

/// The section (empty when the run has no study).
pub(super) fn section(
    dir: &Path,
    latest: &str,
    simulated: bool,
    lang: Lang,
) -> Result<QcaSection, RenderError> {
    if !has_study(dir) {
        return Ok(QcaSection {
            blocks: Vec::new(),
            finding: None,
            facts: QcaFacts::default(),
        });
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

    // What the numbers allow: the cut from the grid's base row.
    let incl_cut = floats(&rob, "incl_cut").first().copied().flatten();
    let whole_pri = (0..sol.height())
        .find(|&i| kind[i] == shown && model[i] == "M1" && term[i] == "*")
        .and_then(|i| pri[i]);
    let mut caveats: Vec<String> = Vec::new();
    if let Some(c) = sc {
        let cut = incl_cut.unwrap_or(MIN_CONSISTENCY).max(MIN_CONSISTENCY);
        if c < cut {
            caveats.push(if zh {
                format!(
                    "总体一致性 {} 低于{}",
                    f3(sc),
                    match incl_cut {
                        Some(k) if k >= MIN_CONSISTENCY =>
                            format!("设定的一致性阈值 {}", f3(Some(k))),
                        _ => format!("常用下限 {}", f3(Some(MIN_CONSISTENCY))),
                    }
                )
            } else {
                format!(
                    "the solution's consistency {} is below {}",
                    f3(sc),
                    match incl_cut {
                        Some(k) if k >= MIN_CONSISTENCY => format!("its own cut {}", f3(Some(k))),
                        _ => format!("the usual floor {}", f3(Some(MIN_CONSISTENCY))),
                    }
                )
            });
        }
    }
    if let Some(p) = whole_pri.filter(|p| *p < MIN_PRI) {
        caveats.push(if zh {
            format!(
                "PRI {} 低于 {}（该解对结果缺席几乎同样一致）",
                f3(Some(p)),
                f3(Some(MIN_PRI))
            )
        } else {
            format!(
                "its PRI {} is below {} (it is nearly as consistent with the outcome's absence)",
                f3(Some(p)),
                f3(Some(MIN_PRI))
            )
        });
    }
    if settings > 0 && kept * 2 < settings {
        caveats.push(if zh {
            format!("稳健性检验的 {settings} 个设置中只有 {kept} 个给出相同的解（不足一半）")
        } else {
            format!("only {kept} of the robustness grid's {settings} settings give the same solution (fewer than half)")
        });
    }
    // Settings that find no solution at all, and sufficient rows with a
    // low PRI, are said too.
    let empty = strs(&rob, "parsimonious")
        .iter()
        .skip(1)
        .filter(|x| x.is_empty())
        .count();
    let truth = table(dir, "qca_truth_table")?;
    let (out_code, row_pri) = (strs(&truth, "OUT"), floats(&truth, "PRI"));
    let low_pri = (0..truth.height())
        .filter(|&r| out_code[r] == "1" && row_pri[r].is_some_and(|p| p < MIN_PRI))
        .count();
    let mut remarks: Vec<String> = Vec::new();
    let weak: Vec<String> = (0..sol.height())
        .filter(|&i| kind[i] == shown && model[i] == "M1" && term[i] != "*")
        .filter(|&i| pri[i].is_some_and(|p| p < MIN_PRI))
        .map(|i| format!("{}（PRI {}）", term_label(lang, &term[i]), f3(pri[i])))
        .collect();
    if !weak.is_empty() {
        remarks.push(if zh {
            format!("组态 {} 的 PRI 低于 {}：它们对结果缺席几乎同样一致", weak.join("、"), f3(Some(MIN_PRI)))
        } else {
            format!("the configuration(s) {} have a PRI below {}: nearly as consistent with the outcome's absence", weak.join(", "), f3(Some(MIN_PRI)))
        });
    }
    let all_units = table(dir, "units").map(|t| t.height()).unwrap_or(0);
    if all_units > cal.height() {
        remarks.push(if zh {
            format!(
                "{} 个单位中 {} 个缺少某个条件或结果的数值，未纳入分析",
                all_units,
                all_units - cal.height()
            )
        } else {
            format!(
                "{} of the {} units lack a condition's or the outcome's value and are left out",
                all_units - cal.height(),
                all_units
            )
        });
    }
    if empty > 0 {
        remarks.push(if zh {
            format!("{empty} 个稳健性设置（较高的一致性阈值）下没有任何组态达到阈值，即无解")
        } else {
            format!("{empty} robustness setting(s) (the higher consistency cuts) find no configuration at all")
        });
    }
    if low_pri > 0 {
        remarks.push(if zh {
            format!("真值表中 {low_pri} 个编码为充分（OUT = 1）的行 PRI 低于 {}（未设 pri_cut），这些行对结果缺席几乎同样一致", f3(Some(MIN_PRI)))
        } else {
            format!("{low_pri} truth-table row(s) coded sufficient (OUT = 1) have a PRI below {} (no pri_cut was set): they are nearly as consistent with the outcome's absence", f3(Some(MIN_PRI)))
        });
    }
    // Conditions against their expected direction.
    let cal_t = table(dir, "qca_calibration").ok();
    let expect: std::collections::BTreeMap<String, u8> = cal_t
        .as_ref()
        .map(|t| {
            let (set, ex) = (strs(t, "set"), floats(t, "expect"));
            set.into_iter()
                .zip(ex)
                .filter_map(|(s, e)| Some((s, e? as u8)))
                .collect()
        })
        .unwrap_or_default();
    let mut against: Vec<String> = Vec::new();
    for i in (0..sol.height()).filter(|&i| kind[i] == shown && model[i] == "M1" && term[i] != "*") {
        for lit in term[i].split('*') {
            let (set, present) = match lit.strip_prefix('~') {
                Some(s) => (s, false),
                None => (lit, true),
            };
            let Some(&e) = expect.get(set) else { continue };
            if (e == 1) != present {
                let shown_lit = if present {
                    set_label(lang, set)
                } else {
                    format!("~{}", set_label(lang, set))
                };
                let t = term_label(lang, &term[i]);
                against.push(if zh {
                    format!(
                        "组态 {t} 中的 {shown_lit}（预期{}）",
                        if e == 1 { "存在" } else { "缺席" }
                    )
                } else {
                    format!(
                        "{shown_lit} in {t} (expected {})",
                        if e == 1 { "present" } else { "absent" }
                    )
                });
            }
        }
    }
    let is_finding = caveats.is_empty();
    if !is_finding {
        text.push_str(&if zh {
            format!("但{}：该解不构成充分条件的证据，仅作探索性描述，不列为发现。", caveats.join("；"))
        } else {
            format!(" But {}: the solution is not evidence of sufficiency, is descriptive only and is not a finding.", caveats.join("; "))
        });
    }
    if !remarks.is_empty() {
        text.push_str(&if zh {
            format!("另外，{}。", remarks.join("；"))
        } else {
            format!(" Also, {}.", remarks.join("; "))
        });
    }
    if !against.is_empty() {
        text.push_str(&if zh {
            format!("与方向预期相反的条件：{}——需要理论上的解释，或说明预期有误。", against.join("；"))
        } else {
            format!(" Conditions against their expected direction: {} — they need a theoretical account, or the expectation was wrong.", against.join("; "))
        });
    }
    let finding = Some(if is_finding {
        if zh {
            format!("组态分析（fsQCA）：{}{}（总体一致性 {}，覆盖度 {}；{kept}/{settings} 个稳健性设置给出相同的解）。", solution_name, terms.rows.iter().take(n_terms).map(|r| r[0].shown(None, lang)).collect::<Vec<_>>().join(" + "), f3(sc), f3(sv))
        } else {
            format!("Configurational analysis (fsQCA): the {} is {} (consistency {}, coverage {}; {kept} of {settings} robustness settings give the same solution).", solution_name, terms.rows.iter().take(n_terms).map(|r| r[0].shown(None, lang)).collect::<Vec<_>>().join(" + "), f3(sc), f3(sv))
        }
    } else if zh {
        format!(
            "组态分析（fsQCA）未得出可作为发现的充分组态：{}。",
            caveats.join("；")
        )
    } else {
        format!(
            "Configurational analysis (fsQCA) finds no configuration to report as sufficient: {}.",
            caveats.join("; ")
        )
    });
    let facts = QcaFacts {
        caveats: if is_finding {
            Vec::new()
        } else {
            vec![if zh {
                format!("fsQCA 的解未达标准：{}；只作探索。", caveats.join("；"))
            } else {
                format!(
                    "The fsQCA solution falls short: {}; it is exploratory only.",
                    caveats.join("; ")
                )
            }]
        },
    };

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
    let mut blocks = vec![
        Block::Heading(label(lang, "qca_heading").into()),
        Block::Paragraph(text),
    ];
    if let Some(t) = &cal_t {
        blocks.push(Block::Table(calibration_table(t, simulated, lang)));
    }
    blocks.push(Block::Table(truth_table(
        &truth,
        &conditions,
        &outcome,
        simulated,
        lang,
    )));
    blocks.extend([
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
    ]);
    Ok(QcaSection {
        blocks,
        finding,
        facts,
    })
}

/// How each set was made: its method and anchors, and the direction
/// expected of it.
fn calibration_table(t: &polars::prelude::DataFrame, simulated: bool, lang: Lang) -> Table {
    let zh = lang == Lang::Zh;
    let (set, role, method) = (strs(t, "set"), strs(t, "role"), strs(t, "method"));
    let (e, c, i, ex) = (
        floats(t, "exclusion"),
        floats(t, "crossover"),
        floats(t, "inclusion"),
        floats(t, "expect"),
    );
    let mut out = Table::new(
        label(lang, "qca_calibration_sheet"),
        &labels::titled(lang, "qca_calibration_title", simulated),
        vec![
            Column::text(label(lang, "qca_set")),
            Column::text(label(lang, "qca_role")),
            Column::text(label(lang, "qca_method")),
            Column::number(label(lang, "qca_exclusion"), Kind::Coefficient),
            Column::number(label(lang, "qca_crossover"), Kind::Coefficient),
            Column::number(label(lang, "qca_inclusion"), Kind::Coefficient),
            Column::text(label(lang, "qca_expect")),
        ],
    );
    for k in 0..t.height() {
        let role = match (role[k].as_str(), zh) {
            ("outcome", true) => "结果",
            (_, true) => "条件",
            ("outcome", false) => "outcome",
            (_, false) => "condition",
        };
        let expect = match (ex.get(k).copied().flatten(), zh) {
            (Some(v), true) if v >= 1.0 => "存在",
            (Some(_), true) => "缺席",
            (Some(v), false) if v >= 1.0 => "present",
            (Some(_), false) => "absent",
            (None, true) => "—",
            (None, false) => "—",
        };
        out.rows.push(vec![
            Cell::text(set_label(lang, &set[k])),
            Cell::text(role),
            Cell::text(label(lang, &format!("qca_method_{}", method[k]))),
            Cell::Num(e[k]),
            Cell::Num(c[k]),
            Cell::Num(i[k]),
            Cell::text(expect),
        ]);
    }
    out
}

/// The truth table as R QCA prints it: each row's configuration, outcome
/// code, cases, consistency and PRI.
fn truth_table(
    t: &polars::prelude::DataFrame,
    conditions: &[String],
    outcome: &str,
    simulated: bool,
    lang: Lang,
) -> Table {
    let mut cols: Vec<Column> = conditions
        .iter()
        .map(|c| Column::number(set_label(lang, c), Kind::Count))
        .collect();
    cols.extend([
        Column::text(format!("{} (OUT)", set_label(lang, outcome))),
        Column::number(label(lang, "qca_n_cases"), Kind::Count),
        Column::number(label(lang, "qca_consistency"), Kind::Coefficient),
        Column::number(label(lang, "qca_pri"), Kind::Coefficient),
    ]);
    let mut out = Table::new(
        label(lang, "qca_truth_sheet"),
        &labels::titled(lang, "qca_truth_title", simulated),
        cols,
    );
    let bits: Vec<Vec<Option<f64>>> = conditions.iter().map(|c| floats(t, c)).collect();
    let (o, n, incl, pri) = (
        strs(t, "OUT"),
        floats(t, "n"),
        floats(t, "incl"),
        floats(t, "PRI"),
    );
    for r in 0..t.height() {
        if n[r].unwrap_or(0.0) == 0.0 {
            continue;
        }
        let mut row: Vec<Cell> = bits.iter().map(|b| Cell::Num(b[r])).collect();
        row.extend([
            Cell::text(&o[r]),
            Cell::Num(n[r]),
            Cell::Num(incl[r]),
            Cell::Num(pri[r]),
        ]);
        out.rows.push(row);
    }
    out
}
