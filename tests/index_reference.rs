//! The effectiveness index against COINr 1.1.14 on its ASEM example: every
//! unit's index and pillar scores, arithmetic min-max 0..100 and geometric
//! 1..100, to 4 decimals.

use govlens::methods::index::score::{score, Aggregation, Indicator, Input, Normalisation};

fn fixture(name: &str) -> csv::Reader<std::fs::File> {
    csv::Reader::from_path(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn asem() -> Input {
    let indicators: Vec<Indicator> = fixture("coinr_asem_meta.csv")
        .records()
        .map(|r| {
            let r = r.unwrap();
            Indicator {
                name: r[0].to_string(),
                pillar: r[1].to_string(),
                direction: r[2].parse().unwrap(),
                weight: r[3].parse().unwrap(),
            }
        })
        .collect();
    let mut rdr = fixture("coinr_asem_indicators.csv");
    let header: Vec<String> = rdr.headers().unwrap().iter().map(str::to_string).collect();
    let cols: Vec<usize> = indicators
        .iter()
        .map(|i| header.iter().position(|h| *h == i.name).unwrap())
        .collect();
    let mut units = Vec::new();
    let mut values = Vec::new();
    for r in rdr.records() {
        let r = r.unwrap();
        units.push(r[0].to_string());
        values.push(cols.iter().map(|&c| r[c].parse::<f64>().ok()).collect());
    }
    Input {
        units,
        indicators,
        pillar_weights: vec![],
        values,
    }
}

fn check(input: &Input, agg: Aggregation, file: &str) {
    let s = score(input, Normalisation::MinMax, agg, None, None);
    let pillars = input.pillars();
    let mut n = 0;
    for r in fixture(file).records() {
        let r = r.unwrap();
        let u = input
            .units
            .iter()
            .position(|x| x == &r[0])
            .unwrap_or_else(|| panic!("{} missing", &r[0]));
        for (col, name) in [(1, "ConEcFin"), (2, "Instit")] {
            let p = pillars.iter().position(|x| x == name).unwrap();
            let want: f64 = r[col].parse().unwrap();
            let got = s.pillars[p][u].unwrap();
            assert!(
                (got - want).abs() < 5e-5,
                "{file} {} {name}: {got} vs {want}",
                &r[0]
            );
        }
        let want: f64 = r[3].parse().unwrap();
        let got = s.index[u].unwrap();
        assert!(
            (got - want).abs() < 5e-5,
            "{file} {} index: {got} vs {want}",
            &r[0]
        );
        n += 1;
    }
    assert_eq!(n, 44);
}

#[test]
fn arithmetic_min_max_matches_coinr_for_every_unit() {
    let input = asem();
    check(
        &input,
        Aggregation::Arithmetic,
        "coinr_asem_index_arith.csv",
    );
    let s = score(
        &input,
        Normalisation::MinMax,
        Aggregation::Arithmetic,
        None,
        None,
    );
    let deu = input.units.iter().position(|u| u == "DEU").unwrap();
    assert!((s.index[deu].unwrap() - 79.3583).abs() < 5e-5);
}

#[test]
fn geometric_one_to_hundred_matches_coinr_for_every_unit() {
    check(&asem(), Aggregation::Geometric, "coinr_asem_index_geo.csv");
}
