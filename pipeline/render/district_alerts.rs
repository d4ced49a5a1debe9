//! The district report's alerts (contract B.13): which units a clerk should
//! look at, and only where the numbers are large enough to say so.
//!
//! A community's rates rest on few people: 3–20 disputes a year, 7–12
//! cadres. An alert on such a rate fires only when chance cannot explain it:
//!
//! | kind | fires when | with |
//! |---|---|---|
//! | `resolution_low` 调解成功率偏低 | the upper end of the rate's 95% Wilson interval is below `[report] resolution_rate_below` | disputes received |
//! | `cadres_old` 干部年长占比偏高 | the lower end of the share's 95% Wilson interval is above `cadre_share_old_above` | cadres |
//! | `ageing_faster` 干部老化加快 | the share rose by more than the other districts' mean rise plus `ageing_margin`, and the rise is beyond a binomial draw of that size (two-proportion z > 1.96) | cadres now and before |
//! | `centres_missing` 服务中心缺项 | a centre type had no visits | — |
//!
//! The Wilson interval of x successes in n (z = 1.96) is
//! (p̂ + z²/2n ± z·√(p̂(1−p̂)/n + z²/4n²)) / (1 + z²/n). The kinds are
//! ordered by severity as the table lists them; within a kind the worst
//! comes first (the furthest beyond its threshold, the most types missing).

use super::counts::UnitCounts;
use super::format::Kind;

/// The kinds in order of severity (the report shows every one of them).
pub const KINDS: [&str; 4] = [
    "resolution_low",
    "cadres_old",
    "ageing_faster",
    "centres_missing",
];

const Z: f64 = 1.96;

/// The 95% Wilson score interval of a share `p` of `n`.
pub fn wilson(p: f64, n: f64) -> (f64, f64) {
    let z2 = Z * Z;
    let centre = p + z2 / (2.0 * n);
    let half = Z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    let d = 1.0 + z2 / n;
    (
        ((centre - half) / d).max(0.0),
        ((centre + half) / d).min(1.0),
    )
}

/// The z statistic of the difference of two shares p1 of n1 and p0 of n0,
/// with the pooled share's variance.
pub fn two_share_z(p1: f64, n1: f64, p0: f64, n0: f64) -> Option<f64> {
    let pooled = (p1 * n1 + p0 * n0) / (n1 + n0);
    let se = (pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n0)).sqrt();
    (se > 0.0 && se.is_finite()).then(|| (p1 - p0) / se)
}

/// One alert on one unit.
#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    pub unit: String,
    pub name: String,
    pub kind: &'static str,
    /// The unit's value, and the threshold or peer value it is held to.
    pub value: f64,
    pub against: f64,
    pub value_kind: Kind,
    /// The denominator the value rests on (disputes received, cadres).
    pub base: Option<f64>,
    /// For centres_missing: the types without visits.
    pub missing: Vec<String>,
    /// How far beyond (larger = worse), for ordering.
    pub severity: f64,
    /// May the value be printed (false: the unit's share is withheld by
    /// disclosure control; the alert is shown without it)?
    pub printable: bool,
    /// The alert in words, as the report's detail table and the terminal
    /// say it (set by the report, in its language).
    pub message: String,
}

/// One unit's values for the alerts.
pub struct UnitValues<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub resolution: Option<f64>,
    pub share_old: Option<f64>,
    pub share_old_before: Option<f64>,
    pub now: &'a UnitCounts,
    pub before: Option<&'a UnitCounts>,
    /// Centre types with no visits.
    pub missing: Vec<String>,
    pub printable: bool,
}

/// The thresholds (`[report]`) and the other districts' mean rise.
pub struct Rules {
    pub resolution_below: f64,
    pub old_above: f64,
    pub ageing_margin: f64,
    pub peer_rise: Option<f64>,
}

/// The alerts of one unit.
pub fn of_unit(u: &UnitValues, r: &Rules) -> Vec<Alert> {
    let mut out = Vec::new();
    let alert = |kind, value, against, value_kind, base, severity| Alert {
        unit: u.code.to_string(),
        name: u.name.to_string(),
        kind,
        value,
        against,
        value_kind,
        base,
        missing: Vec::new(),
        severity,
        printable: true,
        message: String::new(),
    };
    if let (Some(v), Some(n)) = (u.resolution, u.now.received.filter(|n| *n > 0.0)) {
        if wilson(v, n).1 < r.resolution_below {
            out.push(alert(
                "resolution_low",
                v,
                r.resolution_below,
                Kind::Share,
                Some(n),
                r.resolution_below - v,
            ));
        }
    }
    let cadres = u.now.cadres.filter(|n| *n > 0.0);
    if let (Some(v), Some(n)) = (u.share_old, cadres) {
        if wilson(v, n).0 > r.old_above {
            let mut a = alert(
                "cadres_old",
                v,
                r.old_above,
                Kind::Share,
                Some(n),
                v - r.old_above,
            );
            a.printable = u.printable;
            out.push(a);
        }
    }
    if let (Some(now), Some(before), Some(n1), Some(n0), Some(peer)) = (
        u.share_old,
        u.share_old_before,
        cadres,
        u.before.and_then(|b| b.cadres).filter(|n| *n > 0.0),
        r.peer_rise,
    ) {
        let rise = now - before;
        let beyond = two_share_z(now, n1, before, n0).is_some_and(|z| z > Z);
        if rise > peer + r.ageing_margin && beyond {
            let mut a = alert(
                "ageing_faster",
                rise,
                peer,
                Kind::ShareChange,
                Some(n1),
                rise - peer,
            );
            a.printable = u.printable;
            out.push(a);
        }
    }
    if !u.missing.is_empty() {
        let n = u.missing.len() as f64;
        let mut a = alert("centres_missing", n, 0.0, Kind::Count, None, n);
        a.missing = u.missing.clone();
        out.push(a);
    }
    out
}

/// Alerts in the report's order: kinds by severity, worst first, then code.
pub fn sort(alerts: &mut [Alert]) {
    let place = |k: &str| KINDS.iter().position(|x| *x == k).unwrap_or(KINDS.len());
    alerts.sort_by(|x, y| {
        place(x.kind)
            .cmp(&place(y.kind))
            .then(y.severity.total_cmp(&x.severity))
            .then(x.unit.cmp(&y.unit))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_matches_the_textbook_interval() {
        // 8 of 10: Wilson 95% = (0.4902, 0.9433) (Agresti & Coull 1998, eq. 2).
        let (lo, hi) = wilson(0.8, 10.0);
        assert!(
            (lo - 0.4902).abs() < 1e-4 && (hi - 0.9433).abs() < 1e-4,
            "{lo} {hi}"
        );
    }

    fn counts(received: f64, cadres: f64) -> UnitCounts {
        UnitCounts {
            received: Some(received),
            cadres: Some(cadres),
            ..Default::default()
        }
    }

    fn rules() -> Rules {
        Rules {
            resolution_below: 0.75,
            old_above: 0.6,
            ageing_margin: 0.02,
            peer_rise: Some(0.0),
        }
    }

    fn unit<'a>(now: &'a UnitCounts, before: &'a UnitCounts) -> UnitValues<'a> {
        UnitValues {
            code: "1",
            name: "a",
            resolution: None,
            share_old: None,
            share_old_before: None,
            now,
            before: Some(before),
            missing: vec![],
            printable: true,
        }
    }

    #[test]
    fn a_low_rate_on_few_disputes_is_not_an_alert() {
        // 2 of 3 (66.7%) is below 75%, but so could a 75% village's year be.
        let (c, b) = (counts(3.0, 10.0), counts(3.0, 10.0));
        let mut u = unit(&c, &b);
        u.resolution = Some(2.0 / 3.0);
        assert!(of_unit(&u, &rules()).is_empty());
        // 60 of 120 (50%) is.
        let c = counts(120.0, 10.0);
        let mut u = unit(&c, &b);
        u.resolution = Some(0.5);
        let a = of_unit(&u, &rules());
        assert_eq!(a[0].kind, "resolution_low");
        assert_eq!(a[0].base, Some(120.0));
    }

    #[test]
    fn one_cadre_of_seven_is_not_ageing() {
        // +14.3 points is one person of seven: within a binomial draw.
        let (c, b) = (counts(10.0, 7.0), counts(10.0, 7.0));
        let mut u = unit(&c, &b);
        u.share_old = Some(4.0 / 7.0);
        u.share_old_before = Some(3.0 / 7.0);
        assert!(of_unit(&u, &rules())
            .iter()
            .all(|a| a.kind != "ageing_faster"));
    }

    #[test]
    fn kinds_follow_severity_and_the_worst_leads() {
        let mk = |kind, severity, unit: &str| Alert {
            unit: unit.into(),
            name: unit.into(),
            kind,
            value: 0.0,
            against: 0.0,
            value_kind: Kind::Share,
            base: None,
            missing: vec![],
            severity,
            printable: true,
            message: String::new(),
        };
        let mut a = vec![
            mk("centres_missing", 3.0, "a"),
            mk("resolution_low", 0.1, "b"),
            mk("resolution_low", 0.3, "c"),
        ];
        sort(&mut a);
        let order: Vec<&str> = a.iter().map(|x| x.unit.as_str()).collect();
        assert_eq!(order, ["c", "b", "a"]);
    }
}
