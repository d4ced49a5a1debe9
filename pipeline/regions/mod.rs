//! The region tree (一张区划树): parents resolved, governance model and
//! adoption year inherited from the nearest ancestor that has one, unknown
//! parents and cycles sent to quarantine, and the GB/T 2260 reference list.
//!
//! The tree is resolved after every regions row has passed its row rules,
//! because a parent may come later in the file (or in another file) than its
//! child. [`history`] holds the codes of every year since 1981.

pub mod history;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use crate::contract::{Level, Model, Reject, Rule};

/// One row of the region tree as validated (`ingest::validate` reads it).
#[derive(Debug, Clone, PartialEq)]
pub struct RegionRow {
    pub code: String,
    pub name: String,
    pub level: Level,
    pub parent: Option<String>,
    pub model: Option<Model>,
    pub adopted: Option<i32>,
    pub population: Option<i64>,
    pub households: Option<i64>,
}

/// A region with its inherited model, as stored in the warehouse.
#[derive(Debug, Clone, PartialEq)]
pub struct Region {
    pub row: RegionRow,
    /// The model in force: its own, else the nearest ancestor's.
    pub effective_model: Option<Model>,
    pub effective_adopted: Option<i32>,
    /// The code whose row supplied the effective model.
    pub model_from: Option<String>,
}

/// (model, adoption year, the code that supplied them).
type Inherited = (Option<Model>, Option<i32>, Option<String>);

/// Resolves the tree over rows that passed the row rules (and the duplicate
/// check). Returns the kept regions in input order and, by input index, the
/// rows rejected for an unknown parent, a missing parent, or a cycle.
pub fn resolve(rows: &[RegionRow]) -> (Vec<Option<Region>>, Vec<(usize, Reject)>) {
    let mut rejects: BTreeMap<usize, Reject> = BTreeMap::new();
    let has_country = rows.iter().any(|r| r.level == Level::Country);
    let index: HashMap<&str, usize> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| (r.code.as_str(), i))
        .collect();
    for (i, r) in rows.iter().enumerate() {
        let may_be_root = r.level == Level::Country || (r.level == Level::Province && !has_country);
        match &r.parent {
            None if !may_be_root => {
                rejects.insert(
                    i,
                    Reject::new(
                        Rule::Required,
                        "parent_code",
                        None,
                        format!(
                            "parent_code is required for a {} (only a country, or a province when no country row is given, may have none)",
                            r.level.name()
                        ),
                    ),
                );
            }
            Some(p) if p == &r.code => {
                rejects.insert(
                    i,
                    Reject::new(
                        Rule::Code,
                        "parent_code",
                        Some(p),
                        format!("{p} names itself as its parent"),
                    ),
                );
            }
            Some(p) if !index.contains_key(p.as_str()) => {
                rejects.insert(
                    i,
                    Reject::new(
                        Rule::Code,
                        "parent_code",
                        Some(p),
                        format!("parent_code {p} is not a region of the tree"),
                    ),
                );
            }
            _ => {}
        }
    }
    // Cascade: a row whose parent was rejected cannot be placed in the tree.
    loop {
        let mut changed = false;
        for (i, r) in rows.iter().enumerate() {
            if rejects.contains_key(&i) {
                continue;
            }
            if let Some(p) = &r.parent {
                let pi = index[p.as_str()];
                if rejects.contains_key(&pi) {
                    rejects.insert(
                        i,
                        Reject::new(
                            Rule::Code,
                            "parent_code",
                            Some(p),
                            format!("parent {p} was quarantined, so this region has no place in the tree"),
                        ),
                    );
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
    // Cycles: walk up from every row; a walk that revisits a code loops.
    let mut reaches_root: HashMap<usize, bool> = HashMap::new();
    for start in 0..rows.len() {
        if rejects.contains_key(&start) || reaches_root.contains_key(&start) {
            continue;
        }
        let mut path = vec![start];
        let mut seen: HashSet<usize> = HashSet::from([start]);
        let ok = loop {
            let cur = *path.last().unwrap();
            match &rows[cur].parent {
                None => break true,
                Some(p) => {
                    let pi = index[p.as_str()];
                    if let Some(&known) = reaches_root.get(&pi) {
                        break known;
                    }
                    if !seen.insert(pi) {
                        break false;
                    }
                    path.push(pi);
                }
            }
        };
        for &i in &path {
            reaches_root.insert(i, ok);
        }
    }
    for (i, r) in rows.iter().enumerate() {
        if reaches_root.get(&i) == Some(&false) {
            rejects.insert(
                i,
                Reject::new(
                    Rule::Code,
                    "parent_code",
                    r.parent.as_deref(),
                    format!(
                        "the parent chain of {} loops back on itself (a cycle)",
                        r.code
                    ),
                ),
            );
        }
    }
    // Inheritance, memoised from the root down.
    let mut eff: Vec<Option<Inherited>> = vec![None; rows.len()];
    fn effective(
        i: usize,
        rows: &[RegionRow],
        index: &HashMap<&str, usize>,
        eff: &mut Vec<Option<Inherited>>,
    ) -> Inherited {
        if let Some(e) = &eff[i] {
            return e.clone();
        }
        let r = &rows[i];
        let e = if r.model.is_some() {
            (r.model, r.adopted, Some(r.code.clone()))
        } else if let Some(p) = &r.parent {
            effective(index[p.as_str()], rows, index, eff)
        } else {
            (None, None, None)
        };
        eff[i] = Some(e.clone());
        e
    }
    let mut out = Vec::with_capacity(rows.len());
    for (i, r) in rows.iter().enumerate() {
        if rejects.contains_key(&i) {
            out.push(None);
            continue;
        }
        let (m, y, from) = effective(i, rows, &index, &mut eff);
        out.push(Some(Region {
            row: r.clone(),
            effective_model: m,
            effective_adopted: y,
            model_from: from,
        }));
    }
    (out, rejects.into_iter().collect())
}

/// The GB/T 2260 reference list: code → name.
pub fn load_reference(path: &Path) -> Result<HashMap<String, String>, String> {
    let mut rdr = csv::Reader::from_path(path).map_err(|e| e.to_string())?;
    let mut out = HashMap::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| e.to_string())?;
        if let (Some(code), Some(name)) = (rec.get(0), rec.get(1)) {
            out.insert(code.to_string(), name.to_string());
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(
        code: &str,
        level: Level,
        parent: Option<&str>,
        model: Option<Model>,
        year: Option<i32>,
    ) -> RegionRow {
        RegionRow {
            code: code.into(),
            name: code.into(),
            level,
            parent: parent.map(Into::into),
            model,
            adopted: year,
            population: None,
            households: None,
        }
    }

    #[test]
    fn model_is_inherited_from_the_nearest_ancestor() {
        let rows = vec![
            row(
                "110117001001",
                Level::Community,
                Some("110117001"),
                None,
                None,
            ),
            row("110000", Level::Province, None, None, None),
            row(
                "110117",
                Level::County,
                Some("110000"),
                Some(Model::Sinking),
                Some(2017),
            ),
            row("110117001", Level::Street, Some("110117"), None, None),
            row(
                "110117002",
                Level::Street,
                Some("110117"),
                Some(Model::Sinking),
                Some(2019),
            ),
        ];
        let (out, rejects) = resolve(&rows);
        assert!(rejects.is_empty(), "{rejects:?}");
        let c = out[0].as_ref().unwrap();
        assert_eq!(c.effective_model, Some(Model::Sinking));
        assert_eq!(c.effective_adopted, Some(2017));
        assert_eq!(c.model_from.as_deref(), Some("110117"));
        assert_eq!(out[4].as_ref().unwrap().effective_adopted, Some(2019));
        assert_eq!(out[1].as_ref().unwrap().effective_model, None);
    }

    #[test]
    fn unknown_parents_cycles_and_their_children_are_rejected() {
        let rows = vec![
            row("110000", Level::Province, None, None, None),
            row("110117", Level::County, Some("999999"), None, None),
            row("110117001", Level::Street, Some("110117"), None, None),
            row("120101", Level::County, Some("120102"), None, None),
            row("120102", Level::County, Some("120101"), None, None),
            row("130101", Level::County, None, None, None),
        ];
        let (out, rejects) = resolve(&rows);
        let rejected: Vec<usize> = rejects.iter().map(|(i, _)| *i).collect();
        assert_eq!(rejected, vec![1, 2, 3, 4, 5]);
        assert!(out[0].is_some());
        assert!(rejects[0].1.message.contains("999999"));
        assert!(rejects[1].1.message.contains("quarantined"));
        assert!(rejects[2].1.message.contains("cycle"));
        assert_eq!(rejects[4].1.rule, Rule::Required);
    }
}
