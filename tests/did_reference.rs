//! Adoption effects against R's `did` on `mpdta` (outcome lemp, cohort
//! first.treat, unit countyreal): contract §6's reference values to 4 decimals,
//! bootstrap standard errors within 15%.

use govlens::compare::did::{estimate, Obs};

fn mpdta() -> Vec<Obs> {
    let mut rdr = csv::Reader::from_path(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/mpdta.csv"
    ))
    .unwrap();
    rdr.records()
        .map(|r| {
            let r = r.unwrap();
            let g: i32 = r[4].parse().unwrap();
            Obs {
                unit: r[1].to_string(),
                year: r[0].parse().unwrap(),
                cohort: (g != 0).then_some(g),
                y: r[3].parse().unwrap(),
            }
        })
        .collect()
}

fn near(a: f64, b: f64) -> bool {
    (a - b).abs() < 5e-5
}

#[test]
fn every_att_gt_and_aggregation_matches_did_on_mpdta() {
    let d = estimate(&mpdta(), 999, 20261122).unwrap();
    assert_eq!(d.n_units, 500);
    let want = [
        (2004, [-0.0105, -0.0704, -0.1373, -0.1008]),
        (2006, [0.0065, -0.0028, -0.0046, -0.0412]),
        (2007, [0.0305, -0.0027, -0.0311, -0.0261]),
    ];
    for (g, atts) in want {
        for (t, w) in (2004..=2007).zip(atts) {
            let c = d
                .cells
                .iter()
                .find(|c| c.cohort == g && c.year == t)
                .unwrap_or_else(|| panic!("no ATT({g},{t})"));
            assert!(
                near(c.estimate.att, w),
                "ATT({g},{t}) = {} want {w}",
                c.estimate.att
            );
        }
    }
    assert_eq!(d.cells.len(), 12);
    assert!(near(d.simple.att, -0.0400), "simple {}", d.simple.att);
    let groups: Vec<f64> = d.group.iter().map(|(_, e)| e.att).collect();
    for (got, w) in groups.iter().zip([-0.0797, -0.0229, -0.0261]) {
        assert!(near(*got, w), "group {groups:?}");
    }
    let events: Vec<(i32, f64)> = d.event.iter().map(|(e, x)| (*e, x.att)).collect();
    for ((e, got), (we, w)) in events
        .iter()
        .zip((-3..=3).zip([0.0305, -0.0006, -0.0245, -0.0199, -0.0510, -0.1373, -0.1008]))
    {
        assert_eq!(*e, we);
        assert!(near(*got, w), "event {events:?}");
    }
    eprintln!(
        "mpdta: group SE {:.4}, dynamic SE {:.4}, simple {:.4} ({:.4}), pre-trend {:?}",
        d.group_overall.se, d.event_overall.se, d.simple.att, d.simple.se, d.pretrend
    );
    let within = |se: f64, want: f64| ((se - want) / want).abs() < 0.15;
    assert!(
        within(d.group_overall.se, 0.0126),
        "group SE {}",
        d.group_overall.se
    );
    assert!(
        within(d.event_overall.se, 0.0219),
        "dynamic SE {}",
        d.event_overall.se
    );
    let pre = d.pretrend.expect("mpdta has pre-periods");
    assert_eq!(pre.df, 5);
    assert!(pre.p > 0.05, "mpdta's pre-trends are not rejected: {pre:?}");
}

#[test]
fn same_seed_same_standard_errors() {
    let a = estimate(&mpdta(), 199, 5).unwrap();
    let b = estimate(&mpdta(), 199, 5).unwrap();
    assert_eq!(a, b);
}
