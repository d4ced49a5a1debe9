//! The one number formatter of every report: text, HTML, DOCX and the
//! notebook show a number as [`text`] writes it, and the XLSX writer gives
//! the cell the raw value with the matching [`excel_format`], so a number
//! reads the same in all four documents.
//!
//! The kind of a number comes from what it measures ([`metric_kind`]): a
//! rate or share is a percentage with one decimal, a count per 1,000 or
//! 10,000 one decimal, a count an integer with separators, a p-value
//! `p < 0.001` or three significant digits, an effect a signed value in its
//! metric's unit (percentage points for a rate).

use super::labels::Lang;

/// What a number is, which says how it is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An integer count, with thousands separators: 12,345.
    Count,
    /// A share or rate in 0..1, as a percentage with one decimal: 73.4%.
    Share,
    /// A count per 1,000 or 10,000 residents, one decimal: 497.4.
    PerThousand,
    /// An index score (0–100), one decimal.
    Score,
    /// A rank, an integer.
    Rank,
    /// A p-value: `< 0.001`, else three significant digits.
    PValue,
    /// A test statistic (H, z, Wald), two decimals.
    Statistic,
    /// A plain number with two decimals (ratios, years of age).
    Decimal,
    /// An effect size or coefficient, three decimals (ε²).
    Coefficient,
    /// A change of a share: signed percentage points, one decimal.
    ShareChange,
    /// A change of any other number: signed, one decimal.
    Change,
    /// A change of rank, signed integer (+3: three places up).
    RankChange,
    /// A spread of a share (a standard error, a width): percentage points,
    /// one decimal, no sign.
    SharePoints,
    /// A spread of any other number: one decimal, no sign.
    Amount,
    /// [`Kind::ShareChange`], [`Kind::Change`], [`Kind::SharePoints`] and
    /// [`Kind::Amount`] with two decimals: an effect's row whose interval
    /// would otherwise show a bound of 0.0 that is not 0 ([`effect_kinds`]).
    ShareChangeFine,
    ChangeFine,
    SharePointsFine,
    AmountFine,
}

/// The kind of a unit metric's value.
pub fn metric_kind(metric: &str) -> Kind {
    match metric {
        "share_young" | "share_old" | "resolution_rate" | "escalation_rate" | "center_coverage" => {
            Kind::Share
        }
        "visits_per_1k" | "disputes_per_10k" => Kind::PerThousand,
        "members" => Kind::Count,
        // A survey score 0..100, and the index.
        "satisfaction" | "score" => Kind::Score,
        _ => Kind::Decimal,
    }
}

/// The kind of a change (an effect, a difference on the previous period)
/// of a metric.
pub fn change_kind(metric: &str) -> Kind {
    match metric_kind(metric) {
        Kind::Share => Kind::ShareChange,
        _ => Kind::Change,
    }
}

/// The kind of a spread (a standard error) of a metric's change: in the
/// change's unit, without a sign.
pub fn spread_kind(metric: &str) -> Kind {
    match metric_kind(metric) {
        Kind::Share => Kind::SharePoints,
        _ => Kind::Amount,
    }
}

/// The kinds of an effect's row (estimate and bounds, spread): its
/// metric's, or with two decimals when a non-zero value among `values`
/// would show as 0.0 — a bound printed "0.0" beside "significant" reads as
/// a contradiction.
pub fn effect_kinds(metric: &str, values: &[Option<f64>], lang: Lang) -> (Kind, Kind) {
    let (k, s) = (change_kind(metric), spread_kind(metric));
    let hides = values.iter().flatten().any(|v| {
        *v != 0.0
            && cell(Some(*v), k, lang)
                .trim_start_matches(['+', '-'])
                .chars()
                .all(|c| c == '0' || c == '.')
    });
    match (hides, k) {
        (false, _) => (k, s),
        (true, Kind::ShareChange) => (Kind::ShareChangeFine, Kind::SharePointsFine),
        (true, _) => (Kind::ChangeFine, Kind::AmountFine),
    }
}

/// Digits with a thousands separator every three places.
fn grouped(int_part: &str) -> String {
    let (sign, digits) = match int_part.strip_prefix('-') {
        Some(d) => ("-", d),
        None => ("", int_part),
    };
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("{sign}{out}")
}

/// `v` with `places` decimals and grouped thousands; never "-0.0".
pub fn fixed(v: f64, places: usize) -> String {
    let s = format!("{v:.places$}");
    let s = if s
        .trim_start_matches('-')
        .chars()
        .all(|c| c == '0' || c == '.')
    {
        s.trim_start_matches('-').to_string()
    } else {
        s
    };
    match s.split_once('.') {
        Some((i, f)) => format!("{}.{f}", grouped(i)),
        None => grouped(&s),
    }
}

fn signed(v: f64, places: usize) -> String {
    let s = fixed(v, places);
    if s.starts_with('-') || s.trim_matches(|c| c == '0' || c == '.').is_empty() {
        s
    } else {
        format!("+{s}")
    }
}

/// Three significant digits, in plain notation down to 0.001.
fn significant(p: f64) -> String {
    if p == 0.0 {
        return "0".into();
    }
    let places = (2 - p.abs().log10().floor() as i32).clamp(0, 6) as usize;
    format!("{p:.places$}")
}

/// A number as every report shows it ("" for a missing value).
pub fn text(v: Option<f64>, kind: Kind, lang: Lang) -> String {
    let Some(v) = v.filter(|v| v.is_finite()) else {
        return String::new();
    };
    match kind {
        Kind::Count | Kind::Rank => fixed(v.round(), 0),
        Kind::Share => format!("{}%", fixed(v * 100.0, 1)),
        Kind::PerThousand | Kind::Score => fixed(v, 1),
        Kind::PValue => {
            if v < 0.001 {
                "< 0.001".into()
            } else {
                significant(v)
            }
        }
        Kind::Statistic | Kind::Decimal => fixed(v, 2),
        Kind::Coefficient => fixed(v, 3),
        Kind::ShareChange => match lang {
            Lang::Zh => format!("{} 个百分点", signed(v * 100.0, 1)),
            Lang::En => format!("{} pp", signed(v * 100.0, 1)),
        },
        Kind::Change => signed(v, 1),
        Kind::RankChange => signed(v.round(), 0),
        Kind::SharePoints => match lang {
            Lang::Zh => format!("{} 个百分点", fixed(v * 100.0, 1)),
            Lang::En => format!("{} pp", fixed(v * 100.0, 1)),
        },
        Kind::Amount => fixed(v, 1),
        Kind::ShareChangeFine => match lang {
            Lang::Zh => format!("{} 个百分点", signed(v * 100.0, 2)),
            Lang::En => format!("{} pp", signed(v * 100.0, 2)),
        },
        Kind::ChangeFine => signed(v, 2),
        Kind::SharePointsFine => match lang {
            Lang::Zh => format!("{} 个百分点", fixed(v * 100.0, 2)),
            Lang::En => format!("{} pp", fixed(v * 100.0, 2)),
        },
        Kind::AmountFine => fixed(v, 2),
    }
}

/// A number in a table cell: as [`text`], but a change of a share without
/// its unit, which the column's header carries ([`unit_suffix`]), so a
/// table of changes stays narrow enough for an A4 page.
pub fn cell(v: Option<f64>, kind: Kind, lang: Lang) -> String {
    match (kind, v.filter(|v| v.is_finite())) {
        (Kind::ShareChange, Some(v)) => signed(v * 100.0, 1),
        (Kind::SharePoints, Some(v)) => fixed(v * 100.0, 1),
        (Kind::ShareChangeFine, Some(v)) => signed(v * 100.0, 2),
        (Kind::SharePointsFine, Some(v)) => fixed(v * 100.0, 2),
        _ => text(v, kind, lang),
    }
}

/// The unit a column header names for numbers shown by [`cell`].
pub fn unit_suffix(kind: Kind, lang: Lang) -> &'static str {
    match (kind, lang) {
        (
            Kind::ShareChange | Kind::SharePoints | Kind::ShareChangeFine | Kind::SharePointsFine,
            Lang::Zh,
        ) => "（百分点）",
        (
            Kind::ShareChange | Kind::SharePoints | Kind::ShareChangeFine | Kind::SharePointsFine,
            Lang::En,
        ) => " (pp)",
        _ => "",
    }
}

/// The value a spreadsheet cell holds: the raw value, but a change of a
/// share in percentage points, as its header says.
pub fn excel_value(v: f64, kind: Kind) -> f64 {
    match kind {
        Kind::ShareChange | Kind::SharePoints | Kind::ShareChangeFine | Kind::SharePointsFine => {
            v * 100.0
        }
        _ => v,
    }
}

/// A p-value in a sentence: `p < 0.001` or `p = 0.0123`.
pub fn p_clause(p: f64) -> String {
    if p < 0.001 {
        "p < 0.001".into()
    } else {
        format!("p = {}", significant(p))
    }
}

/// The Excel number format of a kind, so a spreadsheet shows what the text
/// shows while keeping the raw value for calculation.
pub fn excel_format(kind: Kind) -> &'static str {
    match kind {
        Kind::Count | Kind::Rank => "#,##0",
        Kind::Share => "0.0%",
        Kind::PerThousand | Kind::Score => "#,##0.0",
        Kind::PValue => "0.00E+00",
        Kind::Statistic | Kind::Decimal => "#,##0.00",
        Kind::Coefficient => "0.000",
        // Percentage points: the cell holds the change × 100 (excel_value).
        Kind::ShareChange => "+0.0;-0.0;0.0",
        Kind::Change => "+#,##0.0;-#,##0.0;0.0",
        Kind::RankChange => "+0;-0;0",
        Kind::SharePoints => "0.0",
        Kind::Amount => "#,##0.0",
        Kind::ShareChangeFine => "+0.00;-0.00;0.00",
        Kind::ChangeFine => "+#,##0.00;-#,##0.00;0.00",
        Kind::SharePointsFine => "0.00",
        Kind::AmountFine => "#,##0.00",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn p_values_are_never_cut_to_three_characters() {
        // The defect: `{p:.3}` on "2.99e-6" printed "p = 2.9".
        assert_eq!(p_clause(2.99e-6), "p < 0.001");
        assert_eq!(p_clause(0.0123456), "p = 0.0123");
        assert_eq!(p_clause(0.275857), "p = 0.276");
        assert_eq!(text(Some(0.000999), Kind::PValue, Lang::Zh), "< 0.001");
        assert_eq!(text(Some(1.0), Kind::PValue, Lang::Zh), "1.00");
    }

    #[test]
    fn kinds_format_as_their_readers_expect() {
        let zh = Lang::Zh;
        assert_eq!(text(Some(0.7341), Kind::Share, zh), "73.4%");
        assert_eq!(text(Some(497.418), Kind::PerThousand, zh), "497.4");
        assert_eq!(text(Some(1234567.0), Kind::Count, zh), "1,234,567");
        assert_eq!(text(Some(-1234.5), Kind::Change, zh), "-1,234.5");
        assert_eq!(text(Some(0.0649), Kind::ShareChange, zh), "+6.5 个百分点");
        assert_eq!(text(Some(-0.0004), Kind::ShareChange, Lang::En), "0.0 pp");
        assert_eq!(text(Some(-0.00001), Kind::Share, zh), "0.0%");
        assert_eq!(text(None, Kind::Share, zh), "");
        assert_eq!(text(Some(f64::NAN), Kind::Share, zh), "");
        assert_eq!(text(Some(12.0), Kind::Rank, zh), "12");
        assert_eq!(cell(Some(0.0649), Kind::ShareChange, zh), "+6.5");
        assert_eq!(excel_value(0.0649, Kind::ShareChange), 6.49);
        assert_eq!(cell(Some(0.0649), Kind::Share, zh), "6.5%");
        // A standard error in its change's unit, never signed.
        assert_eq!(text(Some(0.0243), Kind::SharePoints, zh), "2.4 个百分点");
        assert_eq!(cell(Some(0.0243), Kind::SharePoints, zh), "2.4");
        assert_eq!(text(Some(13.85), Kind::Amount, zh), "13.8");
        assert_eq!(spread_kind("resolution_rate"), Kind::SharePoints);
        assert_eq!(spread_kind("satisfaction"), Kind::Amount);
        // A bound that would print 0.0 but is not 0: two decimals for the row.
        assert_eq!(
            effect_kinds(
                "disputes_per_10k",
                &[Some(-1.96), Some(-3.9), Some(-0.03)],
                zh
            ),
            (Kind::ChangeFine, Kind::AmountFine)
        );
        assert_eq!(text(Some(-0.03), Kind::ChangeFine, zh), "-0.03");
        assert_eq!(
            effect_kinds(
                "resolution_rate",
                &[Some(0.057), Some(0.032), Some(0.081)],
                zh
            ),
            (Kind::ShareChange, Kind::SharePoints)
        );
        assert_eq!(
            effect_kinds(
                "resolution_rate",
                &[Some(0.02), Some(0.0003), Some(0.04)],
                zh
            )
            .0,
            Kind::ShareChangeFine
        );
    }
}
