//! Integer keys for the unit metrics' joins, group-bys and sorts.
//!
//! The warehouse keeps region codes and periods as text (contract §2), and
//! the outputs show them as text. In between, a national batch joins,
//! windows, groups and sorts ~130M fact rows on them; on text that was most
//! of compare's time (perf at 100k, 2026-12-01: string compares, dictionary
//! hashing and multi-column sorts of `region_code` / `period`). So the facts
//! are keyed by numbers as they are read, and the text comes back only on the
//! aggregated rows, by a join against a small table of labels:
//!
//! - a **region key**: the code's digits × 16 + its length, so that codes of
//!   different lengths never collide ("110101" and "000110101");
//! - a **unit rank**: the unit's position among the units sorted by code, so
//!   sorting by rank is sorting by the code's text;
//! - a **period number**: `2023`, `2023·10 + q`, `2023·100 + m` for year,
//!   quarter and month analysis periods: in the labels' text order.

use polars::prelude::*;

/// A region code's integer key (see the module doc); `None` for text that is
/// not digits (the warehouse holds only checked codes).
pub fn region_key(code: &str) -> Option<i64> {
    if code.is_empty() || code.len() > 15 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(code.parse::<i64>().ok()? * 16 + code.len() as i64)
}

/// [`region_key`] as an expression over a text column of codes.
pub fn region_key_expr(code: Expr) -> Expr {
    code.clone().cast(DataType::Int64) * lit(16i64) + code.str().len_bytes().cast(DataType::Int64)
}

/// The analysis period's number from `period_start` (see the module doc).
pub fn period_number_expr(kind: &str) -> Expr {
    let year = col("period_start").dt().year().cast(DataType::Int32);
    match kind {
        "quarter" => year * lit(10) + col("period_start").dt().quarter().cast(DataType::Int32),
        "month" => year * lit(100) + col("period_start").dt().month().cast(DataType::Int32),
        _ => year,
    }
}

/// The label of a period number: `2023`, `2023-Q2`, `2023-06`.
pub fn period_label(kind: &str, n: i32) -> String {
    match kind {
        "quarter" => format!("{}-Q{}", n / 10, n % 10),
        "month" => format!("{}-{:02}", n / 100, n % 100),
        _ => n.to_string(),
    }
}

/// The number of a period label, the inverse of [`period_label`].
pub fn period_number(kind: &str, label: &str) -> Option<i32> {
    let year: i32 = label.get(..4)?.parse().ok()?;
    let sub = |prefix: &str, max: i32| -> Option<i32> {
        let s: i32 = label.strip_prefix(prefix)?.parse().ok()?;
        (1..=max).contains(&s).then_some(s)
    };
    match kind {
        "quarter" => Some(year * 10 + sub(&format!("{year}-Q"), 4)?),
        "month" => Some(year * 100 + sub(&format!("{year}-"), 12)?),
        _ => (label.len() == 4).then_some(year),
    }
}

/// `aperiod` (number) → `period` (label) for the given labels.
pub fn labels_frame(kind: &str, labels: &[String]) -> PolarsResult<DataFrame> {
    let (numbers, labels): (Vec<i32>, Vec<&str>) = labels
        .iter()
        .filter_map(|l| Some((period_number(kind, l)?, l.as_str())))
        .unzip();
    df!("aperiod" => numbers, "period" => labels)
}

/// A text column's place in a sorted vocabulary: 0 for null, `i + 1` for
/// `vocabulary[i]`, `len + 1` for anything else (which the sorts then order
/// by its text, after the vocabulary's words).
pub fn place(e: Expr, vocabulary: &[&str]) -> Expr {
    debug_assert!(vocabulary.windows(2).all(|w| w[0] < w[1]));
    let mut place = lit(vocabulary.len() as i64 + 1);
    for (i, word) in vocabulary.iter().enumerate().rev() {
        place = when(e.clone().eq(lit(*word)))
            .then(lit(i as i64 + 1))
            .otherwise(place);
    }
    when(e.is_null()).then(lit(0i64)).otherwise(place)
}

/// One integer whose order is that of the rows' keys: the period number
/// (18 bits: 210012 < 2^18), the unit rank (26 bits: the national tree has
/// ~700k units), then small parts of the given widths (at most 12 bits in
/// all), so that a sort of millions of rows compares one number instead of
/// breaking the ties of its first column through the others (perf: most of
/// the sorts' time). A part must be below 2^bits; the callers' are (metric
/// and breakdown places, role place, an age bound of at most 3 digits).
pub fn sort_key(aperiod: Expr, unit: Expr, small: &[(Expr, u32)]) -> Expr {
    let total: u32 = small.iter().map(|(_, b)| b).sum();
    assert!(total <= 12, "sort_key: small parts of {total} bits");
    let mut key = aperiod.cast(DataType::Int64) * lit(1i64 << (26 + total))
        + unit.cast(DataType::Int64) * lit(1i64 << total);
    let mut shift = total;
    for (e, bits) in small {
        shift -= bits;
        key = key + e.clone().cast(DataType::Int64) * lit(1i64 << shift);
    }
    key
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
pub fn days_from_civil(y: i32, m: u32, d: u32) -> i32 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m as i32 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i32 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The first day of an analysis period and of the next, as day numbers:
/// `2023` (year), `2023-Q2` (quarter), `2023-06` (month).
pub fn period_days(kind: &str, p: &str) -> Option<(i32, i32)> {
    let n = period_number(kind, p)?;
    let (year, first, months) = match kind {
        "quarter" => (n / 10, (n % 10 - 1) as u32 * 3 + 1, 3),
        "month" => (n / 100, (n % 100) as u32, 1),
        _ => (n, 1, 12),
    };
    let next = first + months;
    let (ny, nm) = if next > 12 {
        (year + 1, next - 12)
    } else {
        (year, next)
    };
    Some((days_from_civil(year, first, 1), days_from_civil(ny, nm, 1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn period_day_ranges() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(
            period_days("year", "2023"),
            Some((days_from_civil(2023, 1, 1), days_from_civil(2024, 1, 1)))
        );
        assert_eq!(
            period_days("quarter", "2023-Q4"),
            Some((days_from_civil(2023, 10, 1), days_from_civil(2024, 1, 1)))
        );
        assert_eq!(
            period_days("month", "2023-02"),
            Some((days_from_civil(2023, 2, 1), days_from_civil(2023, 3, 1)))
        );
    }

    #[test]
    fn period_numbers_round_trip_and_keep_the_labels_order() {
        for (kind, labels) in [
            ("year", vec!["1999", "2023", "2024"]),
            ("quarter", vec!["2023-Q1", "2023-Q4", "2024-Q2"]),
            ("month", vec!["2023-01", "2023-09", "2023-10", "2024-02"]),
        ] {
            let numbers: Vec<i32> = labels
                .iter()
                .map(|l| period_number(kind, l).unwrap())
                .collect();
            assert!(
                numbers.windows(2).all(|w| w[0] < w[1]),
                "{kind}: {numbers:?}"
            );
            for (l, n) in labels.iter().zip(&numbers) {
                assert_eq!(&period_label(kind, *n), l);
            }
        }
        assert_eq!(period_number("quarter", "2023-Q5"), None);
        assert_eq!(period_number("month", "2023-13"), None);
        assert_eq!(period_number("year", "2023-01"), None);
    }

    #[test]
    fn region_keys_keep_codes_of_different_lengths_apart() {
        assert_ne!(region_key("110101"), region_key("000110101"));
        assert_eq!(region_key("110101"), Some(110101 * 16 + 6));
        assert_eq!(region_key("11010x"), None);
        let df = df!("c" => ["110101", "000110101", "110101001001"]).unwrap();
        let keys = df
            .lazy()
            .select([region_key_expr(col("c"))])
            .collect()
            .unwrap();
        let got: Vec<Option<i64>> = keys.column("c").unwrap().i64().unwrap().iter().collect();
        assert_eq!(
            got,
            vec![
                region_key("110101"),
                region_key("000110101"),
                region_key("110101001001")
            ]
        );
    }
}
