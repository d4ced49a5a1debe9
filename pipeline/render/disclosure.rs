//! Disclosure control for the documents a district forwards (contract
//! B.13): small cells hidden, and hidden *with secondary suppression*, so
//! that no hidden count follows from the document's other numbers.
//!
//! The district report prints, per role (cadres, members), an age table of
//! its streets — young (below `[metrics] young_below`), middle, old (from
//! `old_from`) and the total, a row per street and one for the district —
//! and, per unit, its headcount and the share of the old (the league table,
//! the alerts). Every printed number is a linear function of the unknown
//! per-unit counts (young, middle, old of each unit). A count is
//! **protected** when it is below `[privacy] min_count` and belongs to a
//! unit or street (contract §7: units smaller than a district).
//!
//! The method is τ-ARGUS's and sdcTable's in outline — primary suppression
//! of the small cells, then secondary suppression chosen by a heuristic and
//! checked by an audit — with the audit made exact: a protected count is
//! *disclosed* when its coefficient vector lies in the row space of the
//! printed relations (it then equals a combination of printed numbers,
//! whatever the hidden ones are). A cell hidden to protect another is
//! withheld as well, and held to the same test. While one is disclosed, the smallest
//! printed number that takes part is hidden next: first a unit's share of
//! the old in the same street, then the smallest cell of the street's row
//! or column, then the district's own cell. The audit checks exact
//! disclosure; it does not bound the interval an intruder can narrow a
//! hidden count to with non-negativity (τ-ARGUS's protection levels).

use std::collections::BTreeMap;

/// A printed number as a linear form over the unknowns: (unknown, coefficient).
pub type Form = Vec<(usize, f64)>;

/// Which of `targets` are determined by `relations` (each a form whose value
/// is printed): true when the target's form lies in their row space.
pub fn determined(unknowns: usize, relations: &[Form], targets: &[Form]) -> Vec<bool> {
    // Reduced row echelon form of the relations, by Gaussian elimination
    // with partial pivoting. The coefficients are small integers, so a
    // tolerance of 1e-9 separates zero from not.
    const EPS: f64 = 1e-9;
    let mut rows: Vec<Vec<f64>> = relations
        .iter()
        .map(|f| {
            let mut r = vec![0.0; unknowns];
            for &(j, c) in f {
                r[j] += c;
            }
            r
        })
        .collect();
    let mut pivots: Vec<(usize, Vec<f64>)> = Vec::new();
    let mut col = 0;
    let mut top = 0;
    while top < rows.len() && col < unknowns {
        let best =
            (top..rows.len()).max_by(|&a, &b| rows[a][col].abs().total_cmp(&rows[b][col].abs()));
        let Some(p) = best.filter(|&p| rows[p][col].abs() > EPS) else {
            col += 1;
            continue;
        };
        rows.swap(top, p);
        let lead = rows[top][col];
        for x in rows[top].iter_mut() {
            *x /= lead;
        }
        let pivot = rows[top].clone();
        for (r, row) in rows.iter_mut().enumerate() {
            if r != top && row[col].abs() > EPS {
                let k = row[col];
                for (x, y) in row.iter_mut().zip(&pivot) {
                    *x -= k * y;
                }
            }
        }
        pivots.push((col, pivot));
        top += 1;
        col += 1;
    }
    targets
        .iter()
        .map(|f| {
            let mut v = vec![0.0; unknowns];
            for &(j, c) in f {
                v[j] += c;
            }
            for (c, p) in &pivots {
                let k = v[*c];
                if k.abs() > EPS {
                    for (x, y) in v.iter_mut().zip(p) {
                        *x -= k * y;
                    }
                }
            }
            v.iter().all(|x| x.abs() <= 1e-7)
        })
        .collect()
}

/// The three age groups of the report's table.
pub const GROUPS: usize = 3;
/// The group whose share the league table prints (the old).
pub const OLD: usize = 2;

/// One role's counts of one unit: young, middle, old.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UnitAges {
    pub street: usize,
    pub counts: [f64; GROUPS],
}

impl UnitAges {
    pub fn total(&self) -> f64 {
        self.counts.iter().sum()
    }
}

/// What may be printed of one role's ages, after suppression.
#[derive(Debug, Clone, PartialEq)]
pub struct Published {
    /// Per unit: may its share of the old (and its changes) be printed?
    pub unit_share: Vec<bool>,
    /// Per street, per group: hidden?
    pub street_hidden: Vec<[bool; GROUPS]>,
    /// Per group: is the district's cell hidden?
    pub district_hidden: [bool; GROUPS],
    /// How many cells were hidden for being small (primary) and to protect
    /// them (secondary), and unit shares withheld.
    pub primary: usize,
    pub secondary: usize,
    pub shares_withheld: usize,
}

/// The candidate numbers to hide next, in the order module doc gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Hide {
    Share(usize),
    Street(usize, usize),
    District(usize),
}

/// Decides what of one role's ages may be printed. `streets` is the number
/// of streets; every unit's headcount and every street's and the
/// district's total are printed.
pub fn protect(units: &[UnitAges], streets: usize, min: f64) -> Published {
    let street_sums: Vec<[f64; GROUPS]> = (0..streets)
        .map(|s| {
            let mut a = [0.0; GROUPS];
            for u in units.iter().filter(|u| u.street == s) {
                for (x, c) in a.iter_mut().zip(u.counts) {
                    *x += c;
                }
            }
            a
        })
        .collect();
    let small = |x: f64| x < min;
    let mut p = Published {
        unit_share: units
            .iter()
            // The share gives the old and, with the headcount, the rest:
            // neither may be small.
            .map(|u| !small(u.counts[OLD]) && !small(u.total() - u.counts[OLD]))
            .collect(),
        street_hidden: street_sums
            .iter()
            .map(|a| [small(a[0]), small(a[1]), small(a[2])])
            .collect(),
        district_hidden: [false; GROUPS],
        primary: 0,
        secondary: 0,
        shares_withheld: 0,
    };
    p.primary = p.street_hidden.iter().flatten().filter(|h| **h).count();
    p.shares_withheld = p.unit_share.iter().filter(|s| !**s).count();
    // Unknown 3u+g: unit u's count of group g. Targets: the small ones.
    let n = units.len() * GROUPS;
    let var = |u: usize, g: usize| u * GROUPS + g;
    let mut targets: Vec<(Option<usize>, Form)> = Vec::new();
    for (u, a) in units.iter().enumerate() {
        for g in 0..GROUPS {
            if small(a.counts[g]) {
                targets.push((Some(a.street), vec![(var(u, g), 1.0)]));
            }
        }
    }
    let street_form = |s: usize, g: usize| -> Form {
        (0..units.len())
            .filter(|&u| units[u].street == s)
            .map(|u| (var(u, g), 1.0))
            .collect()
    };
    for (s, a) in street_sums.iter().enumerate() {
        for (g, x) in a.iter().enumerate() {
            if small(*x) {
                targets.push((Some(s), street_form(s, g)));
            }
        }
    }
    loop {
        let mut rel: Vec<Form> = Vec::new();
        for u in 0..units.len() {
            rel.push((0..GROUPS).map(|g| (var(u, g), 1.0)).collect());
            if p.unit_share[u] {
                rel.push(vec![(var(u, OLD), 1.0)]);
            }
        }
        for s in 0..streets {
            for g in 0..GROUPS {
                if !p.street_hidden[s][g] {
                    rel.push(street_form(s, g));
                }
            }
        }
        for g in 0..GROUPS {
            if !p.district_hidden[g] {
                rel.push((0..units.len()).map(|u| (var(u, g), 1.0)).collect());
            }
        }
        let forms: Vec<Form> = targets.iter().map(|(_, f)| f.clone()).collect();
        let open = determined(n, &rel, &forms);
        let Some(t) = open.iter().position(|d| *d) else {
            return p;
        };
        let street = targets[t].0;
        let Some(next) = next_to_hide(&p, units, &street_sums, street) else {
            // Nothing left to hide: cannot happen while a unit total is the
            // only printed relation of its unit, but stop rather than loop.
            return p;
        };
        match next {
            Hide::Share(u) => {
                p.unit_share[u] = false;
                p.shares_withheld += 1;
            }
            // A cell hidden to protect another is withheld too: it must not
            // follow from the rest either.
            Hide::Street(s, g) => {
                p.street_hidden[s][g] = true;
                p.secondary += 1;
                targets.push((Some(s), street_form(s, g)));
            }
            Hide::District(g) => {
                p.district_hidden[g] = true;
                p.secondary += 1;
                targets.push((None, (0..units.len()).map(|u| (var(u, g), 1.0)).collect()));
            }
        }
    }
}

/// The smallest printed number next to a disclosed count in `street`.
fn next_to_hide(
    p: &Published,
    units: &[UnitAges],
    sums: &[[f64; GROUPS]],
    street: Option<usize>,
) -> Option<Hide> {
    let by_size = |c: Vec<(f64, Hide)>| {
        c.into_iter()
            .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)))
            .map(|x| x.1)
    };
    if let Some(s) = street {
        let shares: Vec<(f64, Hide)> = (0..units.len())
            .filter(|&u| units[u].street == s && p.unit_share[u])
            .map(|u| (units[u].counts[OLD], Hide::Share(u)))
            .collect();
        if let Some(h) = by_size(shares) {
            return Some(h);
        }
        // The street's own row, then the columns its hidden cells are in.
        let row: Vec<(f64, Hide)> = (0..GROUPS)
            .filter(|&g| !p.street_hidden[s][g])
            .map(|g| (sums[s][g], Hide::Street(s, g)))
            .collect();
        if let Some(h) = by_size(row) {
            return Some(h);
        }
        let cols: Vec<(f64, Hide)> = (0..sums.len())
            .flat_map(|t| (0..GROUPS).map(move |g| (t, g)))
            .filter(|&(t, g)| t != s && p.street_hidden[s][g] && !p.street_hidden[t][g])
            .map(|(t, g)| (sums[t][g], Hide::Street(t, g)))
            .collect();
        if let Some(h) = by_size(cols) {
            return Some(h);
        }
    }
    let shares: Vec<(f64, Hide)> = (0..units.len())
        .filter(|&u| p.unit_share[u])
        .map(|u| (units[u].counts[OLD], Hide::Share(u)))
        .collect();
    if let Some(h) = by_size(shares) {
        return Some(h);
    }
    let cells: Vec<(f64, Hide)> = (0..sums.len())
        .flat_map(|t| (0..GROUPS).map(move |g| (t, g)))
        .filter(|&(t, g)| !p.street_hidden[t][g])
        .map(|(t, g)| (sums[t][g], Hide::Street(t, g)))
        .collect();
    if let Some(h) = by_size(cells) {
        return Some(h);
    }
    (0..GROUPS)
        .filter(|&g| !p.district_hidden[g])
        .map(Hide::District)
        .next()
}

/// Streets in first-seen order: name → index.
pub fn street_index<'a>(streets: impl IntoIterator<Item = &'a str>) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for s in streets {
        let n = out.len();
        out.entry(s.to_string()).or_insert(n);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(street: usize, y: f64, m: f64, o: f64) -> UnitAges {
        UnitAges {
            street,
            counts: [y, m, o],
        }
    }

    #[test]
    fn a_cell_is_determined_by_a_total_and_the_others() {
        // x0 + x1 + x2 = T, x1 and x2 printed: x0 is determined.
        let rel = vec![
            vec![(0, 1.0), (1, 1.0), (2, 1.0)],
            vec![(1, 1.0)],
            vec![(2, 1.0)],
        ];
        assert_eq!(determined(3, &rel, &[vec![(0, 1.0)]]), vec![true]);
        // Without x2 it is not.
        assert_eq!(determined(3, &rel[..2], &[vec![(0, 1.0)]]), vec![false]);
    }

    #[test]
    fn the_issues_recovery_is_closed() {
        // 35 − (9 + 12 + 11) = 3: a street of one unit whose share of the
        // old was printed beside its headcount recovered a hidden cell.
        let units = vec![unit(0, 3.0, 12.0, 20.0), unit(1, 9.0, 10.0, 11.0)];
        let p = protect(&units, 2, 5.0);
        assert!(p.street_hidden[0][0], "the small cell is hidden");
        // Hiding it alone is not enough: total − middle − old gives it back.
        assert!(p.secondary + p.shares_withheld > 0);
        let n = units.len() * GROUPS;
        let mut rel: Vec<Form> = Vec::new();
        for u in 0..units.len() {
            rel.push((0..GROUPS).map(|g| (u * GROUPS + g, 1.0)).collect());
            if p.unit_share[u] {
                rel.push(vec![(u * GROUPS + OLD, 1.0)]);
            }
        }
        for s in 0..2 {
            for g in 0..GROUPS {
                if !p.street_hidden[s][g] {
                    rel.push(vec![(s * GROUPS + g, 1.0)]);
                }
            }
        }
        assert_eq!(determined(n, &rel, &[vec![(0, 1.0)]]), vec![false]);
    }

    #[test]
    fn nothing_is_hidden_when_nothing_is_small() {
        let units = vec![unit(0, 6.0, 7.0, 8.0), unit(0, 5.0, 9.0, 10.0)];
        let p = protect(&units, 1, 5.0);
        assert_eq!(p.primary + p.secondary + p.shares_withheld, 0);
    }

    #[test]
    fn a_one_street_district_hides_its_own_cell_too() {
        // One street: the district's row equals the street's.
        let units = vec![unit(0, 2.0, 8.0, 9.0), unit(0, 1.0, 9.0, 9.0)];
        let p = protect(&units, 1, 5.0);
        assert!(p.street_hidden[0][0]);
        assert!(p.district_hidden.iter().any(|h| *h), "{p:?}");
    }
}
