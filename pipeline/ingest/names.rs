//! Regions found by name, for returns that give `社区名称` but no `区划代码`
//! (or leave codes blank): a name is matched within the source's `parent`
//! (and within the row's street, when the return has a 街道 column) after
//! the usual suffixes are normalised — 社区居委会 / 社区 / 居委会, 村民委员会 /
//! 村委会 / 村 — so `金谷东园` finds 金谷东园社区居委会. An unknown or ambiguous
//! name is quarantined as E_CODE with the candidates named; a code whose
//! name disagrees with the row's is a finding (W_NAME).

use std::collections::HashMap;

use crate::contract::Level;
use crate::regions::Region;

/// The suffixes a community's or village's name is written with or without,
/// longest first.
const SUFFIXES: [&str; 9] = [
    "社区居民委员会",
    "社区居委会",
    "居民委员会",
    "村民委员会",
    "居委会",
    "村委会",
    "社区",
    "村",
    "居",
];

/// A name as it is compared: no spaces, no brackets' content kept apart,
/// the common suffix taken off.
pub fn normalise(name: &str) -> String {
    let t: String = name
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{3000}')
        .collect();
    for s in SUFFIXES {
        if let Some(stem) = t.strip_suffix(s) {
            if !stem.is_empty() {
                return stem.to_string();
            }
        }
    }
    t
}

/// The region tree by normalised name.
pub struct NameIndex {
    code: Vec<String>,
    name: Vec<String>,
    level: Vec<Level>,
    parent: Vec<Option<usize>>,
    by_name: HashMap<String, Vec<usize>>,
    by_code: HashMap<String, usize>,
}

/// What a name resolved to.
#[derive(Debug, Clone, PartialEq)]
pub enum Found {
    One(String),
    None { scope: String },
    Several(Vec<String>),
}

impl NameIndex {
    pub fn new(regions: &[Region]) -> NameIndex {
        let code: Vec<String> = regions.iter().map(|r| r.row.code.clone()).collect();
        let by_code: HashMap<String, usize> = code
            .iter()
            .enumerate()
            .map(|(i, c)| (c.clone(), i))
            .collect();
        let parent = regions
            .iter()
            .map(|r| r.row.parent.as_ref().and_then(|p| by_code.get(p).copied()))
            .collect();
        let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, r) in regions.iter().enumerate() {
            by_name.entry(normalise(&r.row.name)).or_default().push(i);
        }
        NameIndex {
            name: regions.iter().map(|r| r.row.name.clone()).collect(),
            level: regions.iter().map(|r| r.row.level).collect(),
            code,
            parent,
            by_name,
            by_code,
        }
    }

    /// The tree's name of `code`.
    pub fn name_of(&self, code: &str) -> Option<&str> {
        self.by_code.get(code).map(|&i| self.name[i].as_str())
    }

    fn under(&self, mut i: usize, ancestor: usize) -> bool {
        for _ in 0..64 {
            if i == ancestor {
                return true;
            }
            match self.parent[i] {
                Some(p) => i = p,
                None => return false,
            }
        }
        false
    }

    fn shown(&self, i: usize) -> String {
        let parent = self.parent[i]
            .map(|p| format!(" under {}", self.name[p]))
            .unwrap_or_default();
        format!("{} ({}){parent}", self.name[i], self.code[i])
    }

    /// The region named `name` under `parent` (a code) and, when given,
    /// under the street named `street`.
    pub fn find(&self, name: &str, parent: Option<&str>, street: Option<&str>) -> Found {
        let mut scope: Vec<usize> = match parent {
            Some(p) => match self.by_code.get(p) {
                Some(&i) => vec![i],
                None => {
                    return Found::None {
                        scope: p.to_string(),
                    }
                }
            },
            None => Vec::new(),
        };
        let mut scope_text = parent.unwrap_or("the tree").to_string();
        if let Some(s) = street {
            let streets: Vec<usize> = self
                .by_name
                .get(&normalise(s))
                .into_iter()
                .flatten()
                .copied()
                .filter(|&i| matches!(self.level[i], Level::Street))
                .filter(|&i| scope.iter().all(|&a| self.under(i, a)))
                .collect();
            match streets.as_slice() {
                [] => {
                    return Found::None {
                        scope: format!("{scope_text} (no street named {s})"),
                    }
                }
                [one] => {
                    scope = vec![*one];
                    scope_text = self.shown(*one);
                }
                several => return Found::Several(several.iter().map(|&i| self.shown(i)).collect()),
            }
        }
        let hits: Vec<usize> = self
            .by_name
            .get(&normalise(name))
            .into_iter()
            .flatten()
            .copied()
            .filter(|&i| scope.iter().all(|&a| self.under(i, a) && i != a))
            .collect();
        match hits.as_slice() {
            [] => Found::None { scope: scope_text },
            [one] => Found::One(self.code[*one].clone()),
            several => Found::Several(several.iter().map(|&i| self.shown(i)).collect()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suffixes_are_written_with_or_without() {
        assert_eq!(normalise("金谷东园社区居委会"), "金谷东园");
        assert_eq!(normalise("金谷东园社区"), "金谷东园");
        assert_eq!(normalise("东撞村民委员会"), normalise("东撞村"));
        assert_eq!(normalise(" 东 撞村委会"), "东撞");
        assert_eq!(normalise("社区"), "社区", "a bare suffix is a name");
    }
}
