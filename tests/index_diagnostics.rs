//! The index's diagnostics on COINr's ASEM indicators against an
//! independent computation: numpy 2 and scipy 1.16 (`np.corrcoef`,
//! `scipy.stats.pearsonr/spearmanr`, `np.linalg.eigh` of the correlation
//! matrix, Cronbach's alpha from `var(ddof=1)`), run 2026-12-01 on
//! tests/fixtures/coinr_asem_indicators.csv (the values are copied here).

use govlens::methods::index::diagnostics::{cronbach_alpha, first_component, pearson, spearman};

fn asem() -> Vec<Vec<Option<f64>>> {
    let mut rdr = csv::Reader::from_path(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/coinr_asem_indicators.csv"
    ))
    .unwrap();
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    // Columns 2.. are Goods … Visa.
    (2..13)
        .map(|c| rows.iter().map(|r| r[c].parse().ok()).collect())
        .collect()
}

#[test]
fn correlations_alpha_and_the_first_component_match_numpy_and_scipy() {
    let x = asem();
    let close = |a: f64, b: f64, what: &str| assert!((a - b).abs() < 1e-9, "{what}: {a} vs {b}");
    close(
        pearson(&x[0], &x[1]).unwrap(),
        0.8805816444656733,
        "pearson Goods–Services",
    );
    close(
        spearman(&x[0], &x[1]).unwrap(),
        0.8586328400281887,
        "spearman Goods–Services",
    );
    close(
        pearson(&x[6], &x[7]).unwrap(),
        -0.3288728006916747,
        "pearson Tariff–TBTs",
    );
    close(
        spearman(&x[6], &x[7]).unwrap(),
        -0.10175404142352275,
        "spearman Tariff–TBTs",
    );
    close(
        cronbach_alpha(&x[0..5]).unwrap(),
        0.24791150569998796,
        "alpha ConEcFin",
    );
    close(
        cronbach_alpha(&x[5..11]).unwrap(),
        -0.6171781918205925,
        "alpha Instit",
    );
    let (load, share) = first_component(&x[0..5]).unwrap();
    close(share, 0.7760761207801457, "PC1 share ConEcFin");
    for (l, w) in load
        .iter()
        .zip([0.470705, 0.49206, 0.456738, 0.46293, 0.336748])
    {
        assert!((l - w).abs() < 1e-6, "loadings {load:?}");
    }
    let (load, share) = first_component(&x[5..11]).unwrap();
    close(share, 0.5710293181274458, "PC1 share Instit");
    for (l, w) in load
        .iter()
        .zip([-0.487912, -0.346474, 0.430848, 0.221988, 0.456709, 0.445427])
    {
        assert!((l - w).abs() < 1e-6, "loadings {load:?}");
    }
}
