//! The index's data before normalisation, in COINr's order (`Impute()`
//! then `Treat()`, the JRC/OECD Handbook's steps 3 and 5): missing values
//! filled by the chosen [`Imputation`], then each indicator checked and, if
//! it fails, treated ([`super::treatment`]); and, when asked, weights from
//! the first principal component of each pillar. One function for both
//! doors (`govlens index` and the run's `index_scores`) and for every
//! evaluation of the sensitivity analysis, so the three cannot disagree.
//!
//! Imputing first means the treatment sees the full column (an imputed mean
//! is a value like any other there); the `index_imputed` table lists the
//! filled value, `index_treated` what treatment then did to any value.

use super::diagnostics::first_component;
use super::imputation::{impute, Imputation};
use super::score::Input;
use super::treatment::{self, Treated};

/// What the group and panel imputations need, a value per unit of the
/// input: its group (model, district, a column) and its latest earlier
/// value of each indicator.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Context {
    pub groups: Option<Vec<String>>,
    /// `earlier[unit][indicator]`: the unit's latest value before the
    /// period, if any.
    pub earlier: Option<Vec<Vec<Option<f64>>>>,
}

impl Context {
    /// The context of the units at `picked` (positions in the input).
    pub fn subset(&self, picked: &[usize]) -> Context {
        Context {
            groups: self
                .groups
                .as_ref()
                .map(|g| picked.iter().map(|&u| g[u].clone()).collect()),
            earlier: self
                .earlier
                .as_ref()
                .map(|e| picked.iter().map(|&u| e[u].clone()).collect()),
        }
    }
}

/// The input ready to normalise, and what was done to it.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub input: Input,
    /// Per indicator: its treatment (checks before and after, changed values).
    pub treated: Vec<Treated>,
    /// Per indicator: (unit position, value) of every filled cell.
    pub imputed: Vec<Vec<(usize, f64)>>,
}

fn column(input: &Input, j: usize) -> Vec<Option<f64>> {
    input.values.iter().map(|r| r[j]).collect()
}

/// Imputes by `how`, then treats with at most `winmax` winsorising steps (0:
/// checked, not treated). Errors name the indicator ("indicator X: …").
pub fn prepare(
    input: &Input,
    winmax: usize,
    how: Imputation,
    ctx: &Context,
) -> Result<Prepared, String> {
    let k = input.indicators.len();
    let mut out = input.clone();
    let mut treated = Vec::with_capacity(k);
    let mut imputed = Vec::with_capacity(k);
    for j in 0..k {
        let name = &input.indicators[j].name;
        let earlier: Vec<Vec<Option<f64>>> = match (&ctx.earlier, how) {
            // impute() reads earlier periods as a value per unit each.
            (Some(e), Imputation::Latest) => vec![e.iter().map(|r| r[j]).collect()],
            (None, Imputation::Latest) => {
                return Err(format!(
                    "indicator {name}: imputation \"latest\" needs earlier periods (a panel)"
                ))
            }
            _ => Vec::new(),
        };
        let filled = impute(&column(input, j), how, ctx.groups.as_deref(), &earlier)
            .map_err(|e| format!("indicator {name}: {e}"))?;
        let t = if winmax > 0 {
            treatment::treat(&filled.values, winmax)
        } else {
            let c = treatment::check(&filled.values.iter().flatten().copied().collect::<Vec<_>>());
            Treated {
                values: filled.values.clone(),
                how: treatment::How::None,
                before: c,
                after: c,
                changed: vec![],
            }
        };
        for (row, v) in out.values.iter_mut().zip(&t.values) {
            row[j] = *v;
        }
        imputed.push(filled.filled);
        treated.push(t);
    }
    Ok(Prepared {
        input: out,
        treated,
        imputed,
    })
}

/// PCA weights (COINr's `get_PCA()` weights): within each pillar, the
/// loadings of the first principal component of the indicators'
/// correlation matrix (directions applied, complete units), oriented so
/// that they sum to a positive number — the sign of a component is
/// arbitrary, which is why COINr warns that these weights need care — and a
/// pillar of one indicator weighs 1. An indicator whose loading is still
/// negative would be turned against its direction: that is an error naming
/// it, as is a pillar without two complete units.
pub fn pca_weights(input: &Input) -> Result<Vec<f64>, String> {
    let k = input.indicators.len();
    let mut w = vec![1.0; k];
    for p in input.pillars() {
        let members: Vec<usize> = (0..k)
            .filter(|&j| input.indicators[j].pillar == p)
            .collect();
        if members.len() < 2 {
            continue;
        }
        let items: Vec<Vec<Option<f64>>> = members
            .iter()
            .map(|&j| {
                column(input, j)
                    .into_iter()
                    .map(|v| v.map(|x| x * input.indicators[j].direction))
                    .collect()
            })
            .collect();
        let (load, _) = first_component(&items).ok_or_else(|| {
            format!("pillar {p}: PCA weights need at least two units with every indicator and variation in each")
        })?;
        for (&j, l) in members.iter().zip(load) {
            if l < 0.0 {
                return Err(format!(
                    "indicator {}: its loading on pillar {p}'s first principal component is {l:.3}, so PCA weights would reverse it (use weights = \"given\")",
                    input.indicators[j].name
                ));
            }
            w[j] = l;
        }
    }
    Ok(w)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::methods::index::score::Indicator;

    fn input(values: Vec<Vec<Option<f64>>>, pillars: &[&str]) -> Input {
        Input {
            units: (0..values.len()).map(|u| format!("u{u}")).collect(),
            indicators: pillars
                .iter()
                .enumerate()
                .map(|(j, p)| Indicator {
                    name: format!("x{j}"),
                    pillar: p.to_string(),
                    direction: 1.0,
                    weight: 1.0,
                })
                .collect(),
            pillar_weights: vec![],
            values,
        }
    }

    /// COINr's order: the mean is imputed from the raw column (outlier
    /// included), then the column, filled, is treated.
    #[test]
    fn imputation_comes_before_treatment() {
        let mut v: Vec<Vec<Option<f64>>> = (1..=10).map(|x| vec![Some(x as f64)]).collect();
        v.push(vec![Some(30.0)]);
        v.push(vec![Some(100.0)]);
        v.push(vec![None]);
        let p = prepare(&input(v, &["a"]), 5, Imputation::Mean, &Context::default()).unwrap();
        let mean = (55.0 + 130.0) / 12.0;
        assert_eq!(p.imputed[0], vec![(12, mean)]);
        assert_eq!(p.input.values[12][0], Some(mean));
        assert!(p.treated[0].changed.contains(&(11, 100.0, 30.0)));
    }

    #[test]
    fn latest_without_a_panel_is_named() {
        let err = prepare(
            &input(vec![vec![Some(1.0)], vec![None]], &["a"]),
            0,
            Imputation::Latest,
            &Context::default(),
        )
        .unwrap_err();
        assert!(
            err.starts_with("indicator x0: imputation \"latest\""),
            "{err}"
        );
    }

    /// Two indicators of one pillar load equally on its first component
    /// (1/√2 each); a lone indicator weighs 1.
    #[test]
    fn pca_weights_are_first_component_loadings() {
        let v: Vec<Vec<Option<f64>>> = [
            (1.0, 2.0, 5.0),
            (2.0, 1.0, 3.0),
            (3.0, 5.0, 1.0),
            (4.0, 4.0, 2.0),
        ]
        .iter()
        .map(|&(a, b, c)| vec![Some(a), Some(b), Some(c)])
        .collect();
        let w = pca_weights(&input(v, &["p", "p", "q"])).unwrap();
        let h = 0.5f64.sqrt();
        assert!((w[0] - h).abs() < 1e-9 && (w[1] - h).abs() < 1e-9, "{w:?}");
        assert_eq!(w[2], 1.0);
    }

    #[test]
    fn a_negative_loading_is_refused() {
        let v: Vec<Vec<Option<f64>>> = [
            (1.0, 1.0, 4.0),
            (2.0, 2.0, 3.0),
            (3.0, 3.1, 2.0),
            (4.0, 4.0, 1.0),
        ]
        .iter()
        .map(|&(a, b, c)| vec![Some(a), Some(b), Some(c)])
        .collect();
        let err = pca_weights(&input(v, &["p", "p", "p"])).unwrap_err();
        assert!(err.starts_with("indicator x2:"), "{err}");
    }
}
