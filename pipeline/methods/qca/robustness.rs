//! The robustness grid around a study: the cuts tried and each anchor
//! moved alone, with each setting's solutions and their fit against the
//! base (Oana and Schneider's robustness fit).

use std::collections::BTreeMap;

use polars::prelude::*;

use super::spec::{Calibration, Qca};
use super::{
    cover_membership, expression, ferr, same_terms, set, solve, AnalysisError, Cases, Solved,
};
use crate::methods::qca::sets::{self as qca, Anchors, Cuts, Implicant};

/// The robustness grid around the base analysis.
pub(super) struct Grid<'a> {
    pub(super) cases: &'a Cases,
    pub(super) spec: &'a Qca,
    pub(super) calib: &'a BTreeMap<String, Option<Calibration>>,
    pub(super) expect: Option<&'a [Option<bool>]>,
    pub(super) impossible: &'a [u32],
    pub(super) base: &'a Solved,
    pub(super) base_membership: Vec<f64>,
    pub(super) conds: &'a [Vec<f64>],
    pub(super) y: &'a [f64],
}

/// One setting of the grid: what changed, the cuts, and the sets.
struct Setting {
    varied: &'static str,
    setting: String,
    cuts: Cuts,
    moved: Option<(String, Calibration)>,
}

impl Grid<'_> {
    fn settings(&self) -> Vec<Setting> {
        let s = self.spec;
        let base_cuts = Cuts {
            incl: s.incl_cut,
            n: s.n_cut,
            pri: s.pri_cut,
        };
        let mut out = vec![Setting {
            varied: "base",
            setting: format!("incl_cut = {}, n_cut = {}", s.incl_cut, s.n_cut),
            cuts: base_cuts,
            moved: None,
        }];
        for &incl in &s.robustness.incl_cuts {
            for &n in &s.robustness.n_cuts {
                if (incl - s.incl_cut).abs() < 1e-12 && n == s.n_cut {
                    continue;
                }
                out.push(Setting {
                    varied: "cuts",
                    setting: format!("incl_cut = {incl}, n_cut = {n}"),
                    cuts: Cuts {
                        incl,
                        n,
                        pri: s.pri_cut,
                    },
                    moved: None,
                });
            }
        }
        let f = s.robustness.anchor_shift;
        if f == 0.0 {
            return out;
        }
        for (name, c) in self.calib {
            let Some(c) = c else { continue };
            let moves: Vec<(String, Calibration)> = match *c {
                Calibration::Fuzzy { e, c, i } => {
                    let d = f * (i - e).abs();
                    let mut v = Vec::new();
                    for (which, sign) in [
                        ("e", -1.0),
                        ("e", 1.0),
                        ("c", -1.0),
                        ("c", 1.0),
                        ("i", -1.0),
                        ("i", 1.0),
                    ] {
                        let (mut a, mut b, mut z) = (e, c, i);
                        let slot = match which {
                            "e" => &mut a,
                            "c" => &mut b,
                            _ => &mut z,
                        };
                        let from = *slot;
                        *slot += sign * d;
                        let to = *slot;
                        if qca::check_anchors(Anchors { e: a, c: b, i: z }).is_ok() {
                            v.push((
                                format!("{name}: {which} {} → {}", num(from), num(to)),
                                Calibration::Fuzzy { e: a, c: b, i: z },
                            ));
                        }
                    }
                    v
                }
                Calibration::Crisp { threshold } => {
                    let col = &self.cases.columns[name];
                    let range = col.iter().copied().fold(f64::NEG_INFINITY, f64::max)
                        - col.iter().copied().fold(f64::INFINITY, f64::min);
                    [-1.0, 1.0]
                        .iter()
                        .map(|sign| {
                            let to = threshold + sign * f * range;
                            (
                                format!("{name}: threshold {} → {}", num(threshold), num(to)),
                                Calibration::Crisp { threshold: to },
                            )
                        })
                        .collect()
                }
            };
            for (setting, cal) in moves {
                out.push(Setting {
                    varied: "anchors",
                    setting,
                    cuts: base_cuts,
                    moved: Some((name.clone(), cal)),
                });
            }
        }
        out
    }

    pub(super) fn frame(&self) -> Result<DataFrame, AnalysisError> {
        let names = &self.spec.conditions;
        let n = self.cases.ids.len();
        let first =
            |c: &[Vec<Implicant>]| c.first().map(|c| expression(names, c)).unwrap_or_default();
        let (base_pars, base_inter) = (
            first(&self.base.parsimonious),
            first(&self.base.intermediate),
        );
        let (mut varied, mut setting, mut incl_cut, mut n_cut) = (vec![], vec![], vec![], vec![]);
        let (mut pars, mut same_p, mut inter, mut same_i) = (vec![], vec![], vec![], vec![]);
        let (mut fit_incl, mut fit_cov) = (vec![], vec![]);
        for st in self.settings() {
            let (conds, y) = match &st.moved {
                None => (self.conds.to_vec(), self.y.to_vec()),
                Some((col, cal)) => {
                    let moved = set(&self.cases.columns[col], Some(*cal), self.spec.log_odds);
                    let conds: Vec<Vec<f64>> = names
                        .iter()
                        .zip(self.conds)
                        .map(|(c, v)| if c == col { moved.clone() } else { v.clone() })
                        .collect();
                    let y = if *col == self.spec.outcome {
                        moved
                    } else {
                        self.y.to_vec()
                    };
                    (conds, y)
                }
            };
            let solved = solve(&conds, &y, st.cuts, self.expect, self.impossible);
            let (p, i) = (first(&solved.parsimonious), first(&solved.intermediate));
            let shown = if self.expect.is_some() {
                &solved.intermediate
            } else {
                &solved.parsimonious
            };
            // Oana and Schneider's robustness fit: how far the test solution
            // (on its own sets) is a subset of the base solution, and how
            // much of the base it covers.
            let (fi, fc) = match shown.first() {
                Some(cover) => {
                    let ts = cover_membership(&conds, cover, n);
                    let both: f64 = ts
                        .iter()
                        .zip(&self.base_membership)
                        .map(|(a, b)| a.min(*b))
                        .sum();
                    let st: f64 = ts.iter().sum();
                    let sb: f64 = self.base_membership.iter().sum();
                    (
                        Some(both / st).filter(|v| v.is_finite()),
                        Some(both / sb).filter(|v| v.is_finite()),
                    )
                }
                None => (None, None),
            };
            varied.push(st.varied);
            setting.push(st.setting);
            incl_cut.push(st.cuts.incl);
            n_cut.push(st.cuts.n as u64);
            same_p.push(!p.is_empty() && same_terms(&p, &base_pars));
            pars.push(p);
            if self.expect.is_some() {
                same_i.push(Some(!i.is_empty() && same_terms(&i, &base_inter)));
                inter.push(Some(i));
            } else {
                same_i.push(None);
                inter.push(None);
            }
            fit_incl.push(fi);
            fit_cov.push(fc);
        }
        df!(
            "varied" => varied, "setting" => setting, "incl_cut" => incl_cut, "n_cut" => n_cut,
            "parsimonious" => pars, "same_parsimonious" => same_p,
            "intermediate" => inter, "same_intermediate" => same_i,
            "fit_incl" => fit_incl, "fit_cov" => fit_cov,
        )
        .map_err(ferr("qca_robustness"))
    }
}

/// An anchor as the setting names it: at most 4 decimals, no trailing zeros.
fn num(x: f64) -> String {
    let s = format!("{x:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchor_settings_are_named_plainly() {
        assert_eq!(num(585.0), "585");
        assert_eq!(num(0.125), "0.125");
        assert_eq!(num(-0.00001), "0");
    }
}
