//! Codes of their own year: the history of GB/T 2260 county-level and
//! higher codes (`datasets/reference/gbt2260-history.csv`, shipped in the
//! binary), the check of a fact's code against its period, and re-coding a
//! panel to one vintage through a crosswalk.
//!
//! A code is **valid in a year** when one of its intervals covers it, both
//! ends included: the year of a change (崇文区 1981–2010) has figures under
//! the old code and the new one.
//!
//! The **derived crosswalk** takes from the history only what it says
//! unambiguously: an interval that ends in year *e* while its code does not
//! go on and that names exactly one successor without a `[YYYY]` mark is a
//! step *old → new at e* (a re-code, or a merge when several codes step into
//! one); several successors are a split, which needs shares from a user's
//! crosswalk; none is a code retired without a successor. A code **goes on**
//! when a later interval of it starts in *e* and the code is among its own
//! successors (or none is named): a rename (万盛区 → 綦江区, both 500110), and
//! what the interval's other successors took is not followed. A code whose
//! later interval starts in *e* but which is not its own successor was
//! reused for another area (株洲 南区 430204 → 430203 in 1997, the code then
//! 石峰区): the step is taken. Successors marked `[YYYY]` are later partial
//! transfers of area and are not followed.
//!
//! A fact of year *y* with code *c* is re-coded to vintage *T* by following
//! steps whose year is at least *y* (and at least the year of the step
//! before) and at most *T*; the code reached must be valid in *T*.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// The history file, as shipped.
const SHIPPED: &str = include_str!("../../datasets/reference/gbt2260-history.csv");

/// Where a history or crosswalk could not be read.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    #[error("{path}: {message}")]
    File { path: String, message: String },
    #[error("{path} row {row}: {message}")]
    Row {
        path: String,
        row: usize,
        message: String,
    },
}

/// One code's name over a run of years.
#[derive(Debug, Clone)]
pub struct Span {
    pub name: String,
    pub start: i32,
    /// The year it ended; `None` while in use.
    pub end: Option<i32>,
    /// Where its area went when it ended (no `[YYYY]` mark).
    pub successors: Vec<String>,
}

impl Span {
    fn covers(&self, year: i32) -> bool {
        self.start <= year && self.end.is_none_or(|e| year <= e)
    }

    fn shown(&self) -> String {
        match self.end {
            None => format!("{} (since {})", self.name, self.start),
            Some(e) => {
                let to = match self.successors.as_slice() {
                    [] => String::new(),
                    s => format!(", then {}", s.join(" and ")),
                };
                format!("{} ({}–{e}{to})", self.name, self.start)
            }
        }
    }
}

/// The county-level and higher codes of every year.
#[derive(Debug, Default)]
pub struct History {
    spans: HashMap<String, Vec<Span>>,
}

/// A year cell: `2011` or `201107`.
fn year_of(cell: &str) -> Option<i32> {
    let t = cell.trim();
    if !(t.len() == 4 || t.len() == 6) || !t.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    t[..4].parse().ok()
}

impl History {
    /// The shipped history (areacodes, 1981–2025).
    pub fn shipped() -> History {
        History::parse(SHIPPED, "<shipped gbt2260-history.csv>").expect("the shipped history reads")
    }

    pub fn read(path: &Path) -> Result<History, HistoryError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| HistoryError::File {
            path: shown.clone(),
            message: e.to_string(),
        })?;
        History::parse(&text, &shown)
    }

    /// The history's CSV: 代码, 名称, 启用时间, 变更/弃用时间, 新代码 (by header).
    pub fn parse(text: &str, path: &str) -> Result<History, HistoryError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut rdr = csv::Reader::from_reader(text.as_bytes());
        let file_error = |message: String| HistoryError::File {
            path: path.to_string(),
            message,
        };
        let header = rdr
            .headers()
            .map_err(|e| file_error(e.to_string()))?
            .clone();
        let at = |name: &str| {
            header.iter().position(|h| h == name).ok_or_else(|| {
                file_error(format!(
                    "no column {name}; a history has 代码, 名称, 启用时间, 变更/弃用时间, 新代码"
                ))
            })
        };
        let (code, name, start, end, next) = (
            at("代码")?,
            at("名称")?,
            at("启用时间")?,
            at("变更/弃用时间")?,
            at("新代码")?,
        );
        let mut spans: HashMap<String, Vec<Span>> = HashMap::new();
        for (i, rec) in rdr.records().enumerate() {
            let row = i + 2;
            let bad = |message: String| HistoryError::Row {
                path: path.to_string(),
                row,
                message,
            };
            let rec = rec.map_err(|e| bad(e.to_string()))?;
            let cell = |k: usize| rec.get(k).unwrap_or("").trim();
            let c = cell(code);
            if c.len() != 6 || !c.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad(format!("代码 '{c}' is not a six-digit code")));
            }
            let start = year_of(cell(start))
                .ok_or_else(|| bad(format!("启用时间 '{}' is not a year", cell(start))))?;
            let end = match cell(end) {
                "" => None,
                e => Some(
                    year_of(e).ok_or_else(|| bad(format!("变更/弃用时间 '{e}' is not a year")))?,
                ),
            };
            let successors = cell(next)
                .split(';')
                .map(str::trim)
                .filter(|s| !s.is_empty() && !s.contains('['))
                .map(str::to_string)
                .collect();
            spans.entry(c.to_string()).or_default().push(Span {
                name: cell(name).to_string(),
                start,
                end,
                successors,
            });
        }
        for v in spans.values_mut() {
            v.sort_by_key(|s| s.start);
        }
        Ok(History { spans })
    }

    /// Whether the history lists `code` in any year.
    pub fn knows(&self, code: &str) -> bool {
        self.spans.contains_key(code)
    }

    pub fn valid_in(&self, code: &str, year: i32) -> bool {
        self.spans
            .get(code)
            .is_some_and(|v| v.iter().any(|s| s.covers(year)))
    }

    /// The names `code` had in `year` (two in the year of a rename).
    pub fn names_in(&self, code: &str, year: i32) -> Vec<&str> {
        self.spans
            .get(code)
            .into_iter()
            .flatten()
            .filter(|s| s.covers(year))
            .map(|s| s.name.as_str())
            .collect()
    }

    /// Every interval of `code`, for a message: `綦江县 (1997–2011, then 500110)`.
    pub fn shown(&self, code: &str) -> String {
        self.spans
            .get(code)
            .into_iter()
            .flatten()
            .map(Span::shown)
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// One step of a crosswalk: in `year`, the code's area went to `to` (a
/// share each for a split; none for a whole move).
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub year: i32,
    pub to: Vec<(String, Option<f64>)>,
    /// From the user's crosswalk rather than derived from the history.
    pub supplied: bool,
}

/// A crosswalk row's new code, share and row number.
type Target = (String, Option<f64>, usize);

/// Old codes' steps, each code's in year order.
#[derive(Debug, Default)]
pub struct Crosswalk {
    steps: BTreeMap<String, Vec<Step>>,
    /// (code, year) → how many codes step into it that year.
    inflow: HashMap<(String, i32), u32>,
}

/// The user crosswalk's columns, with the names they may have.
const CROSSWALK_COLUMNS: [(&str, &[&str]); 4] = [
    ("old_code", &["old_code", "原代码", "旧代码"]),
    ("new_code", &["new_code", "新代码"]),
    ("year", &["year", "from", "年份", "变更年份"]),
    ("share", &["share", "比例", "份额"]),
];

impl Crosswalk {
    /// The steps the history says unambiguously (module doc).
    pub fn derive(h: &History) -> Crosswalk {
        let mut steps: BTreeMap<String, Vec<Step>> = BTreeMap::new();
        for (code, spans) in &h.spans {
            for s in spans {
                let Some(end) = s.end else { continue };
                // The code goes on (a rename) when a later interval of it
                // starts in the end year and the code is its own successor,
                // or none is named. Otherwise it was reused for another
                // area (株洲 南区 430204 went to 430203 in 1997, the code to
                // 石峰区): the step is taken.
                let restarts = spans.iter().any(|o| o.start == end && o.start > s.start);
                let own = s.successors.is_empty() || s.successors.iter().any(|x| x == code);
                if restarts && own {
                    continue;
                }
                steps.entry(code.clone()).or_default().push(Step {
                    year: end,
                    to: s.successors.iter().map(|x| (x.clone(), None)).collect(),
                    supplied: false,
                });
            }
        }
        Crosswalk::new(steps)
    }

    fn new(steps: BTreeMap<String, Vec<Step>>) -> Crosswalk {
        let mut inflow: HashMap<(String, i32), u32> = HashMap::new();
        for step in steps.values().flatten() {
            for (to, _) in &step.to {
                *inflow.entry((to.clone(), step.year)).or_default() += 1;
            }
        }
        Crosswalk { steps, inflow }
    }

    /// A user's crosswalk (CSV: old_code, new_code, year, optional share):
    /// facts of `year` or before that carry old_code go to new_code; several
    /// rows of one old code and year are a split, and need shares that add
    /// up to 1.
    pub fn read(path: &Path) -> Result<Crosswalk, HistoryError> {
        let shown = path.display().to_string();
        let file_error = |message: String| HistoryError::File {
            path: shown.clone(),
            message,
        };
        let text = std::fs::read_to_string(path).map_err(|e| file_error(e.to_string()))?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        let mut rdr = csv::Reader::from_reader(text.as_bytes());
        let header = rdr
            .headers()
            .map_err(|e| file_error(e.to_string()))?
            .clone();
        let mut at = [None; 4];
        for (k, (_, names)) in CROSSWALK_COLUMNS.iter().enumerate() {
            at[k] = header.iter().position(|h| names.contains(&h.trim()));
        }
        for (k, (name, names)) in CROSSWALK_COLUMNS.iter().enumerate().take(3) {
            if at[k].is_none() {
                return Err(file_error(format!(
                    "no column {name} (named {}); a crosswalk has old_code, new_code, year and optionally share",
                    names.join(" or ")
                )));
            }
        }
        let mut rows: BTreeMap<(String, i32), Vec<Target>> = BTreeMap::new();
        for (i, rec) in rdr.records().enumerate() {
            let row = i + 2;
            let bad = |message: String| HistoryError::Row {
                path: shown.clone(),
                row,
                message,
            };
            let rec = rec.map_err(|e| bad(e.to_string()))?;
            let cell = |k: usize| at[k].and_then(|j| rec.get(j)).unwrap_or("").trim();
            let (old, new, year) = (cell(0), cell(1), cell(2));
            for (what, c) in [("old_code", old), ("new_code", new)] {
                if c.is_empty() || !c.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(bad(format!("{what} '{c}' is not a code")));
                }
            }
            let year = year_of(year).ok_or_else(|| bad(format!("year '{year}' is not a year")))?;
            let share = match cell(3) {
                "" => None,
                s => match s.parse::<f64>() {
                    Ok(x) if x > 0.0 && x <= 1.0 => Some(x),
                    _ => return Err(bad(format!("share '{s}' is not a number in (0, 1]"))),
                },
            };
            let to = rows.entry((old.to_string(), year)).or_default();
            if let Some((_, _, first)) = to.iter().find(|(n, _, _)| n == new) {
                return Err(bad(format!(
                    "{old} → {new} in {year} is listed twice (row {first} and row {row})"
                )));
            }
            to.push((new.to_string(), share, row));
        }
        let mut steps: BTreeMap<String, Vec<Step>> = BTreeMap::new();
        for ((old, year), to) in rows {
            if to.len() > 1 {
                let rows: Vec<String> = to.iter().map(|(_, _, r)| r.to_string()).collect();
                if to.iter().any(|(_, s, _)| s.is_none()) {
                    return Err(file_error(format!(
                        "{old} is mapped to {} codes in {year} (rows {}) without a share each: a code goes to one code in a year, or is split with shares",
                        to.len(),
                        rows.join(", ")
                    )));
                }
                let sum: f64 = to.iter().filter_map(|(_, s, _)| *s).sum();
                if (sum - 1.0).abs() > 1e-6 {
                    return Err(file_error(format!(
                        "the shares of {old}'s split in {year} (rows {}) add up to {sum}, not 1",
                        rows.join(", ")
                    )));
                }
            }
            steps.entry(old).or_default().push(Step {
                year,
                to: to.into_iter().map(|(n, s, _)| (n, s)).collect(),
                supplied: true,
            });
        }
        let cw = Crosswalk::new(steps);
        cw.check_cycles().map_err(file_error)?;
        Ok(cw)
    }

    /// The crosswalk if it has no cycle (a history of one's own may).
    pub fn checked(self) -> Result<Crosswalk, String> {
        self.check_cycles()?;
        Ok(self)
    }

    /// The derived steps with a user's laid over: a code the user maps
    /// keeps only the user's steps.
    pub fn overlay(self, user: Crosswalk) -> Result<Crosswalk, String> {
        let mut steps = self.steps;
        steps.extend(user.steps);
        Crosswalk::new(steps).checked()
    }

    /// A chain of steps that comes back to a step already taken would
    /// re-code for ever: refused, naming the chain. (A code may come back
    /// at a later step: 榆树县 220121 went to 222521 in 1982 and back in 1983.)
    fn check_cycles(&self) -> Result<(), String> {
        for (start, steps) in &self.steps {
            for first in 0..steps.len() {
                let mut stack = vec![vec![(start.as_str(), first)]];
                while let Some(path) = stack.pop() {
                    let (code, i) = *path.last().expect("a path has a step");
                    let step = &self.steps[code][i];
                    for (to, _) in &step.to {
                        let Some(j) = self
                            .steps
                            .get(to)
                            .and_then(|v| v.iter().position(|s| s.year >= step.year))
                        else {
                            continue;
                        };
                        let mut p = path.clone();
                        p.push((to.as_str(), j));
                        if path.contains(&(to.as_str(), j)) {
                            let shown: Vec<&str> = p.iter().map(|(c, _)| *c).collect();
                            return Err(format!(
                                "the crosswalk has a cycle: {}",
                                shown.join(" → ")
                            ));
                        }
                        stack.push(p);
                    }
                }
            }
        }
        Ok(())
    }

    /// The first step of `code` in `floor..=target`.
    fn next(&self, code: &str, floor: i32, target: i32) -> Option<&Step> {
        self.steps
            .get(code)?
            .iter()
            .find(|s| s.year >= floor && s.year <= target)
    }
}

/// What became of a fact's code.
#[derive(Debug, Clone, PartialEq)]
pub enum Recoded {
    /// The code stands (valid in its year, and in the vintage when re-coding).
    Same,
    /// The code stands, under another name in the vintage.
    Renamed,
    /// The same place under a new code: every step one-to-one into a code
    /// that did not exist the year before, with nothing else stepping into it (密云县
    /// 110228 → 密云区 110118). A row under the old code and one under the
    /// new in the same period are one county twice: a duplicate.
    Moved(String),
    /// To these codes with these shares (1 for a whole move, a merge into).
    To(Vec<(String, f64)>),
}

/// Why a fact's code could not be checked or re-coded: the E_CODE message.
#[derive(Debug, Clone, PartialEq)]
pub struct CodeRefused(pub String);

/// The code check and the re-coding of one run.
pub struct Recoder {
    pub history: History,
    pub crosswalk: Crosswalk,
    /// `[run] harmonise_codes`: the vintage facts are re-coded to.
    pub target: Option<i32>,
}

impl Recoder {
    /// `code` of a fact of `year`: refused when the history knows the code
    /// but not in that year; else, with a target vintage, where it goes.
    pub fn recode(&self, code: &str, year: i32) -> Result<Recoded, CodeRefused> {
        let h = &self.history;
        if h.knows(code) && !h.valid_in(code, year) {
            return Err(CodeRefused(format!(
                "region_code {code} is not a code of {year}: it was {}",
                h.shown(code)
            )));
        }
        let Some(target) = self.target else {
            return Ok(Recoded::Same);
        };
        let mut leaves: Vec<(String, f64)> = Vec::new();
        // Whether every step so far moved the same place to a new code.
        let mut moved = true;
        let mut frontier = vec![(code.to_string(), 1.0, year, 0)];
        while let Some((c, share, floor, depth)) = frontier.pop() {
            let Some(step) = self
                .crosswalk
                .next(&c, floor, target)
                .filter(|_| depth < 64)
            else {
                match leaves.iter_mut().find(|(l, _)| *l == c) {
                    Some(l) => l.1 += share,
                    None => leaves.push((c, share)),
                }
                continue;
            };
            match step.to.as_slice() {
                [] => {
                    return Err(CodeRefused(format!(
                        "region_code {c} was retired in {} with no successor named ({}); give one in a crosswalk",
                        step.year,
                        h.shown(&c)
                    )))
                }
                [(to, _)] => {
                    // Into a code that did not exist the year before.
                    moved &= !h.valid_in(to, step.year - 1)
                        && self.crosswalk.inflow.get(&(to.clone(), step.year)) == Some(&1);
                    frontier.push((to.clone(), share, step.year, depth + 1))
                }
                several if several.iter().any(|(_, s)| s.is_none()) => {
                    let names: Vec<String> = several
                        .iter()
                        .map(|(t, _)| format!("{t} {}", h.names_in(t, target).join("/")))
                        .collect();
                    return Err(CodeRefused(format!(
                        "region_code {c} ({}) was split in {} into {}: give each its share in a crosswalk",
                        h.names_in(&c, step.year).join("/"),
                        step.year,
                        names.join(", ")
                    )));
                }
                several => {
                    moved = false;
                    for (to, s) in several.iter().rev() {
                        frontier.push((to.clone(), share * s.unwrap_or(1.0), step.year, depth + 1));
                    }
                }
            }
        }
        leaves.sort_by(|a, b| a.0.cmp(&b.0));
        for (l, _) in &leaves {
            if h.knows(l) && !h.valid_in(l, target) {
                return Err(CodeRefused(format!(
                    "region_code {code} of {year} leads to {l}, which is not a code of {target} ({}); govlens re-codes forward only",
                    h.shown(l)
                )));
            }
        }
        Ok(match leaves.as_slice() {
            [(l, _)] if l == code => {
                let (then, now) = (h.names_in(code, year), h.names_in(code, target));
                if then.iter().any(|n| now.contains(n)) || then.is_empty() {
                    Recoded::Same
                } else {
                    Recoded::Renamed
                }
            }
            [(l, _)] if moved => Recoded::Moved(l.clone()),
            _ => Recoded::To(leaves),
        })
    }
}

/// The `[run]` vintage `harmonise_codes`: a year.
pub fn vintage(text: &str) -> Result<i32, String> {
    match year_of(text) {
        Some(y) if text.trim().len() == 4 && (1980..=2100).contains(&y) => Ok(y),
        _ => Err(format!(
            "harmonise_codes = '{text}' is not a year (the vintage to re-code to, e.g. \"2023\")"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shipped(target: Option<i32>) -> Recoder {
        let history = History::shipped();
        let crosswalk = Crosswalk::derive(&history);
        Recoder {
            history,
            crosswalk,
            target,
        }
    }

    /// The shipped history with the crosswalk at `p` laid over, to 2023.
    fn with_users(p: &Path) -> Recoder {
        let user = Crosswalk::read(p).unwrap();
        let history = History::shipped();
        Recoder {
            crosswalk: Crosswalk::derive(&history).overlay(user).unwrap(),
            history,
            target: Some(2023),
        }
    }

    fn to(v: &[(&str, f64)]) -> Recoded {
        Recoded::To(v.iter().map(|(c, s)| (c.to_string(), *s)).collect())
    }

    #[test]
    fn a_code_is_valid_in_the_years_of_its_intervals() {
        let h = History::shipped();
        assert!(h.valid_in("110228", 2007) && h.valid_in("110228", 2015));
        assert!(!h.valid_in("110228", 2016));
        assert_eq!(h.names_in("500110", 2007), ["万盛区"]);
        assert_eq!(h.names_in("500110", 2011), ["万盛区", "綦江区"]);
        assert_eq!(h.names_in("500110", 2023), ["綦江区"]);
    }

    #[test]
    fn recodes_merges_and_renames_follow_the_history() {
        let r = shipped(Some(2023));
        // 撤县设区: 密云县 110228 → 密云区 110118 in 2015.
        assert_eq!(
            r.recode("110228", 2007),
            Ok(Recoded::Moved("110118".into()))
        );
        // A merge: 綦江县 500222 into 500110, whose code goes on as 綦江区.
        assert_eq!(r.recode("500222", 2007), Ok(to(&[("500110", 1.0)])));
        assert_eq!(r.recode("500110", 2007), Ok(Recoded::Renamed));
        // 崇文区 into 东城区 (2010).
        assert_eq!(r.recode("110103", 2009), Ok(to(&[("110101", 1.0)])));
        assert_eq!(r.recode("110101", 2009), Ok(Recoded::Same));
        // Not re-coded: no target.
        assert_eq!(shipped(None).recode("110228", 2007), Ok(Recoded::Same));
    }

    #[test]
    fn a_code_not_of_its_year_is_refused_naming_what_it_was() {
        let r = shipped(None);
        let e = r.recode("110228", 2018).unwrap_err().0;
        assert!(
            e.contains("not a code of 2018") && e.contains("密云县 (1981–2015, then 110118)"),
            "{e}"
        );
        let e = r.recode("110118", 2010).unwrap_err().0;
        assert!(e.contains("密云区 (since 2015)"), "{e}");
    }

    #[test]
    fn a_split_without_shares_names_its_candidates() {
        let r = shipped(Some(2023));
        let e = r.recode("130103", 2010).unwrap_err().0;
        assert!(
            e.contains("split in 2014 into 130102 长安区, 130104 桥西区"),
            "{e}"
        );
    }

    #[test]
    fn a_users_crosswalk_splits_with_shares_and_refuses_cycles_and_doubles() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("cw.csv");
        std::fs::write(
            &p,
            "原代码,新代码,年份,比例\n130103,130102,2014,0.6\n130103,130104,2014,0.4\n",
        )
        .unwrap();
        let r = with_users(&p);
        assert_eq!(
            r.recode("130103", 2010),
            Ok(to(&[("130102", 0.6), ("130104", 0.4)]))
        );

        // Community codes are not in the history: a user's crosswalk re-codes them.
        std::fs::write(
            &p,
            "old_code,new_code,year\n110228100001,110118100001,2015\n",
        )
        .unwrap();
        let r = with_users(&p);
        assert_eq!(
            r.recode("110228100001", 2010),
            Ok(Recoded::Moved("110118100001".into()))
        );
        assert_eq!(r.recode("110228100001", 2016), Ok(Recoded::Same));

        std::fs::write(
            &p,
            "old_code,new_code,year\n130103,130102,2014\n130103,130104,2014\n",
        )
        .unwrap();
        let e = Crosswalk::read(&p).unwrap_err().to_string();
        assert!(e.contains("mapped to 2 codes in 2014 (rows 2, 3)"), "{e}");
        std::fs::write(
            &p,
            "old_code,new_code,year\n100001,100002,2010\n100002,100001,2010\n",
        )
        .unwrap();
        let e = Crosswalk::read(&p).unwrap_err().to_string();
        assert!(e.contains("cycle: 100001 → 100002 → 100001"), "{e}");
        std::fs::write(
            &p,
            "old_code,new_code,year,share\n100001,100002,2010,0.5\n100001,100003,2010,0.4\n",
        )
        .unwrap();
        let e = Crosswalk::read(&p).unwrap_err().to_string();
        assert!(e.contains("add up to 0.9"), "{e}");
    }

    #[test]
    fn a_reused_code_steps_to_its_successor_and_a_renamed_one_stays() {
        let r = shipped(Some(2023));
        // 株洲 南区 430204 (1983–1997) went to 430203; the code then named 石峰区.
        assert_eq!(r.recode("430204", 1990), Ok(to(&[("430203", 1.0)])));
        assert!(matches!(
            r.recode("430204", 2005),
            Ok(Recoded::Same | Recoded::Renamed)
        ));
        // 楚州区 → 淮安区 keeps 320803.
        assert_eq!(r.recode("320803", 2007), Ok(Recoded::Renamed));
    }

    #[test]
    fn the_derived_crosswalk_has_no_cycle() {
        assert_eq!(
            Crosswalk::derive(&History::shipped()).check_cycles(),
            Ok(())
        );
    }
}
