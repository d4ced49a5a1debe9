//! `replicate.R` and `replicate.do`: the run's analyses repeated in R (did,
//! QCA) and Stata (csdid) from the exported files and the run's own
//! settings (docs/export.md, "Replication scripts"). Every call takes only
//! arguments its package documents; the tests parse the scripts and check
//! each argument and each column they name against the exported files.
//!
//! What they give: R's did with `bstrap = FALSE` prints the run's estimates
//! and analytic SEs exactly (tests/did_reference.rs holds govlens to R on
//! mpdta); with the bootstrap, the point estimates and the analytic SEs are
//! the run's, the bootstrap SEs and bands differ by their draws. csdid's
//! `dripw`, `stdipw` and `reg` are R's `dr`, `ipw` and `reg`. QCA's
//! calibrate with the run's anchors and `idm` (the run's log-odds k as R's
//! inclusion degree, 1 / (1 + e^−k)), truthTable with its cuts, minimize
//! for the three solutions.

use crate::config::Config;
use crate::methods::did::options::{BasePeriod, Control, DidOptions, Method, SeKind};
use crate::methods::qca::spec::Qca;

use super::dataset::Dataset;

/// An adoption metric's column in the exported panel, and its label.
pub struct Outcome {
    pub metric: String,
    pub column: String,
    pub label: String,
    /// Whether the run could estimate it (an outcome that never varied
    /// cannot be: the scripts say so and skip it).
    pub estimable: bool,
}

/// A set of the QCA study: its column in `qca_cases`, the calibration the
/// run applied (method and anchors from `qca_calibration`).
pub struct Set {
    pub set: String,
    pub column: String,
    pub method: String,
    pub anchors: [Option<f64>; 3],
    pub outcome: bool,
}

/// What the scripts repeat.
pub struct Plan<'a> {
    pub run_id: String,
    pub did: Option<DidPlan<'a>>,
    pub qca: Option<QcaPlan<'a>>,
    pub index: Option<IndexPlan<'a>>,
}

/// The index of the run's latest period, as COINr's steps.
pub struct IndexPlan<'a> {
    pub spec: &'a crate::config::Index,
    pub period: String,
    /// (column in the wide unit_metrics, pillar, direction, weight).
    pub indicators: Vec<(String, String, f64, f64)>,
}

pub struct DidPlan<'a> {
    pub options: &'a DidOptions,
    /// The run's seed (R's `set.seed`, csdid's `rseed`).
    pub seed: u64,
    pub outcomes: Vec<Outcome>,
    /// The covariates' columns in the panel.
    pub covariates: Vec<String>,
    /// Whether the panel's `cluster` column names clusters (else by unit).
    pub clustered: bool,
}

pub struct QcaPlan<'a> {
    pub spec: &'a Qca,
    pub sets: Vec<Set>,
}

impl<'a> Plan<'a> {
    /// From the run's config and the exported datasets (a step whose table
    /// was not exported is left out, and the script says so).
    pub fn new(
        run_id: &str,
        config: Option<&'a Config>,
        datasets: &[Dataset],
        calibration: &[Set],
        period: &str,
        not_estimable: &[String],
    ) -> Plan<'a> {
        let find = |t: &str| datasets.iter().find(|d| d.table == t);
        let column = |d: &Dataset, c: &str| {
            d.variables
                .iter()
                .find(|v| v.column == c)
                .map(|v| (v.name.clone(), v.label.clone()))
        };
        let did = match (config, find("adoption_panel")) {
            (Some(cfg), Some(panel)) => Some(DidPlan {
                options: &cfg.compare.did,
                seed: cfg.seed,
                outcomes: cfg
                    .compare
                    .adoption_metrics
                    .iter()
                    .filter_map(|m| {
                        column(panel, m).map(|(column, label)| Outcome {
                            metric: m.clone(),
                            column,
                            label,
                            estimable: !not_estimable.contains(m),
                        })
                    })
                    .collect(),
                covariates: cfg
                    .compare
                    .covariates
                    .iter()
                    .filter_map(|c| column(panel, c).map(|x| x.0))
                    .collect(),
                clustered: panel.variables.iter().any(|v| {
                    v.column == "cluster"
                        && matches!(&v.values, super::dataset::Values::Text(t) if t.iter().any(|x| x.as_deref().is_some_and(|s| !s.is_empty())))
                }),
            }),
            _ => None,
        };
        let qca = match (config.and_then(|c| c.qca.as_ref()), find("qca_cases")) {
            (Some(spec), Some(_)) if !calibration.is_empty() => Some(QcaPlan {
                spec,
                sets: calibration
                    .iter()
                    .map(|s| Set {
                        set: s.set.clone(),
                        column: s.column.clone(),
                        method: s.method.clone(),
                        anchors: s.anchors,
                        outcome: s.outcome,
                    })
                    .collect(),
            }),
            _ => None,
        };
        let index = match (config, find("unit_metrics"), find("units")) {
            (Some(cfg), Some(um), Some(_)) if !cfg.index.indicators.is_empty() => {
                let indicators: Vec<(String, String, f64, f64)> = cfg
                    .index
                    .indicators
                    .iter()
                    .filter_map(|i| {
                        let name = match &i.breakdown {
                            Some(b) => format!("{}:{b}", i.metric),
                            None => i.metric.clone(),
                        };
                        column(um, &name).map(|(c, _)| (c, i.pillar.clone(), i.direction, i.weight))
                    })
                    .collect();
                (indicators.len() == cfg.index.indicators.len()).then(|| IndexPlan {
                    spec: &cfg.index,
                    period: period.to_string(),
                    indicators,
                })
            }
            _ => None,
        };
        Plan {
            run_id: run_id.to_string(),
            did,
            qca,
            index,
        }
    }
}

/// A number as R and Stata read it.
fn num(x: f64) -> String {
    let s = format!("{x:?}");
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}

/// A label in a comment: on one line.
fn comment(s: &str) -> String {
    s.replace(['\n', '\r'], " ")
}

/// The R script.
pub fn r_script(plan: &Plan) -> String {
    let mut s = format!(
        "# Replication of govlens run {} (written by govlens export). Run it from the\n\
         # export folder: Rscript replicate.R\n\
         # install.packages(c(\"did\", \"QCA\", \"COINr\"))\n\n",
        plan.run_id
    );
    match &plan.did {
        Some(d) => r_did(&mut s, d),
        None => s.push_str("# The adoption effects: adoption_panel was not exported (or the run has no [compare] settings).\n\n"),
    }
    match &plan.qca {
        Some(q) => r_qca(&mut s, q),
        None => {
            s.push_str("# fsQCA: the run has no [qca] study, or qca_cases was not exported.\n\n")
        }
    }
    match &plan.index {
        Some(i) => r_index(&mut s, i),
        None => s.push_str(
            "# The effectiveness index: unit_metrics and units were not exported (or the run has no [index]).\n",
        ),
    }
    s
}

/// COINr's steps for the index of the latest period: impute, treat,
/// normalise, aggregate (docs/index.md: the run's order and methods).
fn r_index(s: &mut String, p: &IndexPlan) {
    use crate::methods::index::score::{Aggregation, Normalisation};
    let spec = p.spec;
    let cols: Vec<&str> = p.indicators.iter().map(|i| i.0.as_str()).collect();
    let mut pillars: Vec<&str> = Vec::new();
    for i in &p.indicators {
        if !pillars.contains(&i.1.as_str()) {
            pillars.push(&i.1);
        }
    }
    let pillar_weight = |name: &str| {
        spec.pillars
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, w)| *w)
            .unwrap_or(1.0)
    };
    let group = match spec.group {
        crate::config::IndexGroup::District => "district",
        crate::config::IndexGroup::Model => "governance_model",
    };
    let quoted = |v: &[&str]| {
        v.iter()
            .map(|c| format!("\"{c}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    s.push_str(&format!(
        "library(COINr)\n\n\
         # The effectiveness index of {period} (index_scores), in COINr's order: impute,\n\
         # treat, normalise, aggregate. uCode: the region code with a letter in front.\n\
         um <- read.csv(\"unit_metrics.csv\", colClasses = c(region_code = \"character\", period = \"character\"))\n\
         units <- read.csv(\"units.csv\", colClasses = c(region_code = \"character\", district = \"character\"))\n\
         d <- subset(um, period == \"{period}\")\n\
         iData <- data.frame(uCode = paste0(\"u\", d$region_code), uName = d$region_code,\n\
         \x20 Group_{group} = as.character(units${group}[match(d$region_code, units$region_code)]),\n\
         \x20 d[c({cols})])\n",
        period = p.period,
        cols = quoted(&cols),
    ));
    let n = p.indicators.len();
    let group_col = format!("Group_{group}");
    let mut codes = cols.clone();
    codes.extend(pillars.iter().copied());
    codes.push("Index");
    let levels: Vec<&str> = std::iter::repeat_n("1", n)
        .chain(std::iter::repeat_n("2", pillars.len()))
        .chain(["3", "NA"])
        .collect();
    // iData's group column is described in iMeta too, as a Group.
    codes.push(group_col.as_str());
    let parents: Vec<String> = p
        .indicators
        .iter()
        .map(|i| format!("\"{}\"", i.1))
        .chain(std::iter::repeat_n("\"Index\"".to_string(), pillars.len()))
        .chain(["NA".to_string(), "NA".to_string()])
        .collect();
    let directions: Vec<String> = p
        .indicators
        .iter()
        .map(|i| num(i.2))
        .chain(std::iter::repeat_n("1".to_string(), pillars.len() + 1))
        .chain(["NA".to_string()])
        .collect();
    let weights: Vec<String> = p
        .indicators
        .iter()
        .map(|i| num(i.3))
        .chain(pillars.iter().map(|p| num(pillar_weight(p))))
        .chain(["1".to_string(), "NA".to_string()])
        .collect();
    s.push_str(&format!(
        "iMeta <- data.frame(\n\
         \x20 iCode = c({}),\n\
         \x20 Level = c({}),\n\
         \x20 Parent = c({}),\n\
         \x20 Direction = c({}),\n\
         \x20 Weight = c({}),\n\
         \x20 Type = c(rep(\"Indicator\", {n}), rep(\"Aggregate\", {}), \"Group\"))\n\
         coin <- new_coin(iData, iMeta, level_names = c(\"Indicator\", \"Pillar\", \"Index\"))\n",
        quoted(&codes),
        levels.join(", "),
        parents.join(", "),
        directions.join(", "),
        weights.join(", "),
        pillars.len() + 1,
    ));
    let mut dset = "Raw";
    match spec.imputation.as_str() {
        "mean" | "median" | "group_mean" | "group_median" => {
            let f = match spec.imputation.as_str() {
                "mean" => "i_mean",
                "median" => "i_median",
                "group_mean" => "i_mean_grp",
                _ => "i_median_grp",
            };
            let by = if spec.imputation.starts_with("group") {
                format!(", use_group = \"Group_{group}\"")
            } else {
                String::new()
            };
            s.push_str(&format!(
                "coin <- Impute(coin, dset = \"Raw\", f_i = \"{f}\"{by})\n"
            ));
            dset = "Imputed";
        }
        "latest" => s.push_str(
            "# The run imputed each unit's latest earlier value, which COINr does not do: left missing here.\n",
        ),
        _ => {}
    }
    if spec.winmax > 0 {
        s.push_str(&format!(
            "coin <- qTreat(coin, dset = \"{dset}\", winmax = {})\n",
            spec.winmax
        ));
        dset = "Treated";
    }
    let norm = match spec.normalisation {
        Normalisation::MinMax => "list(f_n = \"n_minmax\", f_n_para = list(l_u = c(0, 100)))",
        Normalisation::ZScore => "list(f_n = \"n_zscore\")",
        Normalisation::Rank => {
            "list(f_n = \"n_prank\")  # percentile ranks in 0..1; the run's are × 100"
        }
    };
    s.push_str(&format!(
        "coin <- Normalise(coin, dset = \"{dset}\", global_specs = {norm})\n"
    ));
    if spec.weights == "pca" {
        s.push_str(
            "# The run's weights were each pillar's first principal component (COINr's get_PCA()).\n",
        );
    }
    let ag = match spec.aggregation {
        Aggregation::Arithmetic => "\"a_amean\"",
        Aggregation::Geometric => {
            "\"a_gmean\"  # the run rescales to 1..100 before the geometric mean"
        }
    };
    s.push_str(&format!(
        "coin <- Aggregate(coin, dset = \"Normalised\", f_ag = {ag})\n\
         print(head(get_results(coin, dset = \"Aggregated\", tab_type = \"Aggs\"), 15))  # compare with index_scores, period {}\n",
        p.period
    ));
}

fn r_did(s: &mut String, d: &DidPlan) {
    let xf = if d.covariates.is_empty() {
        "NULL".to_string()
    } else {
        format!("~ {}", d.covariates.join(" + "))
    };
    let cluster = if d.clustered {
        ", clustervars = \"cluster_id\""
    } else {
        ""
    };
    s.push_str("library(did)\n\n");
    s.push_str("# The adoption panel: a row per unit and year; cohort = the year the unit's\n\
                # model was adopted, 0 for a unit of no model (did's gname convention).\n\
                panel <- read.csv(\"adoption_panel.csv\", colClasses = c(region_code = \"character\", cluster = \"character\"))\n\
                panel$id <- as.numeric(factor(panel$region_code))      # did wants a numeric id\n");
    if d.clustered {
        s.push_str(
            "# Where adoption is assigned; a unit with no cluster is its own (as govlens).\n\
             panel$cluster_id <- as.numeric(factor(ifelse(is.na(panel$cluster) | panel$cluster == \"\",\n\
             \x20 paste0(\"u\", panel$region_code), panel$cluster)))\n",
        );
    }
    if d.options.se == SeKind::Bootstrap {
        s.push_str(&format!(
            "set.seed({})  # the bootstrap's draws differ from govlens's: its SEs and bands will too\n",
            d.seed % 2_147_483_647
        ));
    }
    s.push('\n');
    for o in &d.outcomes {
        let y = &o.column;
        if !o.estimable {
            s.push_str(&format!(
                "# {y}: {} did not vary over the panel's years: the run has no estimate, and neither would did.\n\n",
                comment(&o.label)
            ));
            continue;
        }
        let keep = std::iter::once(y.as_str())
            .chain(d.covariates.iter().map(String::as_str))
            .map(|c| format!("!is.na({c})"))
            .collect::<Vec<_>>()
            .join(" & ");
        s.push_str(&format!(
            "# {y}: {} (the run's adoption_effects, event_study and adoption_by_model)\n\
             d <- subset(panel, {keep})\n\
             att_{y} <- att_gt(yname = \"{y}\", tname = \"year\", idname = \"id\", gname = \"cohort\", xformla = {xf},\n  data = d, {}{cluster})\n\
             print(summary(aggte(att_{y}, type = \"simple\")))\n\
             print(summary(aggte(att_{y}, type = \"dynamic\")))\n\
             print(summary(aggte(att_{y}, type = \"group\")))\n\
             print(summary(aggte(att_{y}, type = \"calendar\")))\n\
             for (m in 1:4) {{  # each model's adopters against the units of no model (code 0)\n\
             \x20 dm <- subset(d, governance_model %in% c(0, m))\n\
             \x20 if (any(dm$cohort > 0)) print(summary(aggte(att_gt(yname = \"{y}\", tname = \"year\", idname = \"id\",\n\
             \x20   gname = \"cohort\", xformla = {xf}, data = dm, {}{cluster}), type = \"simple\")))\n\
             }}\n\n",
            comment(&o.label),
            d.options.r_arguments(),
            d.options.r_arguments(),
        ));
    }
}

fn r_qca(s: &mut String, q: &QcaPlan) {
    let idm = 1.0 / (1.0 + (-q.spec.log_odds).exp());
    s.push_str(
        "library(QCA)\n\n# fsQCA: the raw case table, calibrated with the run's anchors.\n\
                cases <- read.csv(\"qca_cases.csv\", colClasses = c(case = \"character\"))\n\
                sets <- data.frame(row.names = cases$case,\n",
    );
    let lines: Vec<String> = q
        .sets
        .iter()
        .map(|set| {
            let c = &set.column;
            let call = match (set.method.as_str(), set.anchors) {
                ("anchors" | "quantiles", [Some(e), Some(x), Some(i)]) => format!(
                    "calibrate(cases${c}, type = \"fuzzy\", thresholds = \"e={}, c={}, i={}\", idm = {})",
                    num(e),
                    num(x),
                    num(i),
                    num((idm * 1e10).round() / 1e10)
                ),
                ("threshold", [_, Some(t), _]) => format!(
                    "calibrate(cases${c}, type = \"crisp\", thresholds = {})",
                    num(t)
                ),
                _ => format!("cases${c}"),
            };
            format!("  {c} = {call}")
        })
        .collect();
    s.push_str(&lines.join(",\n"));
    s.push_str(")\n");
    let outcome = q
        .sets
        .iter()
        .find(|s| s.outcome)
        .map(|s| s.column.clone())
        .unwrap_or_default();
    let conditions: Vec<String> = q
        .sets
        .iter()
        .filter(|s| !s.outcome)
        .map(|s| format!("\"{}\"", s.column))
        .collect();
    s.push_str(&format!(
        "tt <- truthTable(sets, outcome = \"{outcome}\", conditions = c({}),\n  incl.cut = {}, n.cut = {}, pri.cut = {}, complete = TRUE, show.cases = TRUE)\n\
         print(tt)\n\
         print(minimize(tt, details = TRUE))                  # the complex solution\n\
         print(minimize(tt, include = \"?\", details = TRUE))   # the parsimonious solution\n",
        conditions.join(", "),
        num(q.spec.incl_cut),
        q.spec.n_cut,
        num(q.spec.pri_cut),
    ));
    let dir: Vec<String> = q
        .sets
        .iter()
        .filter_map(|s| {
            q.spec.expect.get(&s.set).map(|v| match v {
                0 => format!("~{}", s.column),
                _ => s.column.clone(),
            })
        })
        .collect();
    if !dir.is_empty() {
        s.push_str(&format!(
            "print(minimize(tt, include = \"?\", dir.exp = \"{}\", details = TRUE))   # the intermediate solution\n",
            dir.join(", ")
        ));
    }
    s.push('\n');
}

/// The Stata do-file.
pub fn stata_script(plan: &Plan) -> String {
    let mut s = format!(
        "* Replication of govlens run {} (written by govlens export). Run it from the\n\
         * export folder: do replicate.do\n\
         * ssc install csdid, replace\n\
         * ssc install drdid, replace\n\
         version 14\n\n",
        plan.run_id
    );
    match &plan.did {
        Some(d) => stata_did(&mut s, d),
        None => s.push_str("* The adoption effects: adoption_panel was not exported.\n\n"),
    }
    s.push_str(
        "* fsQCA and the effectiveness index have no Stata command that computes them as\n\
                * R's QCA and COINr do: see replicate.R.\n",
    );
    s
}

fn stata_did(s: &mut String, d: &DidPlan) {
    let o = d.options;
    let seed = d.seed % 2_147_483_647;
    let mut opts = String::from("ivar(id) time(year) gvar(cohort)");
    opts.push_str(match o.method {
        Method::Dr => " method(dripw)",
        Method::Ipw => " method(stdipw)",
        Method::Reg => " method(reg)",
    });
    if o.control == Control::NotYet {
        opts.push_str(" notyet");
    }
    if o.base_period == BasePeriod::Universal {
        opts.push_str(" long2");
    }
    if d.clustered {
        opts.push_str(" cluster(cluster_id)");
    }
    if o.se == SeKind::Bootstrap {
        opts.push_str(&format!(" wboot reps({}) rseed({seed})", o.draws));
    }
    let level = ((1.0 - o.alpha) * 100.0 * 100.0).round() / 100.0;
    if (level - 95.0).abs() > 1e-9 {
        opts.push_str(&format!(" level({})", num(level)));
    }
    s.push_str(
        "use adoption_panel, clear\n\
                egen long id = group(region_code)\n",
    );
    if d.clustered {
        s.push_str(
            "replace cluster = \"u\" + region_code if cluster == \"\"   // a unit with no cluster is its own\n\
             egen long cluster_id = group(cluster)\n",
        );
    }
    if o.anticipation != 0 {
        s.push_str(&format!(
            "* The run allowed {} year(s) of anticipation; csdid has no such option: R's did repeats it.\n",
            o.anticipation
        ));
    }
    s.push('\n');
    s.push_str(
        "* estat reports asymptotic SEs even after wboot: compare them with the run's\n\
         * se_analytic; its bootstrap SEs and bands come from its own draws. estat\n\
         * pretrend is the Wald test over the pre-period ATT(g,t); adoption_tests says\n\
         * which test the run reports.\n\n",
    );
    for out in &d.outcomes {
        let y = &out.column;
        if !out.estimable {
            s.push_str(&format!(
                "* {y}: {} did not vary over the panel's years: no estimate.\n\n",
                comment(&out.label)
            ));
            continue;
        }
        let keep = std::iter::once(y.as_str())
            .chain(d.covariates.iter().map(String::as_str))
            .map(|c| format!("!missing({c})"))
            .collect::<Vec<_>>()
            .join(" & ");
        let covs = if d.covariates.is_empty() {
            String::new()
        } else {
            format!(" {}", d.covariates.join(" "))
        };
        s.push_str(&format!(
            "* {y}: {}\npreserve\nkeep if {keep}\n",
            comment(&out.label)
        ));
        if !o.unbalanced {
            s.push_str("bysort id: egen _years = count(year)\nsummarize _years, meanonly\nkeep if _years == r(max)   // the balanced panel, as R's did and govlens\n");
        }
        s.push_str(&format!(
            "csdid {y}{covs}, {opts}\nestat pretrend\nestat simple\nestat event\nestat group\nestat calendar\nrestore\n\n"
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csdid_takes_the_method_control_base_and_clusters_of_the_run() {
        let options = DidOptions {
            method: Method::Ipw,
            control: Control::NotYet,
            base_period: BasePeriod::Universal,
            se: SeKind::Bootstrap,
            draws: 499,
            ..DidOptions::default()
        };
        let plan = Plan {
            run_id: "r".into(),
            did: Some(DidPlan {
                options: &options,
                seed: 7,
                outcomes: vec![Outcome {
                    metric: "share_young:cadre".into(),
                    column: "share_young_cadre".into(),
                    label: "干部青年占比".into(),
                    estimable: true,
                }],
                covariates: vec!["log_population".into()],
                clustered: true,
            }),
            qca: None,
            index: None,
        };
        let st = stata_script(&plan);
        assert!(st.contains("csdid share_young_cadre log_population, ivar(id) time(year) gvar(cohort) method(stdipw) notyet long2 cluster(cluster_id) wboot reps(499) rseed(7)"), "{st}");
        let r = r_script(&plan);
        assert!(r.contains("xformla = ~ log_population"), "{r}");
        assert!(r.contains("control_group = \"notyettreated\""), "{r}");
        assert!(r.contains("est_method = \"ipw\""), "{r}");
        assert!(r.contains("clustervars = \"cluster_id\""), "{r}");
        assert!(
            r.contains("subset(panel, !is.na(share_young_cadre) & !is.na(log_population))"),
            "{r}"
        );
    }
}
