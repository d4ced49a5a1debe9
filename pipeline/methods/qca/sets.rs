//! Fuzzy-set qualitative comparative analysis (fsQCA), as R's QCA package
//! (Dușa, 3.25) defines it: pure functions on plain membership vectors, so
//! that `compare` and a standalone command apply the same code.
//!
//! - **Calibration** ([`calibrate`]), the direct method with three anchors —
//!   full non-membership `e`, crossover `c`, full membership `i` (decreasing
//!   when `e > i`) — and a slope on each side of the crossover:
//!   μ = 1 / (1 + exp(−k·(x − c)/(i − c))) on the `i` side,
//!   μ = 1 / (1 + exp(−k·(x − c)/(c − e))) on the `e` side; `k` is the
//!   log-odds at the anchors (3 in Ragin's fs/QCA, which the published
//!   Lipset memberships need; R's default idm = 0.95 is k = ln 19).
//!   Memberships below 1e-4 snap to 0 and above 0.9999 to 1, as R does.
//! - **Necessity** ([`necessity`]): inclN = Σmin(X,Y)/ΣY,
//!   covN = Σmin(X,Y)/ΣX, RoN = Σ(1−X)/Σ(1−min(X,Y)).
//! - **Sufficiency** of any set ([`fit`]): inclS = Σmin(X,Y)/ΣX,
//!   PRI = (Σmin(X,Y) − Σmin(X,Y,1−Y))/(ΣX − Σmin(X,Y,1−Y)),
//!   covS = Σmin(X,Y)/ΣY.
//! - **Truth table** ([`truth_table`]): the 2^k configurations, numbered as
//!   R numbers them (the binary index + 1, the first condition the most
//!   significant bit); a case belongs to the row in which its membership is
//!   above 0.5; OUT is `?` below `n_cut` cases, 1 when incl ≥ incl_cut and
//!   PRI ≥ pri_cut, else 0.
//! - **Minimisation** ([`minimise`]): exact Quine–McCluskey prime
//!   implicants, then every cover of the positive rows with the fewest
//!   implicants (R's M1, M2 …): the complex solution uses the positive rows
//!   only, the parsimonious one lets the remainders (`?`) be either, and the
//!   intermediate one only the easy counterfactuals among the parsimonious
//!   solution's simplifying assumptions ([`easy_counterfactuals`]).

/// Calibration anchors: full non-membership, crossover, full membership.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Anchors {
    pub e: f64,
    pub c: f64,
    pub i: f64,
}

/// Why the anchors cannot calibrate.
pub fn check_anchors(a: Anchors) -> Result<(), String> {
    let increasing = a.e < a.c && a.c < a.i;
    let decreasing = a.e > a.c && a.c > a.i;
    if increasing || decreasing {
        Ok(())
    } else {
        Err(format!(
            "anchors [{}, {}, {}] are not strictly ordered (full non-membership, crossover, full membership; decreasing when the first is the largest)",
            a.e, a.c, a.i
        ))
    }
}

/// A value's membership by the direct method (see the module docs).
pub fn calibrate(x: f64, a: Anchors, log_odds: f64) -> f64 {
    let i_side = (x - a.c) * (a.i - a.c) >= 0.0;
    let scaled = if i_side {
        (x - a.c) / (a.i - a.c)
    } else {
        (x - a.c) / (a.c - a.e)
    };
    // Both quotients are negative on the e side and positive on the i side,
    // increasing or decreasing.
    let m = 1.0 / (1.0 + (-log_odds * scaled).exp());
    if m < 1e-4 {
        0.0
    } else if m > 0.9999 {
        1.0
    } else {
        m
    }
}

/// Necessity of X for Y: (inclN, RoN, covN).
pub fn necessity(x: &[f64], y: &[f64]) -> (f64, f64, f64) {
    let both: f64 = x.iter().zip(y).map(|(a, b)| a.min(*b)).sum();
    let sx: f64 = x.iter().sum();
    let sy: f64 = y.iter().sum();
    let ron_num: f64 = x.iter().map(|a| 1.0 - a).sum();
    let ron_den: f64 = x.iter().zip(y).map(|(a, b)| 1.0 - a.min(*b)).sum();
    (both / sy, ron_num / ron_den, both / sx)
}

/// Sufficiency of a set X (a term or a solution's membership) for Y.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fit {
    pub incl: f64,
    pub pri: f64,
    pub cov: f64,
}

pub fn fit(x: &[f64], y: &[f64]) -> Fit {
    let (mut both, mut all3, mut sx, mut sy) = (0.0, 0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        let m = a.min(*b);
        both += m;
        all3 += m.min(1.0 - b);
        sx += a;
        sy += b;
    }
    Fit {
        incl: both / sx,
        pri: (both - all3) / (sx - all3),
        cov: both / sy,
    }
}

/// A truth table row's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Out {
    Positive,
    Negative,
    Remainder,
}

impl Out {
    pub fn as_str(self) -> &'static str {
        match self {
            Out::Positive => "1",
            Out::Negative => "0",
            Out::Remainder => "?",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct TruthRow {
    /// R's row number: the configuration's binary index + 1.
    pub row: usize,
    pub minterm: u32,
    /// Per condition, present (1) or absent (0).
    pub config: Vec<u8>,
    pub n: usize,
    pub incl: f64,
    pub pri: f64,
    pub out: Out,
    /// The cases (indexes) whose membership in the row is above 0.5.
    pub cases: Vec<usize>,
}

/// The settings of a truth table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cuts {
    pub incl: f64,
    pub n: usize,
    pub pri: f64,
}

/// A case's membership in a configuration (a conjunction, fuzzy AND = min).
fn membership(conds: &[Vec<f64>], case: usize, term: &Implicant) -> f64 {
    let k = conds.len();
    let mut m = 1.0f64;
    for (j, cond) in conds.iter().enumerate() {
        let bit = 1u32 << (k - 1 - j);
        if term.mask & bit == 0 {
            continue;
        }
        let v = cond[case];
        m = m.min(if term.value & bit != 0 { v } else { 1.0 - v });
    }
    m
}

/// Memberships of every case in a term.
pub fn term_membership(conds: &[Vec<f64>], term: &Implicant) -> Vec<f64> {
    let cases = conds.first().map(Vec::len).unwrap_or(0);
    (0..cases).map(|c| membership(conds, c, term)).collect()
}

/// The truth table of `conds` (per condition, a membership per case) for
/// the outcome `y`.
pub fn truth_table(conds: &[Vec<f64>], y: &[f64], cuts: Cuts) -> Vec<TruthRow> {
    let k = conds.len();
    let full = (1u32 << k) - 1;
    (0..(1u32 << k))
        .map(|minterm| {
            let term = Implicant {
                value: minterm,
                mask: full,
            };
            let m = term_membership(conds, &term);
            let cases: Vec<usize> = (0..y.len()).filter(|&c| m[c] > 0.5).collect();
            let f = fit(&m, y);
            let out = if cases.len() < cuts.n {
                Out::Remainder
            } else if f.incl >= cuts.incl - 1e-12 && f.pri >= cuts.pri - 1e-12 {
                Out::Positive
            } else {
                Out::Negative
            };
            TruthRow {
                row: minterm as usize + 1,
                minterm,
                config: (0..k)
                    .map(|j| ((minterm >> (k - 1 - j)) & 1) as u8)
                    .collect(),
                n: cases.len(),
                incl: f.incl,
                pri: f.pri,
                out,
                cases,
            }
        })
        .collect()
}

/// The minterms of the rows with outcome `out`: the positive rows and the
/// remainders minimisation works on.
pub fn rows_with(table: &[TruthRow], out: Out) -> Vec<u32> {
    table
        .iter()
        .filter(|r| r.out == out)
        .map(|r| r.minterm)
        .collect()
}

/// A product term over k conditions: `mask` names the conditions it keeps,
/// `value` whether each kept one is present.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Implicant {
    pub value: u32,
    pub mask: u32,
}

impl Implicant {
    fn covers(&self, minterm: u32) -> bool {
        minterm & self.mask == self.value & self.mask
    }

    /// As R writes it: `DEV*~IND`.
    pub fn name(&self, names: &[String]) -> String {
        let k = names.len();
        names
            .iter()
            .enumerate()
            .filter_map(|(j, n)| {
                let bit = 1u32 << (k - 1 - j);
                (self.mask & bit != 0).then(|| {
                    if self.value & bit != 0 {
                        n.clone()
                    } else {
                        format!("~{n}")
                    }
                })
            })
            .collect::<Vec<_>>()
            .join("*")
    }
}

/// The prime implicants of the `on ∪ dc` minterms (k conditions).
fn primes(on: &[u32], dc: &[u32], k: usize) -> Vec<Implicant> {
    let full = (1u32 << k) - 1;
    let mut current: std::collections::BTreeSet<Implicant> = on
        .iter()
        .chain(dc)
        .map(|&m| Implicant {
            value: m,
            mask: full,
        })
        .collect();
    let mut primes = Vec::new();
    while !current.is_empty() {
        let list: Vec<Implicant> = current.iter().copied().collect();
        let mut used = vec![false; list.len()];
        let mut next = std::collections::BTreeSet::new();
        for a in 0..list.len() {
            for b in a + 1..list.len() {
                let (x, y) = (list[a], list[b]);
                if x.mask != y.mask {
                    continue;
                }
                let diff = (x.value ^ y.value) & x.mask;
                if diff.count_ones() == 1 {
                    used[a] = true;
                    used[b] = true;
                    let mask = x.mask & !diff;
                    next.insert(Implicant {
                        value: x.value & mask,
                        mask,
                    });
                }
            }
        }
        primes.extend(
            list.iter()
                .zip(&used)
                .filter(|(_, u)| !**u)
                .map(|(p, _)| *p),
        );
        current = next;
    }
    primes.sort();
    primes
}

/// Every cover of the positive minterms `on` by prime implicants of `on ∪
/// dc` with the fewest implicants: one model, or several (M1, M2 …), in
/// the order of their implicants.
///
/// Exact, and fast enough for a run's hundreds of positive rows: the
/// essential implicants (the only cover of some row) are in every minimal
/// cover; the rest is an iterative-deepening search that branches on the
/// uncovered row with the fewest implicants covering it, so every cover of
/// the smallest size is found, each once.
pub fn minimise(on: &[u32], dc: &[u32], k: usize) -> Vec<Vec<Implicant>> {
    if on.is_empty() {
        return Vec::new();
    }
    // Only implicants covering at least one positive row matter.
    let pis: Vec<Implicant> = primes(on, dc, k)
        .into_iter()
        .filter(|p| on.iter().any(|&m| p.covers(m)))
        .collect();
    // Per positive row, the implicants covering it.
    let by_row: Vec<Vec<usize>> = on
        .iter()
        .map(|&m| (0..pis.len()).filter(|&p| pis[p].covers(m)).collect())
        .collect();
    let mut essential: Vec<usize> = by_row
        .iter()
        .filter(|c| c.len() == 1)
        .map(|c| c[0])
        .collect();
    essential.sort();
    essential.dedup();
    let open: Vec<usize> = (0..on.len())
        .filter(|&r| !by_row[r].iter().any(|p| essential.contains(p)))
        .collect();
    let mut found: std::collections::BTreeSet<Vec<usize>> = std::collections::BTreeSet::new();
    for extra in 0..=pis.len() {
        let mut pick = Vec::new();
        search(&by_row, &open, extra, &mut pick, &mut found);
        if !found.is_empty() {
            break;
        }
    }
    let mut covers: Vec<Vec<usize>> = found
        .into_iter()
        .map(|mut c| {
            c.extend(&essential);
            c.sort();
            c
        })
        .collect();
    covers.sort();
    covers
        .into_iter()
        .map(|c| c.into_iter().map(|i| pis[i]).collect())
        .collect()
}

/// Every set of `left` more implicants that, with `pick`, covers the rows
/// `open` (into `found`, sorted so that each set is found once).
fn search(
    by_row: &[Vec<usize>],
    open: &[usize],
    left: usize,
    pick: &mut Vec<usize>,
    found: &mut std::collections::BTreeSet<Vec<usize>>,
) {
    let uncovered: Vec<usize> = open
        .iter()
        .copied()
        .filter(|&r| !by_row[r].iter().any(|p| pick.contains(p)))
        .collect();
    if uncovered.is_empty() {
        let mut c = pick.clone();
        c.sort();
        found.insert(c);
        return;
    }
    if left == 0 {
        return;
    }
    let row = *uncovered
        .iter()
        .min_by_key(|&&r| by_row[r].len())
        .expect("not empty");
    for &p in &by_row[row] {
        pick.push(p);
        search(by_row, open, left - 1, pick, found);
        pick.pop();
    }
}

/// The remainders a solution assumes: those covered by any of its terms
/// (R's simplifying assumptions), ascending.
pub fn simplifying_assumptions(terms: &[Implicant], remainders: &[u32]) -> Vec<u32> {
    let mut out: Vec<u32> = remainders
        .iter()
        .copied()
        .filter(|&r| terms.iter().any(|t| t.covers(r)))
        .collect();
    out.sort();
    out
}

/// The easy counterfactuals among `assumptions` (Ragin and Sonnett): a
/// remainder that differs from some positive row only in conditions where
/// the remainder holds the expected value (`expect[j]`: `Some(true)` the
/// condition is expected to contribute when present, `Some(false)` when
/// absent, `None` no expectation, so it must agree). The intermediate
/// solution minimises the positive rows with these as the only remainders.
pub fn easy_counterfactuals(
    on: &[u32],
    assumptions: &[u32],
    expect: &[Option<bool>],
    k: usize,
) -> Vec<u32> {
    assumptions
        .iter()
        .copied()
        .filter(|&r| {
            on.iter().any(|&c| {
                (0..k).all(|j| {
                    let bit = 1u32 << (k - 1 - j);
                    let (rv, cv) = (r & bit != 0, c & bit != 0);
                    rv == cv || expect[j] == Some(rv)
                })
            })
        })
        .collect()
}

/// One term of a solution with its fit and the cases it holds (membership
/// above 0.5 in the term and in the outcome... R lists the term's cases
/// among the positive rows it covers).
#[derive(Debug, Clone, PartialEq)]
pub struct Term {
    pub term: Implicant,
    pub name: String,
    pub fit: Fit,
    /// Unique coverage: the solution's coverage less that without this term.
    pub cov_unique: f64,
    pub cases: Vec<usize>,
}

/// A solution's terms and fit.
#[derive(Debug, Clone, PartialEq)]
pub struct Solution {
    pub terms: Vec<Term>,
    pub fit: Fit,
}

/// The fit of a cover: each term's, the union's (fuzzy OR = max), and each
/// term's unique coverage. A term's cases are the cases of the positive
/// truth-table rows it covers.
pub fn solution(
    conds: &[Vec<f64>],
    y: &[f64],
    names: &[String],
    terms: &[Implicant],
    table: &[TruthRow],
) -> Solution {
    let members: Vec<Vec<f64>> = terms.iter().map(|t| term_membership(conds, t)).collect();
    let union = |skip: Option<usize>| -> Vec<f64> {
        (0..y.len())
            .map(|c| {
                members
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| Some(*i) != skip)
                    .map(|(_, m)| m[c])
                    .fold(0.0, f64::max)
            })
            .collect()
    };
    let whole = fit(&union(None), y);
    let terms = terms
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let without = if terms.len() > 1 {
                fit(&union(Some(i)), y).cov
            } else {
                0.0
            };
            let mut cases: Vec<usize> = table
                .iter()
                .filter(|r| r.out == Out::Positive && t.covers(r.minterm))
                .flat_map(|r| r.cases.iter().copied())
                .collect();
            cases.sort();
            Term {
                term: *t,
                name: t.name(names),
                fit: fit(&members[i], y),
                cov_unique: whole.cov - without,
                cases,
            }
        })
        .collect();
    Solution { terms, fit: whole }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quine_mccluskey_finds_the_textbook_cover() {
        // f(a,b,c) = Σm(0,1,2,5,6,7): two minimal covers of three terms.
        let covers = minimise(&[0, 1, 2, 5, 6, 7], &[], 3);
        assert_eq!(covers.len(), 2, "{covers:?}");
        assert!(covers.iter().all(|c| c.len() == 3));
        let names: Vec<String> = ["A", "B", "C"].iter().map(|s| s.to_string()).collect();
        let shown: Vec<String> = covers[0].iter().map(|t| t.name(&names)).collect();
        assert!(
            shown.iter().all(|s| s.matches('*').count() == 1),
            "{shown:?}"
        );
    }

    #[test]
    fn more_than_64_positive_rows_are_minimised() {
        // Every minterm of 7 conditions with the first one present: 64 rows
        // and the 64 with it absent but the last present — 96 in all.
        let on: Vec<u32> = (0..128u32).filter(|m| m & 64 != 0 || m & 1 != 0).collect();
        assert!(on.len() > 64);
        let covers = minimise(&on, &[], 7);
        let names: Vec<String> = (1..=7).map(|i| format!("C{i}")).collect();
        let shown: Vec<Vec<String>> = covers
            .iter()
            .map(|c| c.iter().map(|t| t.name(&names)).collect())
            .collect();
        assert_eq!(shown, vec![vec!["C7".to_string(), "C1".to_string()]]);
    }

    #[test]
    fn anchors_must_be_strictly_ordered() {
        assert!(check_anchors(Anchors {
            e: 1.0,
            c: 2.0,
            i: 3.0
        })
        .is_ok());
        assert!(check_anchors(Anchors {
            e: 3.0,
            c: 2.0,
            i: 1.0
        })
        .is_ok());
        assert!(check_anchors(Anchors {
            e: 1.0,
            c: 1.0,
            i: 3.0
        })
        .is_err());
        assert!(check_anchors(Anchors {
            e: 1.0,
            c: 4.0,
            i: 3.0
        })
        .is_err());
    }
}
