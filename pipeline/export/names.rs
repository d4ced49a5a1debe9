//! Variable names Stata and SPSS both accept, from a table's column names
//! (docs/export.md, "Names"): the one rule, applied in column order.
//!
//! 1. Every character that is not an ASCII letter, digit or `_` becomes `_`
//!    (`share_young:cadre` → `share_young_cadre`, `人数` → `__`), runs of `_`
//!    fold to one and `_` is trimmed from the ends; letters are lower-cased.
//! 2. A name that is then empty or does not start with a letter gets `v_`
//!    in front (SPSS names start with a letter; Stata reserves `_` names).
//! 3. A name longer than 32 characters (Stata's limit; SPSS allows 64) is
//!    cut to 32.
//! 4. A name Stata or SPSS reserves (`in`, `if`, `long`, `with`, `to`, `all`,
//!    `str5`, …) gets `_v` after it.
//! 5. A name equal (ignoring case, as SPSS compares) to one already given
//!    gets `_2`, `_3`, … — cut first so the suffix still fits in 32.
//!
//! The codebook lists every column's original name beside its legal one.

/// Words Stata (help reswords) or SPSS reserve as variable names.
const RESERVED: &[&str] = &[
    // Stata
    "_all", "_b", "byte", "_coef", "_cons", "double", "float", "if", "in", "int", "long", "_n",
    "_pi", "_pred", "_rc", "_skip", "strl", "using", "with", // SPSS
    "all", "and", "by", "eq", "ge", "gt", "le", "lt", "ne", "not", "or", "to",
];

/// The longest name: Stata's 32 (SPSS allows 64).
pub const MAX_NAME: usize = 32;

fn reserved(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    RESERVED.contains(&lower.as_str())
        || lower
            .strip_prefix("str")
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Rules 1–4 for one name.
pub fn legal(column: &str) -> String {
    let mut out = String::new();
    for c in column.chars() {
        let c = if c.is_ascii_alphanumeric() {
            c.to_ascii_lowercase()
        } else {
            '_'
        };
        if !(c == '_' && out.ends_with('_')) {
            out.push(c);
        }
    }
    let mut out = out.trim_matches('_').to_string();
    if !out.starts_with(|c: char| c.is_ascii_alphabetic()) {
        out = format!("v_{out}").trim_end_matches('_').to_string();
    }
    out.truncate(MAX_NAME);
    if reserved(&out) {
        out.truncate(MAX_NAME - 2);
        out.push_str("_v");
    }
    out
}

/// Legal, distinct names for a table's columns, in order (rule 5).
pub fn legal_all<'a>(columns: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut taken: std::collections::BTreeSet<String> = Default::default();
    let mut out = Vec::new();
    for c in columns {
        let base = legal(c);
        let mut name = base.clone();
        let mut k = 2;
        while taken.contains(&name.to_ascii_lowercase()) {
            let suffix = format!("_{k}");
            let mut b = base.clone();
            b.truncate(MAX_NAME - suffix.len());
            name = format!("{b}{suffix}");
            k += 1;
        }
        taken.insert(name.to_ascii_lowercase());
        out.push(name);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_legal_for_stata_and_spss() {
        assert_eq!(legal("share_young:cadre"), "share_young_cadre");
        assert_eq!(legal("region_code"), "region_code");
        assert_eq!(legal("PRI"), "pri");
        assert_eq!(legal("model:embedded"), "model_embedded");
        assert_eq!(legal("人数"), "v");
        assert_eq!(legal("2024"), "v_2024");
        assert_eq!(legal("_n"), "n");
        assert_eq!(legal("in"), "in_v");
        assert_eq!(legal("str12"), "str12_v");
        assert_eq!(legal("strength"), "strength");
        assert_eq!(legal("TO"), "to_v");
        let long = "a_very_long_column_name_that_goes_on_and_on";
        assert_eq!(legal(long).len(), 32);
    }

    #[test]
    fn names_that_collide_after_legalising_get_a_number() {
        let got = legal_all(["share:young", "share_young", "SHARE-YOUNG", "人数", "户数"]);
        assert_eq!(
            got,
            ["share_young", "share_young_2", "share_young_3", "v", "v_2"]
        );
        let long = "x".repeat(40);
        let got = legal_all([long.as_str(), long.as_str()]);
        assert_eq!(got[1].len(), 32);
        assert!(got[1].ends_with("_2"), "{got:?}");
        assert_ne!(got[0], got[1]);
    }
}
