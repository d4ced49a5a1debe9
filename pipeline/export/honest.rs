//! The run's event studies for HonestDiD (docs/export.md, "HonestDiD"):
//! per adoption metric, β̂ and V̂ as CSV and all of them in one JSON, with
//! the R (`HonestDiD::createSensitivityResults_relativeMagnitudes`) and
//! Stata (`honestdid`) calls that read those files.
//!
//! β̂ and V̂ are the run's `honest_event_study` and `event_vcov`: the pooled
//! event study with a universal base period — the run's own, or when the
//! run's base period is varying the same estimator re-run with a universal
//! one, as HonestDiD's `honest_did()` requires of R did — and V̂ = ΨᵀΨ/n²
//! from its influence functions, clustered as the run clusters; V̂'s
//! diagonal is the squared analytic SE (`se_analytic`).

use std::collections::BTreeMap;
use std::path::Path;

use crate::methods::did::honest::EventStudy;
use crate::methods::did::options::BasePeriod;
use crate::runs;

use super::ExportError;

/// A metric's event study and the file stem its CSVs take.
pub struct Metric {
    pub metric: String,
    pub stem: String,
    pub study: EventStudy,
}

/// Every pooled event study of the run with a covariance (none when the
/// run has no `event_vcov`: made before it was written).
pub fn read(dir: &Path) -> Result<Vec<Metric>, ExportError> {
    if !dir.join("tables/honest_event_study.parquet").is_file() {
        return Ok(Vec::new());
    }
    let events = runs::table(dir, "honest_event_study")?;
    let vcov = runs::table(dir, "event_vcov")?;
    let tests = runs::table(dir, "adoption_tests")?;
    let anticipation: BTreeMap<String, i32> = runs::strs(&tests, "metric")
        .into_iter()
        .zip(runs::floats(&tests, "anticipation"))
        .map(|(m, a)| (m, a.unwrap_or(0.0) as i32))
        .collect();
    let e_metric = runs::strs(&events, "metric");
    let e_rel = runs::floats(&events, "rel_year");
    let e_att = runs::floats(&events, "att");
    let v_metric = runs::strs(&vcov, "metric");
    let v_row = runs::floats(&vcov, "rel_year");
    let v_col = runs::floats(&vcov, "rel_year_col");
    let v_cov = runs::floats(&vcov, "cov");
    let mut out = Vec::new();
    let metrics: Vec<String> = {
        let mut seen = Vec::new();
        for m in &v_metric {
            if !seen.contains(m) {
                seen.push(m.clone());
            }
        }
        seen
    };
    let stems = super::names::legal_all(metrics.iter().map(String::as_str));
    for (m, stem) in metrics.iter().zip(stems) {
        let mut beta: BTreeMap<i32, f64> = BTreeMap::new();
        for i in 0..e_metric.len() {
            if &e_metric[i] == m {
                if let (Some(e), Some(a)) = (e_rel[i], e_att[i]) {
                    beta.insert(e as i32, a);
                }
            }
        }
        let times: Vec<i32> = beta.keys().copied().collect();
        let at = |e: f64| times.iter().position(|t| *t == e as i32);
        let mut v = vec![vec![0.0; times.len()]; times.len()];
        for i in 0..v_metric.len() {
            if &v_metric[i] != m {
                continue;
            }
            if let (Some(r), Some(c), Some(x)) =
                (v_row[i].and_then(at), v_col[i].and_then(at), v_cov[i])
            {
                v[r][c] = x;
            }
        }
        let beta: Vec<f64> = beta.into_values().collect();
        out.push(Metric {
            metric: m.clone(),
            stem,
            study: EventStudy::new(
                &times,
                &beta,
                &v,
                BasePeriod::Universal,
                anticipation.get(m).copied().unwrap_or(0),
            ),
        });
    }
    Ok(out)
}

/// `rel_year,beta,se,period` (period `pre` or `post`), one row per event
/// time kept.
pub fn beta_csv(es: &EventStudy) -> String {
    let mut s = String::from("rel_year,beta,se,period\n");
    for (i, e) in es.times.iter().enumerate() {
        let kind = if i < es.n_pre { "pre" } else { "post" };
        s.push_str(&format!(
            "{e},{},{},{kind}\n",
            num(es.beta[i]),
            num(es.vcov[i][i].max(0.0).sqrt())
        ));
    }
    s
}

/// V̂ without a header: row and column i are the i-th row of the β̂ file.
pub fn vcov_csv(es: &EventStudy) -> String {
    es.vcov
        .iter()
        .map(|r| r.iter().map(|x| num(*x)).collect::<Vec<_>>().join(",") + "\n")
        .collect()
}

/// The shortest text that reads back as the same number.
fn num(x: f64) -> String {
    format!("{x:?}")
}

/// Every metric's event study as one JSON object.
pub fn json(metrics: &[Metric], run_id: &str) -> serde_json::Value {
    let studies: serde_json::Map<String, serde_json::Value> = metrics
        .iter()
        .map(|m| {
            let es = &m.study;
            if es.singular() {
                return (
                    m.metric.clone(),
                    serde_json::json!({
                        "estimable": false,
                        "why": "an event time has zero variance (the outcome did not vary): sigma is singular; no files are written for it",
                    }),
                );
            }
            (
                m.metric.clone(),
                serde_json::json!({
                    "estimable": true,
                    "files": {"beta": format!("honestdid/{}.csv", m.stem), "sigma": format!("honestdid/{}_vcov.csv", m.stem)},
                    "rel_years": es.times,
                    "betahat": es.beta,
                    "sigma": es.vcov,
                    "numPrePeriods": es.n_pre,
                    "numPostPeriods": es.n_post,
                    "reference_period": es.reference,
                    "base_period": match es.base_period { BasePeriod::Universal => "universal", BasePeriod::Varying => "varying" },
                    "anticipation": es.anticipation,
                    "warnings": es.warnings(),
                }),
            )
        })
        .collect();
    serde_json::json!({
        "run_id": run_id,
        "about": "Event studies for HonestDiD (Rambachan & Roth 2023): betahat per relative year, sigma = the covariance from the influence functions (its diagonal the squared analytic SEs), the numbers of pre and post periods. See docs/export.md.",
        "event_studies": studies,
    })
}

/// The R script that runs HonestDiD's relative-magnitudes sensitivity on
/// every metric with pre- and post-periods.
pub fn r_script(metrics: &[Metric]) -> String {
    let mut s = String::from(
        "# HonestDiD on the run's event studies (written by govlens export).\n\
         # install.packages(\"HonestDiD\")  # or remotes::install_github(\"asheshrambachan/HonestDiD\")\n\
         # Run from the export folder.\n\
         library(HonestDiD)\n\n",
    );
    for m in metrics {
        let es = &m.study;
        s.push_str(&format!(
            "# {}: {} pre-period(s), {} post-period(s)",
            m.metric, es.n_pre, es.n_post
        ));
        for w in es.warnings() {
            s.push_str(&format!("\n#   note: {w}"));
        }
        s.push('\n');
        if es.n_pre == 0 || es.n_post == 0 || es.singular() {
            s.push_str("#   (not run: HonestDiD needs pre- and post-periods and a covariance of full rank)\n\n");
            continue;
        }
        let v = r_ident(&m.stem);
        s.push_str(&format!(
            "beta_{v} <- read.csv(\"honestdid/{stem}.csv\")$beta\n\
             sigma_{v} <- as.matrix(read.csv(\"honestdid/{stem}_vcov.csv\", header = FALSE))\n\
             rm_{v} <- createSensitivityResults_relativeMagnitudes(\n  betahat = beta_{v}, sigma = sigma_{v},\n  numPrePeriods = {pre}, numPostPeriods = {post},\n  Mbarvec = seq(0.5, 2, by = 0.5))\n\
             original_{v} <- constructOriginalCS(betahat = beta_{v}, sigma = sigma_{v},\n  numPrePeriods = {pre}, numPostPeriods = {post})\n\
             print(rm_{v})\n\
             createSensitivityPlot_relativeMagnitudes(rm_{v}, original_{v})\n\n",
            stem = m.stem,
            pre = es.n_pre,
            post = es.n_post,
        ));
    }
    s
}

/// The Stata do-file that runs `honestdid` (ssc or
/// github.com/mcaceresb/stata-honestdid) on every metric.
pub fn stata_script(metrics: &[Metric]) -> String {
    let mut s = String::from(
        "* HonestDiD on the run's event studies (written by govlens export).\n\
         * net install honestdid, from(\"https://raw.githubusercontent.com/mcaceresb/stata-honestdid/main\") replace\n\
         * Run from the export folder.\n\n",
    );
    for m in metrics {
        let es = &m.study;
        s.push_str(&format!(
            "* {}: {} pre-period(s), {} post-period(s)\n",
            m.metric, es.n_pre, es.n_post
        ));
        for w in es.warnings() {
            s.push_str(&format!("*   note: {w}\n"));
        }
        if es.n_pre == 0 || es.n_post == 0 || es.singular() {
            s.push_str("*   (not run: honestdid needs pre- and post-periods and a covariance of full rank)\n\n");
            continue;
        }
        let k = es.times.len();
        let post = if es.n_pre + 1 == k {
            format!("{k}")
        } else {
            format!("{}/{k}", es.n_pre + 1)
        };
        let pre = if es.n_pre == 1 {
            "1".to_string()
        } else {
            format!("1/{}", es.n_pre)
        };
        s.push_str(&format!(
            "import delimited using \"honestdid/{stem}.csv\", clear\n\
             mkmat beta, matrix(b)\n\
             matrix b = b'\n\
             import delimited using \"honestdid/{stem}_vcov.csv\", clear\n\
             mkmat v1-v{k}, matrix(V)\n\
             honestdid, b(b) vcov(V) pre({pre}) post({post}) mvec(0.5(0.5)2)\n\n",
            stem = m.stem,
        ));
    }
    s
}

/// An R identifier from a legal name (already letters, digits, `_`).
fn r_ident(stem: &str) -> String {
    stem.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metric() -> Metric {
        let times = [-2, -1, 0, 1];
        let v: Vec<Vec<f64>> = (0..4)
            .map(|i| (0..4).map(|j| if i == j { 0.04 } else { 0.01 }).collect())
            .collect();
        Metric {
            metric: "share_young:cadre".into(),
            stem: "share_young_cadre".into(),
            study: EventStudy::new(&times, &[0.1, 0.0, 0.3, 0.5], &v, BasePeriod::Universal, 0),
        }
    }

    #[test]
    fn the_files_hold_beta_its_se_and_a_square_sigma() {
        let m = metric();
        let b = beta_csv(&m.study);
        assert_eq!(
            b,
            "rel_year,beta,se,period\n-2,0.1,0.2,pre\n0,0.3,0.2,post\n1,0.5,0.2,post\n"
        );
        let v = vcov_csv(&m.study);
        assert_eq!(v.lines().count(), 3);
        assert!(v.lines().all(|l| l.split(',').count() == 3));
    }

    #[test]
    fn the_calls_name_the_files_and_the_period_counts() {
        let m = vec![metric()];
        let r = r_script(&m);
        assert!(r.contains("numPrePeriods = 1, numPostPeriods = 2"), "{r}");
        assert!(r.contains("read.csv(\"honestdid/share_young_cadre.csv\")$beta"));
        let st = stata_script(&m);
        assert!(st.contains("mkmat v1-v3, matrix(V)"), "{st}");
        assert!(
            st.contains("honestdid, b(b) vcov(V) pre(1) post(2/3) mvec(0.5(0.5)2)"),
            "{st}"
        );
    }
}
