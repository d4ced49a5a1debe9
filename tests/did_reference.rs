//! Adoption effects against R's `did` (2.5.1) on `mpdta` (outcome lemp,
//! cohort first.treat, unit countyreal, covariate lpop): every ATT(g,t) and
//! aggregation with its analytic standard error to 1e-6 in the seven
//! configurations of tests/fixtures/did/ (csdid 0.4.3, which matches R to
//! ~1e-15), the pre-test to 5 decimals, bootstrap standard errors within
//! 15% of the analytic ones and the uniform band's critical value in the
//! range four seeds of R's bootstrap land in. Clustered by state (R's
//! `clustervars = "state"`: mpdta's treatment is assigned by state): every
//! estimate's cluster-robust analytic SE and the pre-test in three
//! configurations, and the clustered bootstrap where R's lands.

use std::collections::BTreeMap;

use govlens::methods::did::options::{Control, DidOptions, Method, SeKind};
use govlens::methods::did::{estimate, Did, Kind, Obs};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

fn mpdta(lpop: bool) -> Vec<Obs> {
    mpdta_clustered(lpop, false)
}

/// mpdta, with each county's state (its FIPS code ÷ 1000) as its cluster
/// when `by_state`.
fn mpdta_clustered(lpop: bool, by_state: bool) -> Vec<Obs> {
    let mut rdr = csv::Reader::from_path(format!("{FIXTURES}/mpdta.csv")).unwrap();
    rdr.records()
        .map(|r| {
            let r = r.unwrap();
            let g: i32 = r[4].parse().unwrap();
            let county: u32 = r[1].parse().unwrap();
            Obs {
                unit: r[1].to_string(),
                year: r[0].parse().unwrap(),
                cohort: (g != 0).then_some(g),
                y: r[3].parse().unwrap(),
                x: if lpop {
                    vec![r[2].parse().unwrap()]
                } else {
                    vec![]
                },
                cluster: by_state.then_some(county / 1000),
            }
        })
        .collect()
}

/// The fixture's configurations: (covariate lpop, control, method).
const CONFIGS: [(&str, bool, Control, Method); 7] = [
    ("uncond_never_dr", false, Control::Never, Method::Dr),
    ("uncond_never_reg", false, Control::Never, Method::Reg),
    ("uncond_nyt_dr", false, Control::NotYet, Method::Dr),
    ("lpop_never_dr", true, Control::Never, Method::Dr),
    ("lpop_never_ipw", true, Control::Never, Method::Ipw),
    ("lpop_never_reg", true, Control::Never, Method::Reg),
    ("lpop_nyt_dr", true, Control::NotYet, Method::Dr),
];

fn run(lpop: bool, control: Control, method: Method, se: SeKind, seed: u64) -> Did {
    let covariates: Vec<String> = if lpop { vec!["lpop".into()] } else { vec![] };
    let opts = DidOptions {
        control,
        method,
        se,
        draws: if se == SeKind::Bootstrap { 999 } else { 0 },
        seed,
        ..DidOptions::default()
    };
    estimate(&mpdta(lpop), &covariates, &opts).unwrap()
}

/// (object, key) → (att, analytic se) per configuration.
type Reference = BTreeMap<String, BTreeMap<(String, String), (f64, Option<f64>)>>;

fn reference() -> Reference {
    let mut rdr = csv::Reader::from_path(format!("{FIXTURES}/did/mpdta_reference.csv")).unwrap();
    let mut out: Reference = BTreeMap::new();
    for r in rdr.records() {
        let r = r.unwrap();
        out.entry(r[0].to_string()).or_default().insert(
            (r[1].to_string(), r[2].to_string()),
            (r[3].parse().unwrap(), r[4].parse().ok()),
        );
    }
    out
}

#[test]
fn every_att_gt_aggregation_and_analytic_se_is_r_s_in_seven_configurations() {
    let reference = reference();
    let pretest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{FIXTURES}/did/mpdta_pretest.json")).unwrap(),
    )
    .unwrap();
    for (name, lpop, control, method) in CONFIGS {
        let d = run(lpop, control, method, SeKind::Analytic, 1);
        assert_eq!(d.n_units, 500, "{name}");
        let want = &reference[name];
        let mut checked = 0;
        for ((object, key), (att, se)) in want {
            let got = match object.as_str() {
                "attgt" => {
                    let (g, t) = key.split_once('/').unwrap();
                    let (g, t): (i32, i32) = (g.parse().unwrap(), t.parse().unwrap());
                    d.cells
                        .iter()
                        .find(|c| c.cohort == g && c.year == t)
                        .and_then(|c| c.estimate.clone())
                        .unwrap_or_else(|| panic!("{name}: no ATT({g},{t})"))
                }
                "pretest" => {
                    let p = d.pretrend.clone().expect("mpdta has pre-periods");
                    let w = pretest[name]["W"].as_f64().unwrap();
                    let wp = pretest[name]["Wpval"].as_f64().unwrap();
                    assert!((p.stat - w).abs() < 1e-6, "{name}: W {} vs {w}", p.stat);
                    assert!(
                        ((p.p * 1e5).round() / 1e5 - wp).abs() < 1e-9,
                        "{name}: p {} vs {wp}",
                        p.p
                    );
                    checked += 1;
                    continue;
                }
                kind => {
                    let kind = match kind {
                        "simple" => Kind::Simple,
                        "group" => Kind::Group,
                        "dynamic" => Kind::Dynamic,
                        "calendar" => Kind::Calendar,
                        other => panic!("{name}: object {other}"),
                    };
                    let k = (key != "overall").then(|| key.parse::<i32>().unwrap());
                    d.get(kind, k)
                        .cloned()
                        .unwrap_or_else(|| panic!("{name}: no {kind:?} {key}"))
                }
            };
            assert!(
                (got.att - att).abs() < 1e-6,
                "{name} {object} {key}: att {} vs {att}",
                got.att
            );
            if let Some(se) = se {
                let a = got.se_analytic.unwrap();
                assert!(
                    (a - se).abs() < 1e-6,
                    "{name} {object} {key}: se {a} vs {se}"
                );
            }
            checked += 1;
        }
        assert!(checked >= 30, "{name}: {checked} values checked");
    }
}

#[test]
fn bootstrap_ses_are_near_the_analytic_and_the_band_is_r_s() {
    for (name, lpop, control, method) in CONFIGS {
        let d = run(lpop, control, method, SeKind::Bootstrap, 20261122);
        for c in &d.cells {
            let e = c.estimate.as_ref().unwrap();
            let (se, a) = (e.se.unwrap(), e.se_analytic.unwrap());
            assert!(
                ((se - a) / a).abs() < 0.15,
                "{name}: ATT({},{}) {se} vs {a}",
                c.cohort,
                c.year
            );
        }
        // One seed's band over the 12 cells: where R's land (2.5..2.9).
        assert!((2.5..2.9).contains(&d.crit), "{name}: crit {}", d.crit);
        let band = &d.cells[0].estimate.as_ref().unwrap();
        assert!(
            (band.ci_high.unwrap() - band.att - d.crit * band.se.unwrap()).abs() < 1e-12,
            "the cells' interval is the uniform band"
        );
    }
}

/// Averaged over seeds, each band's critical value is R's: within 0.06 of
/// the range R's four seeds give (one seed's 999 draws spread ±0.08).
#[test]
fn the_uniform_bands_critical_values_average_to_r_s() {
    let mut rdr =
        csv::Reader::from_path(format!("{FIXTURES}/did/mpdta_bootstrap_critvals.csv")).unwrap();
    let (mut lo, mut hi) = ([f64::MAX; 3], [f64::MIN; 3]);
    for r in rdr.records() {
        let r = r.unwrap();
        if &r[0] != "uncond_never_dr" {
            continue;
        }
        for (band, col) in [(0, 2), (1, 3), (2, 5)] {
            let v: f64 = r[col].parse().unwrap();
            lo[band] = lo[band].min(v);
            hi[band] = hi[band].max(v);
        }
    }
    let mut mean = [0.0; 3];
    let seeds = 8;
    for seed in 1..=seeds {
        let d = run(false, Control::Never, Method::Dr, SeKind::Bootstrap, seed);
        let keyed = |k: Kind| d.keyed(k)[0].1.crit;
        for (m, v) in mean
            .iter_mut()
            .zip([d.crit, keyed(Kind::Dynamic), keyed(Kind::Group)])
        {
            *m += v / seeds as f64;
        }
    }
    for band in 0..3 {
        assert!(
            mean[band] > lo[band] - 0.06 && mean[band] < hi[band] + 0.06,
            "band {band}: mean {} vs R's {}..{}",
            mean[band],
            lo[band],
            hi[band]
        );
    }
}

#[test]
fn same_seed_same_standard_errors() {
    let a = run(false, Control::Never, Method::Dr, SeKind::Bootstrap, 5);
    let b = run(false, Control::Never, Method::Dr, SeKind::Bootstrap, 5);
    assert_eq!(a, b);
}

fn cell(d: &Did, g: i32, t: i32) -> f64 {
    d.cells
        .iter()
        .find(|c| c.cohort == g && c.year == t)
        .and_then(|c| c.estimate.as_ref())
        .map(|e| e.att)
        .unwrap_or_else(|| panic!("no ATT({g},{t})"))
}

/// Without covariates and with the same never-treated controls on a
/// balanced panel, long differences telescope into year-on-year ones: a
/// universal base's pre-period cell is minus the sum of the varying base's
/// cells in between, and anticipation δ = 1 moves the base back a year.
#[test]
fn universal_base_and_anticipation_telescope_the_varying_cells() {
    let obs = mpdta(false);
    let base = |b, delta| DidOptions {
        base_period: b,
        anticipation: delta,
        se: SeKind::Analytic,
        draws: 0,
        ..DidOptions::default()
    };
    use govlens::methods::did::options::BasePeriod::{Universal, Varying};
    let varying = estimate(&obs, &[], &base(Varying, 0)).unwrap();
    let universal = estimate(&obs, &[], &base(Universal, 0)).unwrap();
    // ATT_u(2007, 2004) = Y_2004 − Y_2006 = −(Δ2005 + Δ2006).
    let want = -(cell(&varying, 2007, 2005) + cell(&varying, 2007, 2006));
    assert!((cell(&universal, 2007, 2004) - want).abs() < 1e-12);
    // The base year's own cell is 0 with no standard error.
    let c = universal
        .cells
        .iter()
        .find(|c| c.cohort == 2007 && c.year == 2006)
        .unwrap();
    assert_eq!(
        c.estimate.as_ref().map(|e| (e.att, e.se)),
        Some((0.0, None))
    );
    // Post cells do not depend on the base-period choice.
    assert!((cell(&universal, 2006, 2007) - cell(&varying, 2006, 2007)).abs() < 1e-12);
    // δ = 1: cohort 2007's post cells use 2005 as their base.
    let anticipating = estimate(&obs, &[], &base(Varying, 1)).unwrap();
    let want = cell(&varying, 2007, 2007) + cell(&varying, 2007, 2006);
    assert!((cell(&anticipating, 2007, 2007) - want).abs() < 1e-12);
    // Cohort 2004 has no year before 2004 − 1: dropped, and named.
    assert!(anticipating.skipped.iter().any(|s| s.cohort == 2004));
}

/// balance_e keeps the cohorts observed that long after adoption, and the
/// event times it can show; min_e/max_e trim the event study.
#[test]
fn balance_e_and_the_event_window_are_r_s_aggte_options() {
    let obs = mpdta(false);
    let opts = DidOptions {
        se: SeKind::Analytic,
        draws: 0,
        balance_e: Some(1),
        ..DidOptions::default()
    };
    let d = estimate(&obs, &[], &opts).unwrap();
    let events: Vec<i32> = d.keyed(Kind::Dynamic).iter().map(|(e, _)| *e).collect();
    // mpdta ends in 2007: cohorts 2004 and 2006 have e = 1; e in 1 − 3 ..= 1.
    assert_eq!(events, vec![-2, -1, 0, 1]);
    // θ(0) is cohorts 2004 and 2006's ATT(g, g) weighted by their sizes.
    let n = |g: i32| {
        obs.iter()
            .filter(|o| o.year == 2003 && o.cohort == Some(g))
            .count() as f64
    };
    let want =
        (n(2004) * cell(&d, 2004, 2004) + n(2006) * cell(&d, 2006, 2006)) / (n(2004) + n(2006));
    assert!((d.get(Kind::Dynamic, Some(0)).unwrap().att - want).abs() < 1e-12);
    let window = DidOptions {
        balance_e: None,
        min_e: Some(-1),
        max_e: Some(1),
        ..opts
    };
    let d = estimate(&obs, &[], &window).unwrap();
    let events: Vec<i32> = d.keyed(Kind::Dynamic).iter().map(|(e, _)| *e).collect();
    assert_eq!(events, vec![-1, 0, 1]);
    let mean = (d.get(Kind::Dynamic, Some(0)).unwrap().att
        + d.get(Kind::Dynamic, Some(1)).unwrap().att)
        / 2.0;
    assert!((d.get(Kind::Dynamic, None).unwrap().att - mean).abs() < 1e-12);
}

/// The clustered configurations of tests/fixtures/did/mpdta_cluster_*.
const CLUSTERED: [(&str, bool, Control); 3] = [
    ("uncond_never_dr", false, Control::Never),
    ("lpop_never_dr", true, Control::Never),
    ("lpop_nyt_dr", true, Control::NotYet),
];

fn run_by_state(lpop: bool, control: Control, se: SeKind, seed: u64) -> Did {
    let covariates: Vec<String> = if lpop { vec!["lpop".into()] } else { vec![] };
    let opts = DidOptions {
        control,
        se,
        draws: if se == SeKind::Bootstrap { 999 } else { 0 },
        seed,
        ..DidOptions::default()
    };
    estimate(&mpdta_clustered(lpop, true), &covariates, &opts).unwrap()
}

/// Guards the clustered inference against R did's `clustervars`: with the
/// counties clustered by state, every ATT(g,t) and aggregation's analytic
/// SE is sqrt(Σ_c S_c²)/n (csdid 0.4.3 = R did 2.5.1, `bstrap = FALSE`) to
/// 1e-6, and the Wald pre-test uses the clustered covariance.
#[test]
fn clustered_by_state_every_estimate_s_se_and_the_pre_test_are_r_did_s() {
    let mut rdr =
        csv::Reader::from_path(format!("{FIXTURES}/did/mpdta_cluster_state.csv")).unwrap();
    let pretest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{FIXTURES}/did/mpdta_cluster_pretest.json")).unwrap(),
    )
    .unwrap();
    let runs: BTreeMap<&str, Did> = CLUSTERED
        .iter()
        .map(|(name, lpop, control)| (*name, run_by_state(*lpop, *control, SeKind::Analytic, 1)))
        .collect();
    let mut checked = 0;
    for r in rdr.records() {
        let r = r.unwrap();
        let d = &runs[&r[0]];
        assert_eq!((d.n_units, d.n_clusters), (500, Some(29)), "{}", &r[0]);
        let got = match &r[1] {
            "attgt" => {
                let (g, t) = r[2].split_once('/').unwrap();
                let (g, t): (i32, i32) = (g.parse().unwrap(), t.parse().unwrap());
                d.cells
                    .iter()
                    .find(|c| c.cohort == g && c.year == t)
                    .and_then(|c| c.estimate.clone())
                    .unwrap()
            }
            kind => {
                let kind = match kind {
                    "simple" => Kind::Simple,
                    "group" => Kind::Group,
                    "dynamic" => Kind::Dynamic,
                    _ => Kind::Calendar,
                };
                let k = (&r[2] != "overall").then(|| r[2].parse::<i32>().unwrap());
                d.get(kind, k).cloned().unwrap()
            }
        };
        let (att, se): (f64, f64) = (r[3].parse().unwrap(), r[4].parse().unwrap());
        assert!((got.att - att).abs() < 1e-6, "{:?}: att {}", r, got.att);
        let a = got.se_analytic.unwrap();
        assert!((a - se).abs() < 1e-6, "{:?}: clustered se {a}", r);
        checked += 1;
    }
    assert_eq!(checked, 90);
    for (name, d) in &runs {
        let p = d.pretrend.clone().expect("a pre-test with 29 clusters");
        let w = pretest[name]["W"].as_f64().unwrap();
        let wp = pretest[name]["Wpval"].as_f64().unwrap();
        assert!((p.stat - w).abs() < 1e-6, "{name}: W {} vs {w}", p.stat);
        assert!(
            ((p.p * 1e5).round() / 1e5 - wp).abs() < 1e-9,
            "{name}: p {}",
            p.p
        );
    }
}

/// The clustered multiplier bootstrap (one Rademacher weight a state):
/// each cell's standard error within 25% of its clustered analytic one (29
/// clusters make the IQR noisier than 500 units), and, averaged over eight
/// seeds, the ATT(g,t) band's critical value, the event study's and the
/// overall simple and dynamic SEs where R's clustered bootstrap lands on
/// average over twenty seeds (within 0.07 and 5%: about three standard
/// errors of an eight-seed mean).
#[test]
fn clustered_bootstrap_lands_where_r_did_s_does() {
    let mut rdr =
        csv::Reader::from_path(format!("{FIXTURES}/did/mpdta_cluster_bootstrap.csv")).unwrap();
    let mut r_mean: BTreeMap<String, (f64, f64)> = BTreeMap::new();
    for r in rdr.records() {
        let r = r.unwrap();
        let e = r_mean.entry(r[2].to_string()).or_default();
        *e = (e.0 + r[3].parse::<f64>().unwrap(), e.1 + 1.0);
    }
    let r_mean = |k: &str| r_mean[k].0 / r_mean[k].1;
    let seeds = 8;
    let mut ours: BTreeMap<&str, f64> = BTreeMap::new();
    for seed in 1..=seeds {
        let d = run_by_state(false, Control::Never, SeKind::Bootstrap, seed);
        for c in &d.cells {
            let e = c.estimate.as_ref().unwrap();
            let (se, a) = (e.se.unwrap(), e.se_analytic.unwrap());
            assert!(
                ((se - a) / a).abs() < 0.25,
                "ATT({},{}) {se} vs {a}",
                c.cohort,
                c.year
            );
        }
        let dynamic = d.keyed(Kind::Dynamic)[0].1.crit;
        for (k, v) in [
            ("attgt_crit", d.crit),
            ("dynamic_crit", dynamic),
            (
                "simple_overall_se",
                d.get(Kind::Simple, None).unwrap().se.unwrap(),
            ),
            (
                "dynamic_overall_se",
                d.get(Kind::Dynamic, None).unwrap().se.unwrap(),
            ),
        ] {
            *ours.entry(k).or_default() += v / seeds as f64;
        }
    }
    for (k, v) in ours {
        let want = r_mean(k);
        let ok = if k.ends_with("crit") {
            (v - want).abs() < 0.07
        } else {
            ((v - want) / want).abs() < 0.05
        };
        assert!(ok, "{k}: {v} vs R's mean {want}");
    }
}

/// Guards the cluster bookkeeping: every unit a cluster of its own is the
/// unclustered estimate bit for bit (the clusters' sums are the units' ψ
/// in the same order), bootstrap included — all but the pre-test, which is
/// the sup-t test when clustered and bootstrapped, R's Wald otherwise.
#[test]
fn units_as_their_own_clusters_are_the_unclustered_estimate() {
    let plain = mpdta(false);
    // Cluster ids in the units' code order (text order: "13001" < "8001").
    let codes: std::collections::BTreeSet<&str> = plain.iter().map(|o| o.unit.as_str()).collect();
    let rank: BTreeMap<&str, u32> = codes
        .iter()
        .enumerate()
        .map(|(r, c)| (*c, r as u32))
        .collect();
    let own: Vec<Obs> = plain
        .iter()
        .map(|o| Obs {
            cluster: Some(rank[o.unit.as_str()]),
            ..o.clone()
        })
        .collect();
    let opts = DidOptions {
        draws: 199,
        seed: 3,
        ..DidOptions::default()
    };
    let a = estimate(&plain, &[], &opts).unwrap();
    let b = estimate(&own, &[], &opts).unwrap();
    assert_eq!((b.n_clusters, b.n_treated_clusters), (Some(500), Some(191)));
    let pre = b.pretrend.clone().unwrap();
    assert_eq!(
        (pre.test, pre.df),
        (govlens::methods::did::PreTest::SupT, 3)
    );
    assert_eq!(
        Did {
            n_clusters: None,
            n_treated_clusters: None,
            pretrend: a.pretrend.clone(),
            ..b
        },
        a
    );
}

/// A cluster that changes within a unit, a unit without one, and a single
/// cluster are refused, named.
#[test]
fn clusters_varying_within_a_unit_or_only_one_are_refused() {
    let mut obs = mpdta_clustered(false, true);
    let one: Vec<Obs> = obs
        .iter()
        .map(|o| Obs {
            cluster: Some(7),
            ..o.clone()
        })
        .collect();
    let opts = DidOptions {
        se: SeKind::Analytic,
        draws: 0,
        ..DidOptions::default()
    };
    assert_eq!(
        estimate(&one, &[], &opts),
        Err(govlens::methods::did::DidError::OneCluster(500))
    );
    obs[1].cluster = Some(99);
    assert!(matches!(
        estimate(&obs, &[], &opts),
        Err(govlens::methods::did::DidError::ClusterVaries { unit, .. }) if unit == "8001"
    ));
}

/// Why clustering matters, by simulation: 40 counties of 8 communities,
/// half adopting in 2020 by county, a county-year shock as large as the
/// communities' own noise, no effect. Over 300 panels the 95% interval of
/// the simple ATT clustered by county covers the true 0 about 95% of the
/// time; clustered by community (ignoring the shared shocks) far less.
#[test]
fn clustered_intervals_reach_nominal_coverage_and_unit_ones_do_not() {
    use rand::{Rng, SeedableRng};
    use rand_distr::{Distribution, Normal};
    let normal = Normal::new(0.0, 1.0).unwrap();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(20261202);
    let opts = DidOptions {
        se: SeKind::Analytic,
        draws: 0,
        ..DidOptions::default()
    };
    let (reps, counties, per) = (300, 40u32, 8);
    let (mut clustered, mut by_unit) = (0, 0);
    for _ in 0..reps {
        let mut obs = Vec::new();
        for c in 0..counties {
            let cohort = (c % 2 == 0).then_some(2020);
            let shocks: Vec<f64> = (0..4).map(|_| normal.sample(&mut rng)).collect();
            for u in 0..per {
                let level: f64 = rng.random::<f64>() * 10.0;
                for (k, year) in (2018..2022).enumerate() {
                    obs.push(Obs {
                        unit: format!("{c:02}{u}"),
                        year,
                        cohort,
                        y: level + shocks[k] + normal.sample(&mut rng),
                        x: vec![],
                        cluster: Some(c),
                    });
                }
            }
        }
        let covers = |d: &Did| {
            let e = d.get(Kind::Simple, None).unwrap();
            e.ci_low.unwrap() <= 0.0 && 0.0 <= e.ci_high.unwrap()
        };
        clustered += covers(&estimate(&obs, &[], &opts).unwrap()) as usize;
        for o in &mut obs {
            o.cluster = None;
        }
        by_unit += covers(&estimate(&obs, &[], &opts).unwrap()) as usize;
    }
    let (c, u) = (clustered as f64 / reps as f64, by_unit as f64 / reps as f64);
    eprintln!("coverage: clustered {c}, by unit {u}");
    assert!((0.91..=0.99).contains(&c), "clustered coverage {c}");
    assert!(u < 0.80, "by-unit coverage {u}");
}

/// The event study's covariance V̂ (what HonestDiD reads): its diagonal is
/// the square of R's analytic SEs in all seven configurations, and every
/// entry, off-diagonal ones too, is the csdid 0.4.3 reference's
/// (tests/fixtures/did/mpdta_event_vcov.csv) in three of them.
#[test]
fn event_study_covariance_is_r_did_s_influence_function_product() {
    let reference = reference();
    for (name, lpop, control, method) in CONFIGS {
        let d = run(lpop, control, method, SeKind::Analytic, 1);
        let events = d.keyed(Kind::Dynamic);
        assert_eq!(d.event_vcov.len(), events.len(), "{name}");
        for (i, (e, _)) in events.iter().enumerate() {
            let (_, se) = reference[name][&("dynamic".to_string(), e.to_string())];
            let se = se.unwrap();
            assert!(
                (d.event_vcov[i][i] - se * se).abs() < 1e-9,
                "{name} e={e}: V̂ {} vs se² {}",
                d.event_vcov[i][i],
                se * se
            );
            for j in 0..events.len() {
                assert_eq!(d.event_vcov[i][j], d.event_vcov[j][i], "{name}: symmetric");
            }
        }
    }
    let mut rdr = csv::Reader::from_path(format!("{FIXTURES}/did/mpdta_event_vcov.csv")).unwrap();
    let mut checked = 0;
    let mut runs: BTreeMap<String, Did> = BTreeMap::new();
    for r in rdr.records() {
        let r = r.unwrap();
        let name = r[0].to_string();
        let d = runs.entry(name.clone()).or_insert_with(|| {
            let (_, lpop, control, method) = CONFIGS.iter().find(|c| c.0 == name).unwrap();
            run(*lpop, *control, *method, SeKind::Analytic, 1)
        });
        let events: Vec<i32> = d.keyed(Kind::Dynamic).iter().map(|(e, _)| *e).collect();
        let at = |e: &str| {
            events
                .iter()
                .position(|x| *x == e.parse::<i32>().unwrap())
                .unwrap()
        };
        let (i, j) = (at(&r[1]), at(&r[2]));
        let want: f64 = r[3].parse().unwrap();
        let got = d.event_vcov[i][j];
        assert!(
            (got - want).abs() <= 1e-9 + 1e-6 * want.abs(),
            "{name} V[{},{}]: {got} vs {want}",
            &r[1],
            &r[2]
        );
        checked += usize::from(i != j);
    }
    assert!(checked >= 100, "{checked} off-diagonal entries checked");
}
