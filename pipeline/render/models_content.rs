//! The research report's comparison of the models, from `model_tests` and
//! `model_pairs`: the period's Kruskal–Wallis tests (a family, corrected)
//! over the units and over the means of the groups models are assigned to
//! (the county on the sample: a model chosen for a county is one
//! observation of that county, not ten), the Dunn pairs of the resolution
//! rate at both levels, the significant pairs of the other metrics, and the
//! sentences the findings make of them — at the strength of the assignment
//! level's tests when the run has them.

use std::path::Path;

use polars::prelude::DataFrame;

use super::claims;
use super::did_content::level_name;
use super::document::{Cell, Column, Table};
use super::format::{self, Kind};
use super::labels::{self, label, period_label, period_title, Lang};
use super::{floats, strs, table, RenderError};

/// A level's plural in English: county → counties.
fn plural(level: &str) -> String {
    match level.strip_suffix('y') {
        Some(stem) => format!("{stem}ies"),
        None => format!("{level}s"),
    }
}

/// One metric's tests in the latest period: at the units and, when the run
/// made it, at the assignment level.
pub(super) struct Tested {
    pub(super) metric: String,
    pub(super) breakdown: String,
    pub(super) unit: Option<Omni>,
    pub(super) assigned: Option<Omni>,
}

/// One Kruskal–Wallis test as the report shows it.
#[derive(Clone)]
pub(super) struct Omni {
    pub(super) n: Option<f64>,
    pub(super) h: Option<f64>,
    pub(super) p: Option<f64>,
    pub(super) p_adjusted: f64,
    pub(super) epsilon2: Option<f64>,
}

/// The period's tests and what the findings say of them.
pub(super) struct Models {
    pub(super) tests: Vec<Tested>,
    /// The assignment level (`county`), when the run tested at it.
    pub(super) level: Option<String>,
    pub(super) method: String,
    pairs: DataFrame,
    latest: String,
}

impl Models {
    pub(super) fn read(dir: &Path, latest: &str) -> Result<Models, RenderError> {
        let t = table(dir, "model_tests")?;
        let (tp, tm, tb, tl) = (
            strs(&t, "period"),
            strs(&t, "metric"),
            strs(&t, "breakdown"),
            strs(&t, "level"),
        );
        let f = |c: &str| floats(&t, c);
        let (n, h, p, pa, e) = (f("n"), f("h"), f("p"), f("p_adjusted"), f("epsilon2"));
        let at = |v: &Vec<Option<f64>>, i: usize| v.get(i).copied().flatten();
        let method = strs(&t, "p_adjust")
            .into_iter()
            .next()
            .unwrap_or_else(|| "holm".into());
        let mut tests: Vec<Tested> = Vec::new();
        let mut level = None;
        for i in (0..t.height()).filter(|&i| tp[i] == latest) {
            let o = Omni {
                n: at(&n, i),
                h: at(&h, i),
                p: at(&p, i),
                p_adjusted: at(&pa, i).unwrap_or(f64::NAN),
                epsilon2: at(&e, i),
            };
            let lv = tl.get(i).map(String::as_str).unwrap_or("unit");
            let k = match tests
                .iter()
                .position(|x| x.metric == tm[i] && x.breakdown == tb[i])
            {
                Some(k) => k,
                None => {
                    tests.push(Tested {
                        metric: tm[i].clone(),
                        breakdown: tb[i].clone(),
                        unit: None,
                        assigned: None,
                    });
                    tests.len() - 1
                }
            };
            if lv == "unit" || lv.is_empty() {
                tests[k].unit = Some(o);
            } else {
                level = Some(lv.to_string());
                tests[k].assigned = Some(o);
            }
        }
        Ok(Models {
            tests,
            level,
            method,
            pairs: table(dir, "model_pairs")?,
            latest: latest.to_string(),
        })
    }

    /// "Holm" or "Benjamini–Hochberg".
    pub(super) fn method_name(&self, lang: Lang) -> &'static str {
        label(
            lang,
            if self.method == "bh" {
                "bh_name"
            } else {
                "holm_name"
            },
        )
    }

    /// The Dunn pairs of one metric at one level (`unit` or the assignment
    /// level), each oriented by the reports' model order.
    fn pairs_of(&self, metric: &str, breakdown: &str, level: &str) -> Vec<claims::Pair> {
        let p = &self.pairs;
        let (pp, pm, pb, pl, a, b) = (
            strs(p, "period"),
            strs(p, "metric"),
            strs(p, "breakdown"),
            strs(p, "level"),
            strs(p, "model_a"),
            strs(p, "model_b"),
        );
        let (z, ph) = (floats(p, "z"), floats(p, "p_holm"));
        let lv = |i: usize| pl.get(i).map(String::as_str).unwrap_or("unit");
        (0..p.height())
            .filter(|&i| pp[i] == self.latest && pm[i] == metric && pb[i] == breakdown)
            .filter(|&i| lv(i) == level || (level == "unit" && lv(i).is_empty()))
            .filter_map(|i| {
                let (z, q) = (z[i]?, ph[i]?);
                Some(if claims::model_rank(&a[i]) <= claims::model_rank(&b[i]) {
                    claims::Pair {
                        a: a[i].clone(),
                        b: b[i].clone(),
                        z,
                        p_holm: q,
                    }
                } else {
                    claims::Pair {
                        a: b[i].clone(),
                        b: a[i].clone(),
                        z: -z,
                        p_holm: q,
                    }
                })
            })
            .collect()
    }

    /// The level the findings rest on: the assignment level when tested.
    fn claim_level(&self) -> &str {
        self.level.as_deref().unwrap_or("unit")
    }

    /// A metric's test at the level the findings rest on.
    pub(super) fn claimed<'t>(&self, t: &'t Tested) -> Option<&'t Omni> {
        if self.level.is_some() {
            t.assigned.as_ref()
        } else {
            t.unit.as_ref()
        }
    }

    /// The between-model sentence of one metric, from the tests at the
    /// assignment level (else the units').
    pub(super) fn sentence(
        &self,
        lang: Lang,
        subject: &str,
        models: &[String],
        metric: &str,
        breakdown: &str,
    ) -> String {
        let t = self
            .tests
            .iter()
            .find(|t| t.metric == metric && t.breakdown == breakdown);
        let omni = t.and_then(|t| t.assigned.clone().or(t.unit.clone()));
        let name = self.method_name(lang);
        let groups = omni
            .as_ref()
            .and_then(|o| o.n)
            .map(|n| n as usize)
            .unwrap_or(0);
        let how = match (&self.level, lang) {
            (Some(l), Lang::Zh) => {
                let lv = level_name(lang, l);
                format!("按{lv}均值，{groups} 个{lv}；")
            }
            (Some(l), Lang::En) => format!("on the means of {groups} {}; ", plural(l)),
            (None, _) => String::new(),
        };
        let omnibus = omni.map(|o| claims::Omnibus {
            quoted: match lang {
                Lang::Zh => format!(
                    "{how}Kruskal–Wallis H = {}，{name} 校正 {}",
                    format::text(o.h, Kind::Statistic, lang),
                    format::p_clause(o.p_adjusted)
                ),
                Lang::En => format!(
                    "{how}Kruskal–Wallis H = {}, {name}-corrected {}",
                    format::text(o.h, Kind::Statistic, lang),
                    format::p_clause(o.p_adjusted)
                ),
            },
            p_adjusted: o.p_adjusted,
        });
        let pairs = self.pairs_of(metric, breakdown, self.claim_level());
        claims::between_models(lang, subject, models, omnibus.as_ref(), &pairs)
    }

    /// How many of the period's tests are significant after correction, at
    /// the units and at the assignment level.
    pub(super) fn family_sentence(&self, lang: Lang, latest: &str) -> String {
        let n = self.tests.len();
        let count = |f: fn(&Tested) -> Option<&Omni>| {
            self.tests
                .iter()
                .filter_map(f)
                .filter(|o| o.p_adjusted < claims::ALPHA)
                .count()
        };
        let (units, assigned) = (count(|t| t.unit.as_ref()), count(|t| t.assigned.as_ref()));
        let name = self.method_name(lang);
        match (&self.level, lang) {
            (Some(l), Lang::Zh) => {
                let lv = level_name(lang, l);
                format!(
                    "{}各模式间差异检验共 {n} 项（每项指标一项 Kruskal–Wallis 检验）：经 {name} 校正后，按{lv}均值 {assigned} 项、按单位 {units} 项在 5% 水平显著（表“{}”）。模式由{lv}选定，发现以按{lv}均值的检验为准；按单位的检验把同一{lv}的单位当作相互独立的观测，只作描述。",
                    period_label(lang, latest),
                    label(lang, "tests_title")
                )
            }
            (Some(l), Lang::En) => format!(
                "Of the {n} tests between models in {latest} (a Kruskal–Wallis test a metric), {assigned} are significant at 5% after {name}'s correction on the means of {}, {units} on the units (table \"{}\"). Models are chosen by {l}, so the findings rest on the {l} means; the unit-level tests treat the units of one {l} as independent and are descriptive.",
                plural(l),
                label(lang, "tests_title")
            ),
            (None, Lang::Zh) => format!(
                "{}各模式间差异检验共 {n} 项（每项指标一项 Kruskal–Wallis 检验），经 {name} 校正后 {units} 项在 5% 水平显著（表“{}”）。",
                period_label(lang, latest),
                label(lang, "tests_title")
            ),
            (None, Lang::En) => format!(
                "Of the {n} tests between models in {latest} (a Kruskal–Wallis test a metric), {units} are significant at 5% after {name}'s correction (table \"{}\").",
                label(lang, "tests_title")
            ),
        }
    }

    /// Column names of a statistic at a level: 按县均值 H / 按单位 H.
    fn at_level(&self, lang: Lang, level: &str, what: &str) -> String {
        match (lang, level) {
            (Lang::Zh, "unit") => format!("按单位 {what}"),
            (Lang::Zh, l) => format!("按{}均值 {what}", level_name(lang, l)),
            (Lang::En, "unit") => format!("units' {what}"),
            (Lang::En, l) => format!("{l} means' {what}"),
        }
    }

    /// The tests table: each metric's test over the means of the
    /// assignment level (first: the findings rest on it) and over the units,
    /// raw and corrected p.
    pub(super) fn tests_table(&self, lang: Lang) -> Table {
        let name = label(
            lang,
            if self.method == "bh" {
                "p_bh"
            } else {
                "p_holm_family"
            },
        );
        let mut cols = vec![Column::text(label(lang, "metric"))];
        if let Some(l) = &self.level {
            let n = match lang {
                Lang::Zh => format!("{}数", level_name(lang, l)),
                Lang::En => plural(l),
            };
            cols.extend([
                Column::number(n, Kind::Count),
                Column::number(self.at_level(lang, l, "H"), Kind::Statistic),
                Column::number(self.at_level(lang, l, name), Kind::PValue),
            ]);
        }
        cols.extend([
            Column::number(label(lang, "n"), Kind::Count),
            Column::number(self.at_level(lang, "unit", "H"), Kind::Statistic),
            Column::number(self.at_level(lang, "unit", "p"), Kind::PValue),
            Column::number(self.at_level(lang, "unit", name), Kind::PValue),
            Column::number(label(lang, "epsilon2"), Kind::Coefficient),
        ]);
        let mut t = Table::new(
            label(lang, "tests_title"),
            &format!(
                "{}{}Kruskal–Wallis",
                period_title(lang, "tests_title", &self.latest, false),
                match lang {
                    Lang::Zh => "：",
                    Lang::En => ": ",
                }
            ),
            cols,
        );
        for x in &self.tests {
            let mut row = vec![Cell::text(labels::metric(lang, &x.metric, &x.breakdown))];
            if self.level.is_some() {
                let a = x.assigned.as_ref();
                row.extend([
                    Cell::Num(a.and_then(|o| o.n)),
                    Cell::Num(a.and_then(|o| o.h)),
                    Cell::Num(a.map(|o| o.p_adjusted)),
                ]);
            }
            let u = x.unit.as_ref();
            row.extend([
                Cell::Num(u.and_then(|o| o.n)),
                Cell::Num(u.and_then(|o| o.h)),
                Cell::Num(u.and_then(|o| o.p)),
                Cell::Num(u.map(|o| o.p_adjusted)),
                Cell::Num(u.and_then(|o| o.epsilon2)),
            ]);
            t.rows.push(row);
        }
        t
    }

    /// One metric's Dunn pairs at both levels (the assignment level's
    /// first), with the verdict of the level the findings rest on.
    pub(super) fn pairs_table(&self, metric: &str, breakdown: &str, lang: Lang) -> Table {
        let unit = self.pairs_of(metric, breakdown, "unit");
        let assigned = self
            .level
            .as_deref()
            .map(|l| self.pairs_of(metric, breakdown, l))
            .unwrap_or_default();
        let mut cols = vec![
            Column::text(label(lang, "model_a")),
            Column::text(label(lang, "model_b")),
        ];
        if let Some(l) = &self.level {
            cols.extend([
                Column::number(self.at_level(lang, l, "z"), Kind::Statistic),
                Column::number(self.at_level(lang, l, "Holm p"), Kind::PValue),
            ]);
        }
        cols.extend([
            Column::number(self.at_level(lang, "unit", "z"), Kind::Statistic),
            Column::number(self.at_level(lang, "unit", "Holm p"), Kind::PValue),
            Column::text(label(lang, "verdict")),
        ]);
        let caption = format!(
            "{}{}{}",
            period_label(lang, &self.latest),
            labels::metric(lang, metric, breakdown),
            match lang {
                Lang::Zh => format!("：{}", label(lang, "pairs_title")),
                Lang::En => format!(": {}", label(lang, "pairs_title")),
            }
        );
        let mut t = Table::new(label(lang, "pairs_sheet"), &caption, cols);
        let mut sorted: Vec<&claims::Pair> = unit.iter().collect();
        sorted.sort_by_key(|p| (claims::model_rank(&p.a), claims::model_rank(&p.b)));
        for p in sorted {
            let at = assigned.iter().find(|q| q.a == p.a && q.b == p.b);
            let judged = if self.level.is_some() { at } else { Some(p) };
            let (a, b) = (labels::model(lang, &p.a), labels::model(lang, &p.b));
            let verdict = match (judged, lang) {
                (Some(q), Lang::Zh) if q.p_holm < claims::ALPHA => {
                    if q.z > 0.0 {
                        format!("{a}高于{b}")
                    } else {
                        format!("{b}高于{a}")
                    }
                }
                (Some(q), Lang::En) if q.p_holm < claims::ALPHA => {
                    if q.z > 0.0 {
                        format!("{a} above {b}")
                    } else {
                        format!("{b} above {a}")
                    }
                }
                (_, Lang::Zh) => "差异不显著".into(),
                (_, Lang::En) => "not significant".into(),
            };
            let mut row = vec![Cell::text(a), Cell::text(b)];
            if self.level.is_some() {
                row.extend([Cell::Num(at.map(|q| q.z)), Cell::Num(at.map(|q| q.p_holm))]);
            }
            row.extend([
                Cell::Num(Some(p.z)),
                Cell::Num(Some(p.p_holm)),
                Cell::text(verdict),
            ]);
            t.rows.push(row);
        }
        t
    }

    /// The significant pairs (at the level the findings rest on) of every
    /// other metric whose corrected test there is significant; shown up to
    /// the end of the metric that passes 30 rows.
    pub(super) fn other_pairs_table(&self, lang: Lang) -> Option<Table> {
        let level = self.claim_level().to_string();
        let caption = match (&self.level, lang) {
            (Some(l), Lang::Zh) => format!(
                "{}（按{}均值）",
                period_title(lang, "pairs_other_title", &self.latest, false),
                level_name(lang, l)
            ),
            (Some(l), Lang::En) => format!(
                "{} ({} means)",
                period_title(lang, "pairs_other_title", &self.latest, false),
                l
            ),
            (None, _) => period_title(lang, "pairs_other_title", &self.latest, false),
        };
        let mut t = Table::new(
            label(lang, "pairs_other_sheet"),
            &caption,
            vec![
                Column::text(label(lang, "metric")),
                Column::text(label(lang, "higher")),
                Column::text(label(lang, "lower")),
                Column::number(label(lang, "z"), Kind::Statistic),
                Column::number(label(lang, "p_holm"), Kind::PValue),
            ],
        );
        for x in &self.tests {
            let o = self.claimed(x);
            if o.is_none_or(|o| o.p_adjusted >= claims::ALPHA)
                || (x.metric == "resolution_rate" && x.breakdown.is_empty())
            {
                continue;
            }
            let mut ps = self.pairs_of(&x.metric, &x.breakdown, &level);
            ps.retain(|p| p.p_holm < claims::ALPHA);
            ps.sort_by_key(|p| (claims::model_rank(&p.a), claims::model_rank(&p.b)));
            if t.rows.len() >= 30 && t.shown == usize::MAX {
                t.shown = t.rows.len();
            }
            for p in ps {
                let (hi, lo) = if p.z > 0.0 {
                    (&p.a, &p.b)
                } else {
                    (&p.b, &p.a)
                };
                t.rows.push(vec![
                    Cell::text(labels::metric(lang, &x.metric, &x.breakdown)),
                    Cell::text(labels::model(lang, hi)),
                    Cell::text(labels::model(lang, lo)),
                    Cell::Num(Some(p.z.abs())),
                    Cell::Num(Some(p.p_holm)),
                ]);
            }
        }
        (!t.rows.is_empty()).then_some(t)
    }
}
