//! Imputation of an indicator's missing values before normalisation
//! (COINr's `Impute()`), pure; every filled cell is returned so that it can
//! be listed.
//!
//! - `None`: nothing filled — the index renormalises the weights over the
//!   indicators a unit has (today's behaviour).
//! - `Mean`, `Median`: the indicator's mean or median over the units that
//!   have it.
//! - `GroupMean`, `GroupMedian`: the same within the unit's group (its
//!   model, its parent region).
//! - `Latest`: the unit's latest earlier value (panels), when it has one.

/// How missing values are filled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Imputation {
    None,
    Mean,
    Median,
    GroupMean,
    GroupMedian,
    Latest,
}

impl Imputation {
    /// The config's name of the method (`[index] imputation`).
    pub fn name(self) -> &'static str {
        match self {
            Imputation::None => "none",
            Imputation::Mean => "mean",
            Imputation::Median => "median",
            Imputation::GroupMean => "group_mean",
            Imputation::GroupMedian => "group_median",
            Imputation::Latest => "latest",
        }
    }
}

/// An indicator after imputation: its values and (position, value) of
/// every cell filled.
#[derive(Debug, Clone, PartialEq)]
pub struct Imputed {
    pub values: Vec<Option<f64>>,
    pub filled: Vec<(usize, f64)>,
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

fn median(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let n = s.len();
    if n % 2 == 1 {
        s[n / 2]
    } else {
        (s[n / 2 - 1] + s[n / 2]) / 2.0
    }
}

/// Fills `values` by `how`. `groups` (a label per unit) is needed by the
/// group methods, `earlier` (per earlier period, oldest first, a value per
/// unit) by `Latest`. An indicator missing for every unit, or for every
/// unit of a group that needs filling, is an error naming it.
pub fn impute(
    values: &[Option<f64>],
    how: Imputation,
    groups: Option<&[String]>,
    earlier: &[Vec<Option<f64>>],
) -> Result<Imputed, String> {
    if how == Imputation::None {
        // Nothing to fill, so nothing to refuse: an indicator missing for
        // every unit is left to the index, which renormalises its weights.
        return Ok(Imputed {
            values: values.to_vec(),
            filled: Vec::new(),
        });
    }
    let present: Vec<f64> = values.iter().flatten().copied().collect();
    if present.is_empty() {
        return Err("missing for every unit".into());
    }
    let fill = |pick: &dyn Fn(usize) -> Result<Option<f64>, String>| -> Result<Imputed, String> {
        let mut out = values.to_vec();
        let mut filled = Vec::new();
        for (u, v) in out.iter_mut().enumerate() {
            if v.is_none() {
                if let Some(x) = pick(u)? {
                    *v = Some(x);
                    filled.push((u, x));
                }
            }
        }
        Ok(Imputed {
            values: out,
            filled,
        })
    };
    match how {
        Imputation::None => unreachable!("returned above"),
        Imputation::Mean => {
            let m = mean(&present);
            fill(&|_| Ok(Some(m)))
        }
        Imputation::Median => {
            let m = median(&present);
            fill(&|_| Ok(Some(m)))
        }
        Imputation::GroupMean | Imputation::GroupMedian => {
            let groups = groups.ok_or("group imputation needs each unit's group")?;
            // Each group's values gathered once: a national period has
            // 620k units, and scanning them per missing cell is quadratic.
            let mut by_group: std::collections::HashMap<&str, Vec<f64>> =
                std::collections::HashMap::new();
            for (v, g) in values.iter().zip(groups) {
                let e = by_group.entry(g.as_str()).or_default();
                if let Some(x) = v {
                    e.push(*x);
                }
            }
            let stat: std::collections::HashMap<&str, Option<f64>> = by_group
                .into_iter()
                .map(|(g, v)| {
                    let s = (!v.is_empty()).then(|| {
                        if how == Imputation::GroupMean {
                            mean(&v)
                        } else {
                            median(&v)
                        }
                    });
                    (g, s)
                })
                .collect();
            fill(&|u| match stat[groups[u].as_str()] {
                Some(x) => Ok(Some(x)),
                None => Err(format!("missing for every unit of group {}", groups[u])),
            })
        }
        Imputation::Latest => fill(&|u| {
            Ok(earlier
                .iter()
                .rev()
                .find_map(|period| period.get(u).copied().flatten()))
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_method_fills_what_it_should_and_lists_it() {
        let v = [Some(1.0), None, Some(3.0), Some(10.0), None];
        assert_eq!(
            impute(&v, Imputation::Mean, None, &[]).unwrap().filled,
            vec![(1, 14.0 / 3.0), (4, 14.0 / 3.0)]
        );
        assert_eq!(
            impute(&v, Imputation::Median, None, &[]).unwrap().filled,
            vec![(1, 3.0), (4, 3.0)]
        );
        let g: Vec<String> = ["a", "a", "b", "b", "b"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(
            impute(&v, Imputation::GroupMean, Some(&g), &[])
                .unwrap()
                .filled,
            vec![(1, 1.0), (4, 6.5)]
        );
        let earlier = vec![
            vec![None, Some(5.0), None, None, None],
            vec![None, None, None, None, Some(8.0)],
        ];
        let got = impute(&v, Imputation::Latest, None, &earlier).unwrap();
        assert_eq!(got.filled, vec![(1, 5.0), (4, 8.0)]);
        assert!(impute(&v, Imputation::None, None, &[])
            .unwrap()
            .filled
            .is_empty());
    }

    #[test]
    fn an_empty_indicator_or_group_is_named() {
        assert_eq!(
            impute(&[None, None], Imputation::Mean, None, &[]).unwrap_err(),
            "missing for every unit"
        );
        let g: Vec<String> = ["a", "b", "b"].iter().map(|s| s.to_string()).collect();
        let err = impute(
            &[None, Some(1.0), Some(2.0)],
            Imputation::GroupMedian,
            Some(&g),
            &[],
        )
        .unwrap_err();
        assert_eq!(err, "missing for every unit of group a");
    }
}
