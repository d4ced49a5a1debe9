//! Published indicators (contract B.20): the figures bulletins, yearbooks and
//! press releases print one at a time — 受理调解案件 6368 件, 人民调解员
//! 317.6 万人, 成功率 97.6% — with a unit beside each, some of them the 其中
//! (of which) of another, some a rate of two others, and a share printed
//! beside a part.
//!
//! A row is stored in the unit it names without its prefix (`万人` → 人, the
//! figure times 10,000; `亿元` → 元), with what it is (a figure of its own,
//! a part, a rate) and the figure it is a part of. The checks are those the
//! printed page allows, each within the rounding its printed digits carry:
//! a part is not more than its figure, nor are its parts together (a 其中
//! list need not be complete, so less is no finding); a printed share is its
//! part over its figure; a printed rate is its numerator over its
//! denominator (`rates`); a region's figure is the sum of its regions' below
//! it in the tree, where they are given. A part or rate whose figures are in
//! other units is said (W_UNIT), not compared.
//!
//! Row rules here are pure; the loader (`load.rs`) reads, keys and stores.
//! The table is held in memory until its files are read: published
//! indicators are a few rows a page.

use std::collections::{BTreeMap, HashMap};

use crate::config::Source;
use crate::contract::grammar::{self as parse, IndicatorLevel, Period, Unit};
use crate::contract::{Rule, Table};
use crate::ingest::checks::Origin;
use crate::ingest::quarantine::{Finding, Reject};
use crate::ingest::validate::{self, Cells};
use crate::regions::Region;

/// One published figure, as stored.
#[derive(Debug, Clone)]
pub struct IndicatorRow {
    pub code: String,
    pub period: Period,
    pub indicator: String,
    /// In `unit`: the printed figure times its unit's multiplier.
    pub value: f64,
    /// The unit without its prefix (人, 件, 个, 元, %), or as printed.
    pub unit: Option<String>,
    pub unit_printed: Option<String>,
    pub level: IndicatorLevel,
    pub part_of: Option<String>,
    pub share: Option<f64>,
    /// Half a unit of the figure's last printed digit, in `unit`, for a
    /// figure printed in a unit above one (82.4 万个: 500) or a rate
    /// (97.6%: 0.05); 0 for a count printed whole.
    pub rounding: f64,
    /// Half a unit of the printed share's last digit (52.4: 0.05).
    pub share_rounding: f64,
}

type R<T> = Result<T, Reject>;

/// Half a unit of the last printed digit of a number (`97.6`: 0.05, `98`: 0.5).
fn half_digit(raw: &str) -> f64 {
    let s = parse::printed(raw).replace('．', ".");
    let decimals = s.split_once('.').map_or(0, |(_, d)| {
        d.chars().take_while(char::is_ascii_digit).count()
    });
    0.5 / 10f64.powi(decimals as i32)
}

/// A printed figure in its unit: (value, rounding).
fn amount(raw: &str, column: &str, unit: Option<&Unit>, level: IndicatorLevel) -> R<(f64, f64)> {
    let x = match is_percent(unit) {
        true => parse::parse_percent(raw),
        false => parse::parse_number(raw),
    }
    .map_err(|m| Reject::new(Rule::Parse, column, Some(raw), m))?;
    if x < 0.0 && level != IndicatorLevel::Rate {
        return Err(Reject::new(
            Rule::Range,
            column,
            Some(raw),
            format!("{column} is negative ({raw}): a figure of its own or a part is a count"),
        ));
    }
    let m = unit.map_or(1.0, |u| u.1);
    let rounding = if level == IndicatorLevel::Rate || m > 1.0 {
        half_digit(raw) * m
    } else {
        0.0
    };
    Ok((validate::scaled(x, m), rounding))
}

fn is_percent(unit: Option<&Unit>) -> bool {
    unit.is_some_and(|(u, _)| u == "%")
}

/// A record's figures: one (a long row), or one per non-blank indicator
/// column (the wide layout).
pub fn rows(c: &Cells, src: &Source) -> R<Vec<IndicatorRow>> {
    let code = c.code()?;
    let period = c.period()?;
    if c.map.indicator_cells.is_empty() {
        return Ok(vec![long_row(c, src, code, period)?]);
    }
    let mut out = Vec::new();
    for (at, name, header_unit) in &c.map.indicator_cells {
        let Some(raw) = c.rec.cells.get(*at).and_then(|x| x.as_deref()) else {
            continue;
        };
        let unit = joined(None, header_unit.clone(), src.unit.clone());
        let level = if is_percent(unit.as_ref()) {
            IndicatorLevel::Rate
        } else {
            IndicatorLevel::Total
        };
        let (value, rounding) = amount(raw, name, unit.as_ref(), level)?;
        out.push(IndicatorRow {
            code: code.clone(),
            period,
            indicator: name.clone(),
            value,
            unit: unit.as_ref().map(|u| u.0.clone()).filter(|u| !u.is_empty()),
            unit_printed: unit.as_ref().map(parse::unit_text),
            level,
            part_of: None,
            share: None,
            rounding,
            share_rounding: 0.0,
        });
    }
    if out.is_empty() {
        return Err(Reject::new(
            Rule::Required,
            "indicator_columns",
            None,
            "the row gives no figure in any indicator column".to_string(),
        ));
    }
    Ok(out)
}

/// A figure's unit: its row's, else its header's, else the source's; a
/// header's bare prefix (`数值(万)`) takes the unit's name from the source.
fn joined(row: Option<Unit>, header: Option<Unit>, source: Option<Unit>) -> Option<Unit> {
    match (row, header) {
        (Some(u), _) => Some(u),
        (None, Some((name, m))) if name.is_empty() => {
            Some((source.map(|s| s.0).unwrap_or_default(), m))
        }
        (None, Some(h)) => Some(h),
        (None, None) => source,
    }
}

fn long_row(c: &Cells, src: &Source, code: String, period: Period) -> R<IndicatorRow> {
    let printed_name = c.required("indicator")?.trim();
    let (name, hash) = match printed_name.strip_prefix(['#', '＃']) {
        Some(n) => (n.trim(), true),
        None => (printed_name, false),
    };
    let raw = c.required("value")?;
    // The unit column, else the value header's brackets, else the source's.
    let said = c.get("unit");
    let column = said.and_then(parse::parse_unit);
    let header = c.map.value_unit.clone();
    if let (Some(u), Some(h)) = (&column, &header) {
        if u.1 != h.1 {
            return Err(Reject::new(
                Rule::Parse,
                "unit",
                said,
                format!(
                    "the unit '{}' multiplies by {} but the value's header says {}",
                    said.unwrap_or_default(),
                    u.1,
                    h.1
                ),
            ));
        }
    }
    let mut unit = joined(column, header, src.unit.clone());
    // `97.6%` in the value cell: a percentage.
    if raw.trim().ends_with(['%', '％']) {
        match &unit {
            None => unit = Some(("%".into(), 1.0)),
            Some((u, _)) if u != "%" => {
                return Err(Reject::new(
                    Rule::Parse,
                    "value",
                    Some(raw),
                    format!("'{raw}' is a percentage but its unit is '{u}'"),
                ))
            }
            Some(_) => {}
        }
    }
    let part_of = c.get("part_of").map(|p| p.trim().to_string());
    let level = match c.get("level") {
        Some(v) => parse::parse_indicator_level(v)
            .map_err(|m| Reject::new(Rule::Parse, "level", Some(v), m))?,
        None if hash => IndicatorLevel::Part,
        None if is_percent(unit.as_ref()) => IndicatorLevel::Rate,
        None => IndicatorLevel::Total,
    };
    // A row that names the figure it is a part of is a part (a rate stays one).
    let level = match (level, &part_of) {
        (IndicatorLevel::Total, Some(_)) => IndicatorLevel::Part,
        (l, _) => l,
    };
    let (value, rounding) = amount(raw, "value", unit.as_ref(), level)?;
    let share = c.percent("reported_share")?;
    Ok(IndicatorRow {
        code,
        period,
        indicator: name.to_string(),
        value,
        unit: unit.as_ref().map(|u| u.0.clone()).filter(|u| !u.is_empty()),
        unit_printed: said
            .map(str::to_string)
            .or_else(|| unit.as_ref().map(parse::unit_text)),
        level,
        part_of,
        share,
        rounding,
        share_rounding: c.get("reported_share").map_or(0.0, half_digit),
    })
}

/// Each part without a `part_of` gets its figure: the one the source's
/// `parts` names it under, else the figure of its own printed nearest above
/// it — in its file, with no row of another region or period and no
/// quarantined row (`refused`, in input order) between them (how a page
/// prints 其中 under its figure); its unit is not looked at, so a part under
/// a figure in another unit is said (W_UNIT), not linked past it. A part left
/// without a figure is said too (W_TOTAL, not checked).
pub(super) fn link_parts(
    rows: &mut [(IndicatorRow, Origin)],
    refused: &[Origin],
    src: &Source,
    shown: &[String],
) -> Vec<Finding> {
    let mut out = Vec::new();
    for i in 0..rows.len() {
        let (row, origin) = &rows[i];
        if row.level == IndicatorLevel::Rate || row.part_of.is_some() {
            continue;
        }
        let named = src
            .parts
            .iter()
            .find(|(_, parts)| parts.iter().any(|p| p.trim() == row.indicator))
            .map(|(t, _)| t.trim().to_string());
        if let Some(total) = named.filter(|t| *t != row.indicator) {
            rows[i].0.level = IndicatorLevel::Part;
            rows[i].0.part_of = Some(total);
            continue;
        }
        if row.level != IndicatorLevel::Part {
            continue;
        }
        let block = rows[..i].iter().rev().take_while(|(t, o)| {
            o.file() == origin.file() && t.code == row.code && t.period == row.period
        });
        let above = block
            .into_iter()
            .find(|(t, _)| t.level == IndicatorLevel::Total);
        let between = |from: u64| {
            refused
                .iter()
                .find(|q| q.file() == origin.file() && q.row() > from && q.row() < origin.row())
        };
        let why = match above {
            Some((t, o)) => match between(o.row()) {
                None => {
                    rows[i].0.part_of = Some(t.indicator.clone());
                    continue;
                }
                Some(q) => format!(
                    "row {}, between it and the figure above it, was quarantined",
                    q.row()
                ),
            },
            None => match between(0) {
                Some(q) if q.row() + 1 == origin.row() => {
                    format!("the row above it, row {}, was quarantined", q.row())
                }
                _ => format!(
                    "no figure of its own is printed above it for {} {}",
                    row.code,
                    row.period.canonical()
                ),
            },
        };
        out.push(Finding {
            source: None,
            row: None,
            covers: None,
            table: Table::Indicators,
            rule: Rule::Total,
            region_code: Some(row.code.clone()),
            period: Some(row.period.canonical()),
            role: None,
            band: Some(row.indicator.clone()),
            expected: None,
            actual: Some(row.value),
            message: format!(
                "{} row {} ({}): a part (其中) whose figure is not known — {why}: not checked; name it in a part_of column or the source's parts",
                shown[origin.file()],
                origin.row(),
                row.indicator
            ),
        });
    }
    out
}

/// A number as a message prints it: `6368`, `97.63`, `824000`.
fn num(x: f64) -> String {
    let r = (x * 1e4).round() / 1e4;
    if r.fract() == 0.0 {
        format!("{}", r as i64)
    } else {
        format!("{r}")
    }
}

/// `100 × n / d` when a printed percentage is off it: outside the range the
/// two figures' roundings allow by more than `tol`. `d` is above 0.
fn percent_off(printed: f64, tol: f64, n: &IndicatorRow, d: &IndicatorRow) -> Option<f64> {
    let lo = (n.value - n.rounding) / (d.value + d.rounding) * 100.0;
    let hi = match d.value - d.rounding {
        x if x > 0.0 => (n.value + n.rounding) / x * 100.0,
        _ => f64::INFINITY,
    };
    (printed + tol < lo - 1e-9 || printed - tol > hi + 1e-9).then(|| n.value / d.value * 100.0)
}

/// The region tree as the sums over it read it.
pub struct Tree<'a> {
    children: HashMap<&'a str, Vec<&'a str>>,
    names: HashMap<&'a str, &'a str>,
}

impl<'a> Tree<'a> {
    pub fn new(regions: &'a [Region]) -> Tree<'a> {
        let mut children: HashMap<&str, Vec<&str>> = HashMap::new();
        for r in regions {
            if let Some(p) = &r.row.parent {
                children
                    .entry(p.as_str())
                    .or_default()
                    .push(r.row.code.as_str());
            }
        }
        for c in children.values_mut() {
            c.sort_unstable();
        }
        Tree {
            children,
            names: regions
                .iter()
                .map(|r| (r.row.code.as_str(), r.row.name.as_str()))
                .collect(),
        }
    }

    fn named(&self, code: &str) -> String {
        match self.names.get(code) {
            Some(n) => format!("{code} {n}"),
            None => code.to_string(),
        }
    }
}

/// The findings of a table's rows (in input order): per region and period
/// its parts, their shares and its rates, then the sums over the tree.
pub(super) fn findings(
    rows: &[(IndicatorRow, Origin)],
    shown: &[String],
    src: &Source,
    tree: &Tree,
) -> Vec<Finding> {
    let check = Check { rows, shown, src };
    let mut groups: BTreeMap<(&str, Period), Vec<usize>> = BTreeMap::new();
    for (i, (r, _)) in rows.iter().enumerate() {
        groups
            .entry((r.code.as_str(), r.period))
            .or_default()
            .push(i);
    }
    let mut out = Vec::new();
    for members in groups.values() {
        let by_name: HashMap<&str, usize> = members
            .iter()
            .map(|&i| (rows[i].0.indicator.as_str(), i))
            .collect();
        out.extend(check.parts(members, &by_name));
        out.extend(check.rates(&by_name));
    }
    out.extend(tree_findings(&check, tree));
    out
}

/// The rows as the checks read them, and how a finding names a row.
struct Check<'a> {
    rows: &'a [(IndicatorRow, Origin)],
    shown: &'a [String],
    src: &'a Source,
}

impl Check<'_> {
    fn row(&self, i: usize) -> &IndicatorRow {
        &self.rows[i].0
    }

    /// `file row N (indicator)`.
    fn at(&self, i: usize) -> String {
        let (r, o) = &self.rows[i];
        format!("{} row {} ({})", self.shown[o.file()], o.row(), r.indicator)
    }

    fn unit(&self, i: usize) -> &str {
        self.row(i).unit.as_deref().unwrap_or("(no unit)")
    }

    fn finding(&self, i: usize, rule: Rule, message: String, expected: Option<f64>) -> Finding {
        let r = self.row(i);
        Finding {
            source: None,
            row: None,
            covers: None,
            table: Table::Indicators,
            rule,
            region_code: Some(r.code.clone()),
            period: Some(r.period.canonical()),
            role: None,
            band: Some(r.indicator.clone()),
            expected,
            actual: Some(r.value),
            message,
        }
    }

    /// A region-period's parts: each against its figure (found, in its
    /// unit, not more than it, its share), then each figure's parts together.
    fn parts(&self, members: &[usize], by_name: &HashMap<&str, usize>) -> Vec<Finding> {
        let mut out = Vec::new();
        // Each figure with its parts, in the order the figures come.
        let mut parts: Vec<(usize, Vec<usize>)> = Vec::new();
        for &i in members {
            let r = self.row(i);
            let (IndicatorLevel::Part, Some(of)) = (r.level, &r.part_of) else {
                continue;
            };
            let Some(&t) = by_name.get(of.as_str()) else {
                let message = format!(
                    "{}: a part of '{of}', which this table does not give for {} {}: not checked",
                    self.at(i),
                    r.code,
                    r.period.canonical()
                );
                out.push(self.finding(i, Rule::Total, message, None));
                continue;
            };
            if self.row(t).unit != r.unit {
                let message = format!(
                    "{}: in {}, a part of {} in {}: not compared",
                    self.at(i),
                    self.unit(i),
                    self.at(t),
                    self.unit(t)
                );
                out.push(self.finding(i, Rule::Unit, message, None));
                continue;
            }
            match parts.iter_mut().find(|(k, _)| *k == t) {
                Some((_, v)) => v.push(i),
                None => parts.push((t, vec![i])),
            }
        }
        for (t, ps) in &parts {
            for &p in ps {
                out.extend(self.part(p, *t));
            }
            out.extend(self.together(*t, ps));
        }
        out
    }

    /// One part against its figure `t`: not more than it, its printed share.
    fn part(&self, p: usize, t: usize) -> Vec<Finding> {
        let (part, total) = (self.row(p), self.row(t));
        let mut out = Vec::new();
        let slack = self.src.total_tolerance;
        if part.value - part.rounding > total.value + total.rounding + slack + 1e-9 {
            let message = format!(
                "{}: {} is more than {}'s {}, the figure it is a part of",
                self.at(p),
                num(part.value),
                self.at(t),
                num(total.value)
            );
            out.push(self.finding(p, Rule::Total, message, Some(total.value)));
        }
        if let Some(share) = part.share.filter(|_| total.value > 0.0) {
            let tol = self.src.share_tolerance.max(part.share_rounding);
            if let Some(e) = percent_off(share, tol, part, total) {
                let message = format!(
                    "{}: a share of {share}% printed, and {} / {} ({}) = {}%",
                    self.at(p),
                    num(part.value),
                    num(total.value),
                    total.indicator,
                    num(e)
                );
                out.push(self.finding(p, Rule::Share, message, Some(e)));
            }
        }
        out
    }

    /// Two or more parts of figure `t` together: not more than it (a 其中
    /// list need not be complete, so less is no finding).
    fn together(&self, t: usize, ps: &[usize]) -> Option<Finding> {
        let total = self.row(t);
        let sum: f64 = ps.iter().map(|&p| self.row(p).value).sum();
        let slack: f64 = ps.iter().map(|&p| self.row(p).rounding).sum();
        let over = sum - slack > total.value + total.rounding + self.src.total_tolerance + 1e-9;
        if ps.len() < 2 || !over {
            return None;
        }
        let lines: Vec<String> = ps
            .iter()
            .map(|&p| self.rows[p].1.row().to_string())
            .collect();
        let message = format!(
            "{}: {} and its {} parts (rows {}) add up to {}, {} more than it",
            self.at(t),
            num(total.value),
            ps.len(),
            lines.join(", "),
            num(sum),
            num(sum - total.value)
        );
        Some(self.finding(t, Rule::Total, message, Some(sum)))
    }

    /// The source's rates given in a region-period with both their figures.
    fn rates(&self, by_name: &HashMap<&str, usize>) -> Vec<Finding> {
        let mut out = Vec::new();
        for (rate, (n, d)) in &self.src.rates {
            let (Some(&r), Some(&n), Some(&d)) = (
                by_name.get(rate.trim()),
                by_name.get(n.trim()),
                by_name.get(d.trim()),
            ) else {
                continue;
            };
            if self.row(n).unit != self.row(d).unit {
                let message = format!(
                    "{}: a rate of {} in {} over {} in {}: not compared",
                    self.at(r),
                    self.at(n),
                    self.unit(n),
                    self.at(d),
                    self.unit(d)
                );
                out.push(self.finding(r, Rule::Unit, message, None));
                continue;
            }
            let (printed, num_row, den) = (self.row(r), self.row(n), self.row(d));
            if den.value <= 0.0 {
                continue;
            }
            let tol = self.src.share_tolerance.max(printed.rounding);
            if let Some(e) = percent_off(printed.value, tol, num_row, den) {
                let message = format!(
                    "{}: a rate of {}% printed, and {} / {} = {}% ({} over {})",
                    self.at(r),
                    num(printed.value),
                    num(num_row.value),
                    num(den.value),
                    num(e),
                    num_row.indicator,
                    den.indicator
                );
                out.push(self.finding(r, Rule::Share, message, Some(e)));
            }
        }
        out
    }
}

/// A region's figure against its regions' below it in the tree, per
/// period, indicator and unit; regions below it with no figure are named.
fn tree_findings(check: &Check, tree: &Tree) -> Vec<Finding> {
    let (rows, src) = (check.rows, check.src);
    let at = |i: usize| check.at(i);
    type Series<'r> = BTreeMap<(Period, &'r str, Option<&'r str>), BTreeMap<&'r str, usize>>;
    let mut series: Series = BTreeMap::new();
    for (i, (r, _)) in rows.iter().enumerate() {
        let additive = !src.not_additive.iter().any(|x| x.trim() == r.indicator);
        if r.level != IndicatorLevel::Rate && additive {
            series
                .entry((r.period, r.indicator.as_str(), r.unit.as_deref()))
                .or_default()
                .insert(r.code.as_str(), i);
        }
    }
    let mut out = Vec::new();
    for ((period, indicator, _), by_code) in &series {
        for (&code, &i) in by_code {
            let Some(kids) = tree.children.get(code) else {
                continue;
            };
            let (given, missing): (Vec<&str>, Vec<&str>) =
                kids.iter().partition(|k| by_code.contains_key(*k));
            if given.is_empty() {
                continue;
            }
            let r = &rows[i].0;
            let sum: f64 = given.iter().map(|k| rows[by_code[k]].0.value).sum();
            let slack: f64 = r.rounding
                + given
                    .iter()
                    .map(|k| rows[by_code[k]].0.rounding)
                    .sum::<f64>()
                + src.total_tolerance;
            let missing_text = if missing.is_empty() {
                String::new()
            } else {
                let named: Vec<String> = missing.iter().take(5).map(|m| tree.named(m)).collect();
                let more = missing.len().saturating_sub(5);
                format!(
                    "; {} of them {} no figure ({}{})",
                    missing.len(),
                    if missing.len() == 1 { "gives" } else { "give" },
                    named.join(", "),
                    if more > 0 {
                        format!(" and {more} more")
                    } else {
                        String::new()
                    }
                )
            };
            let base = Finding {
                source: None,
                row: None,
                covers: None,
                table: Table::Indicators,
                rule: Rule::Total,
                region_code: Some(code.to_string()),
                period: Some(period.canonical()),
                role: None,
                band: Some(indicator.to_string()),
                expected: Some(sum),
                actual: Some(r.value),
                message: String::new(),
            };
            let diff = r.value - sum;
            // With some regions below it giving none, their sum may be less.
            if diff.abs() > slack + 1e-9 && (missing.is_empty() || diff < 0.0) {
                out.push(Finding {
                    source: None,
                    row: None,
                    covers: None,
                    message: format!(
                        "{}: {}'s {} for {}; the {} regions below it with a figure add up to {}, {} {} than it{missing_text}",
                        at(i),
                        tree.named(code),
                        num(r.value),
                        period.canonical(),
                        given.len(),
                        num(sum),
                        num(diff.abs()),
                        if diff > 0.0 { "less" } else { "more" }
                    ),
                    ..base
                });
            } else if !missing.is_empty() {
                let sum_text = match diff.abs() > slack + 1e-9 {
                    true => format!("is {} more than the sum, {}, of", num(diff), num(sum)),
                    false => "is the sum of".to_string(),
                };
                out.push(Finding {
                    source: None,
                    row: None,
                    covers: None,
                    rule: Rule::Coverage,
                    message: format!(
                        "{}: {}'s {} for {} {sum_text} the {} regions below it with a figure{missing_text}",
                        at(i),
                        tree.named(code),
                        num(r.value),
                        period.canonical(),
                        given.len()
                    ),
                    ..base
                });
            }
        }
    }
    out
}
