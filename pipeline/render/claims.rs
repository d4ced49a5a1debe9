//! What a report may say, at the strength its own tests support: a
//! between-model sentence built from the Kruskal–Wallis test (corrected
//! across the period's family) and the Dunn pairs (Holm), and an
//! adoption-effect sentence that reports no effect whose pre-test rejects
//! and says when its interval rests on too few clusters. Pure: numbers in,
//! sentences out, so the rules are tested on the cases that must and must
//! not produce "highest".

use super::labels::{model, Lang};

/// The models in the order every table and figure shows them.
pub const MODEL_ORDER: [&str; 5] = ["sinking", "collaborative", "embedded", "integrated", "none"];

/// A model's place in [`MODEL_ORDER`] (others after, by name).
pub fn model_rank(m: &str) -> usize {
    MODEL_ORDER
        .iter()
        .position(|x| *x == m)
        .unwrap_or(MODEL_ORDER.len())
}

/// The significance level of every claim.
pub const ALPHA: f64 = 0.05;

/// Fewer clusters than this and a cluster-robust interval is called
/// unreliable (Cameron & Miller 2015: the variance is itself estimated
/// from the clusters, and intervals come out too narrow).
pub const MIN_CLUSTERS: usize = 30;

/// One Dunn pair: `z` > 0 when `a` ranks above `b`.
#[derive(Debug, Clone, PartialEq)]
pub struct Pair {
    pub a: String,
    pub b: String,
    pub z: f64,
    pub p_holm: f64,
}

/// The omnibus test as the sentence quotes it.
#[derive(Debug, Clone, PartialEq)]
pub struct Omnibus {
    /// "Kruskal–Wallis H = 12.34, Holm-corrected p = 0.003": the test, its
    /// statistic and corrected p as the table shows them.
    pub quoted: String,
    pub p_adjusted: f64,
}

/// Whether `a` is significantly above `b` in the pairs (either order).
fn above(pairs: &[Pair], a: &str, b: &str) -> bool {
    pairs.iter().any(|p| {
        p.p_holm < ALPHA
            && ((p.a == a && p.b == b && p.z > 0.0) || (p.a == b && p.b == a && p.z < 0.0))
    })
}

fn join(lang: Lang, names: &[String]) -> String {
    match (lang, names.len()) {
        (_, 0) => String::new(),
        (_, 1) => names[0].clone(),
        (Lang::Zh, _) => names
            .join("、")
            .replacen('、', "与", usize::from(names.len() == 2)),
        (Lang::En, n) => format!("{} and {}", names[..n - 1].join(", "), names[n - 1]),
    }
}

/// The between-model sentence for one metric: `models` in display order
/// (codes), `omnibus` the Kruskal–Wallis test (its corrected p), `pairs`
/// the Dunn pairs. "Highest" is said only of a model significantly above
/// every other group; without a significant omnibus test, no ranking at
/// all; otherwise each model against the comparison group (`none`) and the
/// significant differences among the models themselves.
pub fn between_models(
    lang: Lang,
    subject: &str,
    models: &[String],
    omnibus: Option<&Omnibus>,
    pairs: &[Pair],
) -> String {
    let zh = lang == Lang::Zh;
    let name = |m: &str| model(lang, m);
    let Some(kw) = omnibus.filter(|k| k.p_adjusted < ALPHA) else {
        let quoted = omnibus.map(|k| k.quoted.clone()).unwrap_or_default();
        return match (zh, quoted.is_empty()) {
            (true, false) => format!("{subject}在各模式间差异不显著（{quoted}），不对各模式排序。"),
            (true, true) => format!("{subject}无法在各模式间检验差异，不对各模式排序。"),
            (false, false) => format!("{subject} does not differ significantly across models ({quoted}); the models are not ranked."),
            (false, true) => format!("{subject} could not be tested across models; the models are not ranked."),
        };
    };
    let four: Vec<&String> = models.iter().filter(|m| *m != "none").collect();
    let has_none = models.iter().any(|m| m == "none");
    let mut parts: Vec<String> = Vec::new();
    // The highest: significantly above every other group.
    let top = models
        .iter()
        .find(|m| models.iter().all(|o| o == *m || above(pairs, m, o)));
    if let Some(t) = top {
        parts.push(if zh {
            format!("{}最高，显著高于其余各组", name(t))
        } else {
            format!(
                "{} is highest, significantly above every other group",
                name(t)
            )
        });
    } else {
        if has_none {
            let hi: Vec<String> = four
                .iter()
                .filter(|m| above(pairs, m, "none"))
                .map(|m| name(m))
                .collect();
            let lo: Vec<String> = four
                .iter()
                .filter(|m| above(pairs, "none", m))
                .map(|m| name(m))
                .collect();
            if !hi.is_empty() {
                parts.push(if zh {
                    format!("{}高于无模式", join(lang, &hi))
                } else {
                    format!(
                        "{} {} above no model",
                        join(lang, &hi),
                        if hi.len() > 1 { "are" } else { "is" }
                    )
                });
            }
            if !lo.is_empty() {
                parts.push(if zh {
                    format!("{}低于无模式", join(lang, &lo))
                } else {
                    format!(
                        "{} {} below no model",
                        join(lang, &lo),
                        if lo.len() > 1 { "are" } else { "is" }
                    )
                });
            }
        }
        let among: Vec<String> = four
            .iter()
            .flat_map(|a| four.iter().map(move |b| (a, b)))
            .filter(|(a, b)| above(pairs, a, b))
            .map(|(a, b)| {
                if zh {
                    format!("{}高于{}", name(a), name(b))
                } else {
                    format!("{} is above {}", name(a), name(b))
                }
            })
            .collect();
        let n_models = four.len();
        if among.is_empty() && n_models > 1 {
            parts.push(match (zh, n_models) {
                (true, 4) => "四种模式之间差异不显著".into(),
                (true, _) => "各模式之间差异不显著".into(),
                (false, _) => "the models do not differ significantly from each other".into(),
            });
        } else {
            parts.extend(among);
        }
    }
    if zh {
        format!(
            "{subject}在各模式间差异显著（{}）；两两比较（Dunn 检验，Holm 校正）：{}。",
            kw.quoted,
            parts.join("；")
        )
    } else {
        format!(
            "{subject} differs across models ({}); pairwise (Dunn, Holm-corrected): {}.",
            kw.quoted,
            parts.join("; ")
        )
    }
}

/// What an adoption effect's sentence says of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The pre-test rejects parallel pre-trends: no effect is reported.
    PreTrendsDiffer,
    /// The interval excludes 0, and so does the other aggregation's.
    Significant,
    /// The interval excludes 0 but the other aggregation's does not: the
    /// effect depends on how the cells are weighted.
    Fragile,
    NotSignificant,
}

/// A pre-test p below this (and at least [`ALPHA`]) is said to be close to
/// rejecting.
pub const NEAR_ALPHA: f64 = 0.10;

/// One adoption effect as the findings state it.
#[derive(Debug, Clone, PartialEq)]
pub struct Effect<'a> {
    /// The metric's name, and the unit its change is in when the numbers
    /// do not carry it ("件/万人"; "" for percentage points).
    pub name: &'a str,
    pub unit: &'a str,
    /// The estimate and its interval, formatted with their unit.
    pub att: &'a str,
    pub low: &'a str,
    pub high: &'a str,
    pub excludes_zero: bool,
    /// Whether the other aggregation's interval (the dynamic one) excludes
    /// 0 too (`None`: there is none).
    pub other_excludes: Option<bool>,
    /// The pre-test's p (`None`: no test could be made) and its clause as
    /// the table shows it ("p = 0.012").
    pub pre_p: Option<f64>,
    pub pre_quoted: &'a str,
    /// Clusters of the standard errors (`None`: by unit) and their level.
    pub clusters: Option<usize>,
    pub level: &'a str,
    /// The models whose own pre-test rejects (a caveat on the pooled
    /// effect: their adopters' trends may differ, or their few clusters
    /// make the test unreliable).
    pub models_reject: &'a [String],
}

/// The verdict the numbers allow.
pub fn verdict(e: &Effect) -> Verdict {
    match e.pre_p {
        Some(p) if p < ALPHA => Verdict::PreTrendsDiffer,
        _ if e.excludes_zero && e.other_excludes == Some(false) => Verdict::Fragile,
        _ if e.excludes_zero => Verdict::Significant,
        _ => Verdict::NotSignificant,
    }
}

/// The finding of one adoption effect: none when the pre-trends differ
/// (said instead), the interval with how it was clustered, and the caveats
/// its own numbers raise (no pre-test, too few clusters).
pub fn effect_sentence(lang: Lang, e: &Effect) -> String {
    let zh = lang == Lang::Zh;
    let v = verdict(e);
    if v == Verdict::PreTrendsDiffer {
        return if zh {
            format!(
                "{}：采用前各组趋势已不同（平行趋势预检验 {}），不报告其效应。",
                e.name, e.pre_quoted
            )
        } else {
            let mut name = e.name.chars();
            let first: String = name
                .next()
                .into_iter()
                .flat_map(char::to_uppercase)
                .collect();
            format!(
                "{first}{}: the groups' trends already differed before adoption (pre-test {}); no effect is reported.",
                name.as_str(),
                e.pre_quoted
            )
        };
    }
    let clustered = match (e.clusters, zh) {
        (Some(g), true) => format!("，按{}聚类（{g} 个）", e.level),
        (Some(g), false) => format!(", clustered by {} ({g})", e.level),
        (None, true) => "，按单位聚类".into(),
        (None, false) => ", clustered by unit".into(),
    };
    let word = match (v, zh) {
        (Verdict::Significant, true) => "显著",
        (Verdict::Fragile, true) => "但不稳健：动态聚合的区间含 0，不作为发现",
        (_, true) => "不显著",
        (Verdict::Significant, false) => "significant",
        (Verdict::Fragile, false) => {
            "but not robust: the dynamic aggregation's interval includes 0, so it is not a finding"
        }
        (_, false) => "not significant",
    };
    let mut caveats: Vec<String> = Vec::new();
    if e.pre_p.is_some_and(|p| (ALPHA..NEAR_ALPHA).contains(&p)) {
        caveats.push(if zh {
            format!("平行趋势预检验 {} 接近 5% 水平", e.pre_quoted)
        } else {
            format!(
                "the pre-test ({}) is close to rejecting at 5%",
                e.pre_quoted
            )
        });
    }
    if e.pre_p.is_none() {
        caveats.push(if zh {
            "平行趋势无法检验".into()
        } else {
            "parallel trends could not be tested".into()
        });
    }
    if let Some(g) = e.clusters.filter(|g| *g < MIN_CLUSTERS) {
        caveats.push(if zh {
            format!("仅 {g} 个聚类，区间不可靠")
        } else {
            format!("only {g} clusters: the interval is unreliable")
        });
    }
    if !e.models_reject.is_empty() {
        let names: Vec<String> = e.models_reject.iter().map(|m| model(lang, m)).collect();
        let own = if names.len() == 1 { "自身" } else { "各自" };
        caveats.push(if zh {
            format!(
                "{}{own}的预检验拒绝平行趋势（各模式只有少数聚类，这些检验不可靠，但不能排除部分模式的趋势本就不同）",
                join(lang, &names)
            )
        } else {
            format!(
                "the own pre-test(s) of {} reject parallel trends (each model has few clusters, so these tests are unreliable, yet some models' trends may differ)",
                join(lang, &names)
            )
        });
    }
    let caveats = match (caveats.is_empty(), zh) {
        (true, _) => String::new(),
        (false, true) => format!("；{}", caveats.join("，")),
        (false, false) => format!("; {}", caveats.join(", ")),
    };
    let named = match (e.unit.is_empty(), zh) {
        (true, _) => e.name.to_string(),
        (false, true) => format!("{}（{}）", e.name, e.unit),
        (false, false) => format!("{} ({})", e.name, e.unit),
    };
    if zh {
        format!(
            "采用模式后，{named}平均变化 {}（95% 区间 {} 至 {}{clustered}），{word}{caveats}。",
            e.att, e.low, e.high
        )
    } else {
        format!(
            "After adopting a model, the {named} changed by {} on average (95% interval {} to {}{clustered}): {word}{caveats}.",
            e.att, e.low, e.high
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(a: &str, b: &str, z: f64, p: f64) -> Pair {
        Pair {
            a: a.into(),
            b: b.into(),
            z,
            p_holm: p,
        }
    }

    fn models() -> Vec<String> {
        MODEL_ORDER.iter().map(|m| m.to_string()).collect()
    }

    fn kw(p: f64) -> Omnibus {
        Omnibus {
            quoted: format!("Kruskal–Wallis H = 20.00，Holm 校正 p = {p}"),
            p_adjusted: p,
        }
    }

    /// Every pair not significant but embedded and sinking above none.
    fn issue_pairs() -> Vec<Pair> {
        let mut v = Vec::new();
        let m = models();
        for (i, a) in m.iter().enumerate() {
            for b in &m[i + 1..] {
                let p = match (a.as_str(), b.as_str()) {
                    ("sinking", "none") | ("embedded", "none") => 0.01,
                    _ => 0.4,
                };
                v.push(pair(a, b, 1.0, p));
            }
        }
        v
    }

    /// The referee's case: the highest mean is not significantly above the
    /// other models — no "highest", and what the pairs do support.
    #[test]
    fn a_top_mean_the_pairs_do_not_separate_is_not_called_highest() {
        let s = between_models(
            Lang::Zh,
            "调解成功率",
            &models(),
            Some(&kw(0.001)),
            &issue_pairs(),
        );
        assert!(!s.contains("最高"), "{s}");
        assert!(s.contains("下沉型与嵌入型高于无模式"), "{s}");
        assert!(s.contains("四种模式之间差异不显著"), "{s}");
        let en = between_models(
            Lang::En,
            "The resolution rate",
            &models(),
            Some(&kw(0.001)),
            &issue_pairs(),
        );
        assert!(!en.contains("highest"), "{en}");
        assert!(
            en.contains("Sinking and Embedded are above no model"),
            "{en}"
        );
    }

    /// A model significantly above every other group is the highest.
    #[test]
    fn a_model_above_every_other_group_is_called_highest() {
        let m = models();
        let mut pairs = Vec::new();
        for (i, a) in m.iter().enumerate() {
            for b in &m[i + 1..] {
                // embedded is b in (sinking, collaborative) pairs: z < 0.
                let (z, p) = match (a.as_str(), b.as_str()) {
                    (_, "embedded") => (-3.0, 0.001),
                    ("embedded", _) => (3.0, 0.001),
                    _ => (0.5, 0.6),
                };
                pairs.push(pair(a, b, z, p));
            }
        }
        let s = between_models(Lang::Zh, "调解成功率", &m, Some(&kw(0.001)), &pairs);
        assert!(s.contains("嵌入型最高，显著高于其余各组"), "{s}");
        // One pair short of every group: not the highest.
        pairs.retain(|p| !(p.a == "embedded" && p.b == "none"));
        pairs.push(pair("embedded", "none", 1.9, 0.08));
        let s = between_models(Lang::Zh, "调解成功率", &m, Some(&kw(0.001)), &pairs);
        assert!(!s.contains("最高"), "{s}");
        assert!(s.contains("嵌入型高于下沉型"), "{s}");
    }

    /// Without a significant (corrected) omnibus test, no ranking, even
    /// when some uncorrected pair would have been significant.
    #[test]
    fn no_ranking_without_a_significant_corrected_omnibus_test() {
        let s = between_models(
            Lang::Zh,
            "调解成功率",
            &models(),
            Some(&kw(0.2)),
            &issue_pairs(),
        );
        assert!(
            s.contains("差异不显著") && s.contains("不对各模式排序"),
            "{s}"
        );
        assert!(!s.contains("最高") && !s.contains("高于"), "{s}");
        let s = between_models(Lang::Zh, "调解成功率", &models(), None, &[]);
        assert!(s.contains("无法") && !s.contains("最高"), "{s}");
    }

    fn effect(pre_p: Option<f64>, excludes_zero: bool, clusters: Option<usize>) -> Effect<'static> {
        Effect {
            name: "调解成功率",
            unit: "",
            att: "+5.8 个百分点",
            low: "+2.0 个百分点",
            high: "+9.6 个百分点",
            excludes_zero,
            other_excludes: None,
            pre_p,
            pre_quoted: "p = 0.001",
            clusters,
            level: "县",
            models_reject: &[],
        }
    }

    #[test]
    fn an_effect_whose_pre_test_rejects_is_not_reported() {
        let e = effect(Some(0.001), true, Some(34));
        assert_eq!(verdict(&e), Verdict::PreTrendsDiffer);
        let s = effect_sentence(Lang::Zh, &e);
        assert!(s.contains("不报告其效应") && !s.contains("平均变化"), "{s}");
        let e = effect(Some(0.2), true, Some(34));
        assert_eq!(verdict(&e), Verdict::Significant);
        let s = effect_sentence(Lang::Zh, &e);
        assert!(
            s.contains("平均变化 +5.8 个百分点") && s.contains("按县聚类（34 个）"),
            "{s}"
        );
        assert!(s.ends_with("显著。"), "{s}");
    }

    #[test]
    fn models_whose_own_pre_test_rejects_qualify_the_pooled_effect() {
        let reject = ["collaborative".to_string(), "embedded".to_string()];
        let e = Effect {
            models_reject: &reject,
            ..effect(Some(0.3), true, Some(34))
        };
        let s = effect_sentence(Lang::Zh, &e);
        assert!(
            s.contains("；协同型与嵌入型各自的预检验拒绝平行趋势"),
            "{s}"
        );
    }

    /// Guards the referee's dispute-rate case: only the simple aggregation
    /// excludes 0 — no significance claim; a borderline pre-test is said.
    #[test]
    fn an_effect_only_one_aggregation_supports_is_not_a_finding() {
        let e = Effect {
            other_excludes: Some(false),
            ..effect(Some(0.2), true, Some(34))
        };
        assert_eq!(verdict(&e), Verdict::Fragile);
        let s = effect_sentence(Lang::Zh, &e);
        assert!(s.contains("不稳健") && !s.contains("），显著"), "{s}");
        let e = Effect {
            other_excludes: Some(true),
            ..effect(Some(0.062), true, Some(34))
        };
        assert_eq!(verdict(&e), Verdict::Significant);
        let s = effect_sentence(Lang::Zh, &e);
        assert!(s.contains("接近 5% 水平"), "{s}");
    }

    #[test]
    fn few_clusters_or_no_pre_test_are_said_in_the_sentence() {
        let s = effect_sentence(Lang::Zh, &effect(None, false, Some(16)));
        assert!(
            s.contains("平行趋势无法检验") && s.contains("仅 16 个聚类，区间不可靠"),
            "{s}"
        );
        assert!(s.contains("不显著"), "{s}");
        let s = effect_sentence(Lang::En, &effect(Some(0.3), true, None));
        assert!(
            s.contains("clustered by unit") && !s.contains("unreliable"),
            "{s}"
        );
    }
}
