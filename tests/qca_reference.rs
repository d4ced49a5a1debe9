//! fsQCA against R's QCA 3.25 on Lipset (1959), the package's own example:
//! tests/fixtures/qca/ (copied from shared/fixtures/qca, with its README and
//! provenance). Calibration reproduces the published fuzzy memberships; the
//! truth table, necessity and the complex and parsimonious solutions match
//! R to 1e-6.

use std::collections::BTreeMap;

use govlens::methods::qca::sets::{self as qca, Anchors, Cuts, Out};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/qca");
const CONDITIONS: [&str; 5] = ["DEV", "URB", "LIT", "IND", "STB"];

/// (case names, column → values) of a fixture CSV.
fn read(name: &str) -> (Vec<String>, BTreeMap<String, Vec<f64>>) {
    let mut rdr = csv::Reader::from_path(format!("{DIR}/{name}")).unwrap();
    let headers: Vec<String> = rdr.headers().unwrap().iter().map(str::to_string).collect();
    let mut cases = Vec::new();
    let mut cols: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for rec in rdr.records() {
        let rec = rec.unwrap();
        cases.push(rec[0].to_string());
        for (h, v) in headers.iter().zip(rec.iter()).skip(1) {
            cols.entry(h.clone()).or_default().push(v.parse().unwrap());
        }
    }
    (cases, cols)
}

fn expected() -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(format!("{DIR}/lipset_expected.json")).unwrap())
        .unwrap()
}

fn close(got: f64, want: &serde_json::Value, what: &str) {
    match want.as_f64() {
        Some(w) => assert!((got - w).abs() <= 1e-6, "{what}: {got} vs {w}"),
        None => assert!(got.is_nan(), "{what}: {got} vs null"),
    }
}

#[test]
fn calibration_with_log_odds_3_gives_the_published_fuzzy_sets() {
    let (_, raw) = read("lipset_raw.csv");
    let (_, fuzzy) = read("lipset_fuzzy.csv");
    let e = expected();
    let mut n = 0;
    for (col, anchors) in e["calibration"]["anchors_e_c_i"].as_object().unwrap() {
        let a: Vec<f64> = anchors
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        let a = Anchors {
            e: a[0],
            c: a[1],
            i: a[2],
        };
        qca::check_anchors(a).unwrap();
        for (k, x) in raw[col].iter().enumerate() {
            let m = qca::calibrate(*x, a, 3.0);
            assert!(
                ((m * 100.0).round() / 100.0 - fuzzy[col][k]).abs() < 1e-9,
                "{col} case {k}: {m} vs {}",
                fuzzy[col][k]
            );
            close(
                m,
                &e["calibration"]["LF_recomputed_full_precision"][col][k],
                col,
            );
            n += 1;
        }
    }
    assert_eq!(n, 108);
    // R's default idm = 0.95 (log-odds ln 19) does not reproduce them.
    let a = Anchors {
        e: 400.0,
        c: 550.0,
        i: 900.0,
    };
    let differ = raw["DEV"]
        .iter()
        .zip(&fuzzy["DEV"])
        .filter(|(x, f)| {
            ((qca::calibrate(**x, a, 19f64.ln()) * 100.0).round() / 100.0 - **f).abs() > 1e-9
        })
        .count();
    assert!(differ > 0);
}

fn conds(cols: &BTreeMap<String, Vec<f64>>) -> Vec<Vec<f64>> {
    CONDITIONS.iter().map(|c| cols[*c].clone()).collect()
}

#[test]
fn necessity_of_each_condition_and_its_negation_is_r_s() {
    let (_, f) = read("lipset_fuzzy.csv");
    let y = &f["SURV"];
    let e = expected();
    let mut checked = 0;
    for row in e["necessity_LF"].as_array().unwrap() {
        let expr = row["expr"].as_str().unwrap();
        if expr.contains('+') {
            continue; // unions of conditions: not asked of single conditions
        }
        let (neg, name) = match expr.strip_prefix('~') {
            Some(n) => (true, n),
            None => (false, expr),
        };
        let x: Vec<f64> = f[name]
            .iter()
            .map(|v| if neg { 1.0 - v } else { *v })
            .collect();
        let (incl, ron, cov) = qca::necessity(&x, y);
        close(incl, &row["inclN"], expr);
        close(ron, &row["RoN"], expr);
        close(cov, &row["covN"], expr);
        checked += 1;
    }
    assert_eq!(checked, 10);
}

/// Checks one analysis of the fixture: the truth table, then the complex
/// and parsimonious solutions (as sets of terms, each with its fit).
fn analysis(data: &str, key: &str) {
    let (cases, f) = read(data);
    let e = &expected()["analyses"][key];
    let c = conds(&f);
    let y = &f["SURV"];
    let cuts = Cuts {
        incl: e["incl_cut"].as_f64().unwrap(),
        n: e["n_cut"].as_u64().unwrap() as usize,
        pri: 0.0,
    };
    let table = qca::truth_table(&c, y, cuts);
    let want = e["truth_table"].as_array().unwrap();
    assert_eq!(table.len(), want.len());
    for (r, w) in table.iter().zip(want) {
        assert_eq!(r.row as u64, w["row"].as_u64().unwrap());
        assert_eq!(r.n as u64, w["n"].as_u64().unwrap(), "row {}", r.row);
        assert_eq!(
            r.out.as_str(),
            w["OUT"].as_str().unwrap(),
            "row {} OUT",
            r.row
        );
        let names: Vec<&str> = r.cases.iter().map(|&i| cases[i].as_str()).collect();
        let want_cases: Vec<&str> = w["cases"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert_eq!(names, want_cases, "row {}", r.row);
        close(r.incl, &w["incl"], &format!("{key} row {} incl", r.row));
        close(r.pri, &w["PRI"], &format!("{key} row {} PRI", r.row));
    }
    let on = qca::rows_with(&table, Out::Positive);
    let rem = qca::rows_with(&table, Out::Remainder);
    let names: Vec<String> = CONDITIONS.iter().map(|s| s.to_string()).collect();
    for (which, dc) in [("complex", &[][..]), ("parsimonious", &rem[..])] {
        let covers = qca::minimise(&on, dc, CONDITIONS.len());
        assert_eq!(covers.len(), 1, "{key} {which}: one model, as R finds");
        let sol = qca::solution(&c, y, &names, &covers[0], &table);
        let w = &e[which];
        let mut got: Vec<&str> = sol.terms.iter().map(|t| t.name.as_str()).collect();
        let mut terms: Vec<&str> = w["terms"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["term"].as_str().unwrap())
            .collect();
        got.sort();
        terms.sort();
        assert_eq!(got, terms, "{key} {which}");
        for t in w["terms"].as_array().unwrap() {
            let ours = sol
                .terms
                .iter()
                .find(|x| x.name == t["term"].as_str().unwrap())
                .unwrap();
            let what = format!("{key} {which} {}", ours.name);
            close(ours.fit.incl, &t["inclS"], &what);
            close(ours.fit.pri, &t["PRI"], &what);
            close(ours.fit.cov, &t["covS"], &what);
            if !t["covU"].is_null() {
                close(ours.cov_unique, &t["covU"], &what);
            }
            let shown: Vec<&str> = ours.cases.iter().map(|&i| cases[i].as_str()).collect();
            let mut want_cases: Vec<&str> = t["cases"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap())
                .collect();
            let mut shown_sorted = shown.clone();
            shown_sorted.sort();
            want_cases.sort();
            assert_eq!(shown_sorted, want_cases, "{what}");
        }
        close(
            sol.fit.incl,
            &w["solution"]["inclS"],
            &format!("{key} {which} solution"),
        );
        close(
            sol.fit.pri,
            &w["solution"]["PRI"],
            &format!("{key} {which} solution"),
        );
        close(
            sol.fit.cov,
            &w["solution"]["covS"],
            &format!("{key} {which} solution"),
        );
    }
}

#[test]
fn lipset_fuzzy_at_incl_0_8_gives_r_s_truth_table_and_solutions() {
    analysis("lipset_fuzzy.csv", "LF_incl0.8");
}

#[test]
fn lipset_fuzzy_at_incl_0_9_leaves_urb_stb() {
    analysis("lipset_fuzzy.csv", "LF_incl0.9");
}

#[test]
fn lipset_crisp_at_incl_1_gives_r_s_solutions() {
    analysis("lipset_crisp.csv", "LC_incl1");
}

#[test]
fn the_intermediate_solution_takes_r_s_easy_counterfactuals() {
    let (cases, f) = read("lipset_fuzzy.csv");
    let c = conds(&f);
    let y = &f["SURV"];
    let names: Vec<String> = CONDITIONS.iter().map(|s| s.to_string()).collect();
    let table = qca::truth_table(
        &c,
        y,
        Cuts {
            incl: 0.8,
            n: 1,
            pri: 0.0,
        },
    );
    let on = qca::rows_with(&table, Out::Positive);
    let rem = qca::rows_with(&table, Out::Remainder);
    let pars = qca::minimise(&on, &rem, 5);
    let assumed = qca::simplifying_assumptions(&pars[0], &rem);
    let rows = |v: &[u32]| -> Vec<u64> { v.iter().map(|m| *m as u64 + 1).collect() };
    for key in ["intermediate_all_present", "intermediate_IND_absent"] {
        let e = &expected()["analyses"]["LF_incl0.8"][key];
        let as_rows = |k: &str| -> Vec<u64> {
            e[k].as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_u64().unwrap())
                .collect()
        };
        assert_eq!(
            rows(&assumed),
            as_rows("simplifying_assumption_rows"),
            "{key}"
        );
        let expect: Vec<Option<bool>> = CONDITIONS
            .iter()
            .map(|c| e["dir_exp"][*c].as_u64().map(|v| v == 1))
            .collect();
        let easy = qca::easy_counterfactuals(&on, &assumed, &expect, 5);
        assert_eq!(rows(&easy), as_rows("easy_counterfactual_rows"), "{key}");
        let difficult: Vec<u32> = assumed
            .iter()
            .copied()
            .filter(|r| !easy.contains(r))
            .collect();
        assert_eq!(rows(&difficult), as_rows("difficult_rows"), "{key}");
        let covers = qca::minimise(&on, &easy, 5);
        assert_eq!(covers.len(), 1);
        let sol = qca::solution(&c, y, &names, &covers[0], &table);
        for t in e["terms"].as_array().unwrap() {
            let ours = sol
                .terms
                .iter()
                .find(|x| x.name == t["term"].as_str().unwrap())
                .expect("the term");
            close(ours.fit.incl, &t["inclS"], key);
            close(ours.fit.pri, &t["PRI"], key);
            close(ours.fit.cov, &t["covS"], key);
            close(ours.cov_unique, &t["covU"], key);
            let mut shown: Vec<&str> = ours.cases.iter().map(|&i| cases[i].as_str()).collect();
            shown.sort();
            let mut want: Vec<&str> = t["cases"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap())
                .collect();
            want.sort();
            assert_eq!(shown, want);
        }
        assert_eq!(sol.terms.len(), e["terms"].as_array().unwrap().len());
        close(sol.fit.incl, &e["solution"]["inclS"], key);
        close(sol.fit.pri, &e["solution"]["PRI"], key);
        close(sol.fit.cov, &e["solution"]["covS"], key);
    }
}
