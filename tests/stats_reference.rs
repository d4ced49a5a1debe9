//! Model statistics against R on `airquality` (Ozone by Month, rows with Ozone
//! missing dropped): contract §4's reference values, to 4 decimals.

use govlens::methods::stats::{dunn, kruskal_wallis};

fn ozone_by_month() -> (Vec<u32>, Vec<Vec<f64>>) {
    let mut rdr = csv::Reader::from_path(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/airquality.csv"
    ))
    .unwrap();
    let mut months: Vec<u32> = Vec::new();
    let mut groups: Vec<Vec<f64>> = Vec::new();
    for rec in rdr.records() {
        let rec = rec.unwrap();
        let Ok(ozone) = rec[0].parse::<f64>() else {
            continue;
        }; // "NA"
        let month: u32 = rec[4].parse().unwrap();
        let i = match months.iter().position(|m| *m == month) {
            Some(i) => i,
            None => {
                months.push(month);
                groups.push(Vec::new());
                months.len() - 1
            }
        };
        groups[i].push(ozone);
    }
    (months, groups)
}

fn close(a: f64, b: f64, rel: f64) -> bool {
    ((a - b) / b).abs() < rel
}

#[test]
fn kruskal_wallis_matches_r_on_airquality() {
    let (_, groups) = ozone_by_month();
    assert_eq!(groups.iter().map(Vec::len).sum::<usize>(), 116);
    let kw = kruskal_wallis(&groups).unwrap();
    assert!((kw.h - 29.267).abs() < 5e-4, "H = {}", kw.h);
    assert_eq!(kw.df, 4);
    assert!(close(kw.p, 6.901e-06, 1e-3), "p = {}", kw.p);
    assert!((kw.epsilon2 - kw.h / 115.0).abs() < 1e-12);
}

#[test]
fn dunn_with_holm_matches_r_on_airquality() {
    let (months, groups) = ozone_by_month();
    let pairs = dunn(&groups);
    assert_eq!(pairs.len(), 10);
    let find = |a: u32, b: u32| {
        let (ia, ib) = (
            months.iter().position(|m| *m == a).unwrap(),
            months.iter().position(|m| *m == b).unwrap(),
        );
        pairs
            .iter()
            .find(|p| p.a == ia && p.b == ib)
            .unwrap()
            .clone()
    };
    let p57 = find(5, 7);
    assert!((p57.z - -4.4195).abs() < 5e-5, "z 5-7 = {}", p57.z);
    assert!(
        close(p57.p_holm, 9.894e-05, 1e-3),
        "holm 5-7 = {}",
        p57.p_holm
    );
    let p79 = find(7, 9);
    assert!((p79.z - 3.2172).abs() < 5e-5, "z 7-9 = {}", p79.z);
    assert!(
        close(p79.p_holm, 0.01035, 1e-3),
        "holm 7-9 = {}",
        p79.p_holm
    );
    assert!(close(find(8, 9).p_holm, 0.02428, 1e-3));
}
