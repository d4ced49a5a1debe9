//! Parsing of the contract's value grammars: periods, age bands, model words,
//! levels, roles, centre types and numbers as clerks write them.
//!
//! Every function is pure and returns `Err(reason)` with a sentence a clerk can
//! act on; the validator turns that into an E_PARSE / E_RANGE / E_BAND record.

use crate::contract::{Level, Model, CENTER_TYPES};

/// Years accepted for periods and adoption years (contract §1: 1949..2100).
pub const YEAR_MIN: i32 = 1949;
pub const YEAR_MAX: i32 = 2100;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PeriodKind {
    Year,
    Quarter,
    Month,
    /// 上半年 / 下半年, a flow over months 1–6 or 7–12 (`2023-H1`): summed
    /// into a year, never into a quarter or a month.
    Half,
}

impl PeriodKind {
    pub fn name(self) -> &'static str {
        match self {
            PeriodKind::Year => "year",
            PeriodKind::Quarter => "quarter",
            PeriodKind::Month => "month",
            PeriodKind::Half => "half",
        }
    }

    /// The kinds a run's `[run] period` may name.
    pub fn from_name(s: &str) -> Option<PeriodKind> {
        match s {
            "year" => Some(PeriodKind::Year),
            "quarter" => Some(PeriodKind::Quarter),
            "month" => Some(PeriodKind::Month),
            _ => None,
        }
    }
}

/// A parsed period: year plus quarter, month or half. `sub` is the quarter
/// (1..4), month (1..12) or half (1..2), 0 for a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Period {
    pub year: i32,
    pub kind: PeriodKind,
    pub sub: u32,
}

impl Period {
    /// Canonical text: `2023`, `2023-Q2`, `2023-06`, `2023-H1`.
    pub fn canonical(&self) -> String {
        match self.kind {
            PeriodKind::Year => format!("{}", self.year),
            PeriodKind::Quarter => format!("{}-Q{}", self.year, self.sub),
            PeriodKind::Month => format!("{}-{:02}", self.year, self.sub),
            PeriodKind::Half => format!("{}-H{}", self.year, self.sub),
        }
    }

    /// The period as bytes for a row key: equal exactly when the canonical
    /// texts are, without building the text for every row.
    pub fn key(&self) -> [u8; 9] {
        let mut k = [0u8; 9];
        k[..4].copy_from_slice(&self.year.to_le_bytes());
        k[4] = self.kind as u8;
        k[5..].copy_from_slice(&self.sub.to_le_bytes());
        k
    }

    /// First day of the period as (year, month, day).
    pub fn start(&self) -> (i32, u32, u32) {
        match self.kind {
            PeriodKind::Year => (self.year, 1, 1),
            PeriodKind::Quarter => (self.year, (self.sub - 1) * 3 + 1, 1),
            PeriodKind::Month => (self.year, self.sub, 1),
            PeriodKind::Half => (self.year, (self.sub - 1) * 6 + 1, 1),
        }
    }

    /// Its last day.
    pub fn end(&self) -> Date {
        let last_month = match self.kind {
            PeriodKind::Year => 12,
            PeriodKind::Quarter => self.sub * 3,
            PeriodKind::Month => self.sub,
            PeriodKind::Half => self.sub * 6,
        };
        Date {
            year: self.year,
            month: last_month,
            day: days_in_month(self.year, last_month),
        }
    }

    /// The period of `kind` that holds `date` (`kind` is a run's: year,
    /// quarter or month).
    pub fn holding(date: Date, kind: PeriodKind) -> Period {
        let sub = match kind {
            PeriodKind::Year => 0,
            PeriodKind::Quarter => (date.month - 1) / 3 + 1,
            PeriodKind::Month => date.month,
            PeriodKind::Half => (date.month - 1) / 6 + 1,
        };
        Period {
            year: date.year,
            kind,
            sub,
        }
    }

    /// Days since 1970-01-01 of the first day: polars' Date representation.
    pub fn start_days(&self) -> i32 {
        let (y, m, d) = self.start();
        days_from_civil(y, m, d)
    }
}

/// Howard Hinnant's days-from-civil; exact for the proleptic Gregorian calendar.
pub fn days_from_civil(y: i32, m: u32, d: u32) -> i32 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = m as i32;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i32 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

fn chinese_numeral(s: &str) -> Option<u32> {
    match s {
        "一" => Some(1),
        "二" => Some(2),
        "三" => Some(3),
        "四" => Some(4),
        _ => s.parse().ok(),
    }
}

fn year_in_range(year: i32, raw: &str) -> Result<i32, PeriodError> {
    if (YEAR_MIN..=YEAR_MAX).contains(&year) {
        Ok(year)
    } else {
        Err(PeriodError::Range(format!(
            "year {year} in '{raw}' is outside {YEAR_MIN}..{YEAR_MAX}"
        )))
    }
}

/// A canonical period as a Chinese reader writes it: `2024` → 2024年,
/// `2024-Q2` → 2024年第二季度, `2024-H1` → 2024年上半年, `2024-06` →
/// 2024年6月; anything else as it is.
pub fn period_zh(p: &str) -> String {
    let quarters = ["一", "二", "三", "四"];
    let year_ok = |y: &str| y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit());
    match p.split_once('-') {
        None if year_ok(p) => format!("{p}年"),
        Some((y, q)) if year_ok(y) && q.starts_with('Q') => {
            let i: usize = q[1..].parse().unwrap_or(0);
            match quarters.get(i.wrapping_sub(1)) {
                Some(z) => format!("{y}年第{z}季度"),
                None => p.to_string(),
            }
        }
        Some((y, "H1")) if year_ok(y) => format!("{y}年上半年"),
        Some((y, "H2")) if year_ok(y) => format!("{y}年下半年"),
        Some((y, m)) if year_ok(y) => match m.parse::<u32>() {
            Ok(m @ 1..=12) => format!("{y}年{m}月"),
            _ => p.to_string(),
        },
        _ => p.to_string(),
    }
}

/// A calendar day, as a stock "as at" names it (`2023年底`, `2023-12-31`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl Date {
    /// `2023-12-31`.
    pub fn text(&self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// Days since 1970-01-01 → the day (Howard Hinnant's civil_from_days).
pub fn date_of_days(days: i64) -> Date {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
    Date { year, month, day }
}

pub fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

/// A period cell read at a run's period kind: the period, and for a stock
/// published "as at" a day (`2023年底`, `截至2023年12月31日`, `2023-12-31`)
/// that day. A day that does not end its period is W_ASAT ("a stock as at
/// 2021-06-05 is stored as 2021").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeriodCell {
    pub period: Period,
    pub as_at: Option<Date>,
}

impl PeriodCell {
    /// Whether the day it is as at is not the last of its period.
    pub fn mid_period(&self) -> bool {
        self.as_at.is_some_and(|d| d != self.period.end())
    }
}

/// Parses a period cell at the run's period `kind`: every form of
/// [`parse_period`], and a day a stock is published as at —
/// `2023年底`, `2023年末`, `2023年6月底`, `截至2023年底`, `截止到2023年11月30日`,
/// `2023年12月31日`, `2023-12-31`, `2023/12/31`, `2023.12.31`, `20231231` — as
/// the period of `kind` that holds the day.
pub fn parse_period_at(raw: &str, kind: PeriodKind) -> Result<PeriodCell, PeriodError> {
    let s = printed(raw).replace("年年", "年");
    // `2023年底止`, `2023-12-31 00:00:00` (an Excel export), `31号`.
    let s = s.strip_suffix('止').unwrap_or(&s);
    let s = s
        .strip_suffix("00:00:00")
        .or_else(|| s.strip_suffix("0:00:00"))
        .unwrap_or(s);
    let s = match s.strip_suffix('号') {
        Some(d) => format!("{d}日"),
        None => s.to_string(),
    };
    let (s, said_as_at) = match ["截至到", "截止到", "截至", "截止", "至", "到"]
        .iter()
        .find_map(|p| s.strip_prefix(p))
    {
        Some(rest) => (rest.to_string(), true),
        None => (s.clone(), false),
    };
    if let Some(date) = as_at_day(&s, raw)? {
        return Ok(PeriodCell {
            period: Period::holding(date, kind),
            as_at: Some(date),
        });
    }
    if said_as_at && vague(raw).is_some() {
        return Err(PeriodError::Parse(not_a_period(raw)));
    }
    if said_as_at {
        return Err(PeriodError::Parse(format!(
            "'{raw}' is not a day a stock is as at (expected 截至2023年底, 截至2023年12月31日 or 2023-12-31)"
        )));
    }
    parse_period(raw).map(|period| PeriodCell {
        period,
        as_at: None,
    })
}

/// The day of an "as at" form (its 截至 already taken off), `None` when `s`
/// is not one.
fn as_at_day(s: &str, raw: &str) -> Result<Option<Date>, PeriodError> {
    let digits = |t: &str, n: std::ops::RangeInclusive<usize>| {
        n.contains(&t.len()) && t.bytes().all(|b| b.is_ascii_digit())
    };
    let day = |y: &str, m: &str, d: Option<&str>| -> Result<Option<Date>, PeriodError> {
        let year = year_in_range(y.parse().map_err(|_| bad_day(raw))?, raw)?;
        let month: u32 = m.parse().map_err(|_| bad_day(raw))?;
        if !(1..=12).contains(&month) {
            return Err(PeriodError::Range(format!(
                "month {month} in '{raw}' is outside 1..12"
            )));
        }
        let last = days_in_month(year, month);
        let day = match d {
            None => last,
            Some(d) => d.parse().map_err(|_| bad_day(raw))?,
        };
        if !(1..=last).contains(&day) {
            return Err(PeriodError::Range(format!(
                "day {day} in '{raw}' is not a day of {year}-{month:02} (1..{last})"
            )));
        }
        Ok(Some(Date { year, month, day }))
    };
    // 2023年三季度末, 2023年第一季度末, 2023年第1季末.
    for end in ["季度末", "季末", "季度底"] {
        if let Some((y, q)) = s.strip_suffix(end).and_then(|b| b.split_once('年')) {
            let q = q.strip_prefix('第').unwrap_or(q);
            if let (true, Some(q)) = (digits(y, 4..=4), chinese_numeral(q)) {
                if (1..=4).contains(&q) {
                    return day(y, &(q * 3).to_string(), None);
                }
            }
        }
    }
    // 2023年底, 2023年末; 2023年6月底, 2023年6月末.
    for end in ["底", "末"] {
        if let Some(body) = s.strip_suffix(end) {
            if let Some(y) = body.strip_suffix('年').filter(|y| digits(y, 4..=4)) {
                return day(y, "12", None);
            }
            if let Some((y, m)) = body.strip_suffix('月').and_then(|b| b.split_once('年')) {
                if digits(y, 4..=4) && digits(m, 1..=2) {
                    return day(y, m, None);
                }
            }
        }
    }
    // 2023年12月31日.
    if let Some((y, rest)) = s.strip_suffix('日').and_then(|b| b.split_once('年')) {
        if let Some((m, d)) = rest.split_once('月') {
            if digits(y, 4..=4) && digits(m, 1..=2) && digits(d, 1..=2) {
                return day(y, m, Some(d));
            }
        }
    }
    // 2023-12-31, 2023/12/31, 2023.12.31.
    for sep in ['-', '/', '.'] {
        let parts: Vec<&str> = s.split(sep).collect();
        if let [y, m, d] = parts[..] {
            if digits(y, 4..=4) && digits(m, 1..=2) && digits(d, 1..=2) {
                return day(y, m, Some(d));
            }
        }
    }
    // 20231231.
    if digits(s, 8..=8) {
        return day(&s[..4], &s[4..6], Some(&s[6..]));
    }
    Ok(None)
}

/// A cell as typed or pasted, before its grammar: no spaces (any kind),
/// no zero-width characters (U+200B–U+200D, U+2060, U+FEFF, which a web page
/// leaves behind), full-width digits as ASCII (`２０２３年`).
pub fn printed(raw: &str) -> String {
    raw.chars()
        .filter(|c| {
            !c.is_whitespace() && !matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}')
        })
        .map(|c| match c {
            '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
            c => c,
        })
        .collect()
}

/// The role a band's own words name (`35岁及以下的干部`: cadre,
/// `31至35岁党员`: member), if any.
pub fn band_role(raw: &str) -> Option<&'static str> {
    let s = printed(raw);
    if s.contains("干部") {
        Some("cadre")
    } else if s.contains("党员") {
        Some("member")
    } else {
        None
    }
}

/// The band forms a refusal names the nearest of, as shapes (`N` a number).
const BAND_FORMS: [&str; 14] = [
    "N-N",
    "<N",
    "N+",
    "N岁以下",
    "N岁及以下",
    "N岁以上",
    "N岁及以上",
    "N至N岁",
    "N岁至N岁",
    "N岁及以上、N岁以下",
    "不满N岁",
    "超过N岁",
    "N岁以上（含N岁）",
    "合计",
];

/// The period forms, as shapes (`YYYY` a year, `N` another number).
const PERIOD_FORMS: [&str; 14] = [
    "YYYY",
    "YYYY-QN",
    "YYYY-N",
    "YYYY年",
    "YYYY年度",
    "YYYY年第N季度",
    "YYYY年N月",
    "YYYY年上半年",
    "YYYY年N-N月",
    "YYYY年底",
    "截至YYYY年底",
    "YYYY年N月N日",
    "截至YYYY年N月N日",
    "YYYY-N-N",
];

fn not_a_band(raw: &str) -> String {
    format!(
        "'{raw}' is not an age band (expected e.g. 30-44, <30, 45+, 30岁以下, 45岁及以上, 合计){}",
        nearest(raw, &BAND_FORMS)
    )
}

fn not_a_period(raw: &str) -> String {
    match vague(raw) {
        Some(why) => format!(
            "'{raw}' is not a period: {why} (govlens stores years, half-years, quarters and months: 2023, 2023年上半年, 2023年第二季度, 2023年6月, or a stock 截至2023年12月31日)"
        ),
        None => format!(
            "'{raw}' is not a period (expected 2023, 2023-Q2, 2023-06, 2023年, 2023年第二季度, 2023年6月, 2023年上半年 or 2023年1-6月){}",
            nearest(raw, &PERIOD_FORMS)
        ),
    }
}

/// Why a period as press releases word it names no period: "now", "since
/// the pilot began", "the past five years", a year the copy lost.
fn vague(raw: &str) -> Option<String> {
    let s = printed(raw);
    if ["目前", "现在", "当前", "至今"]
        .iter()
        .any(|w| s.contains(w))
    {
        return Some("目前 (now) names no day; a figure 'as of now' is as at the day its page says, and where that is known it can be written as that day (截至2021年1月14日)".into());
    }
    if s.contains("以来") {
        return Some("…以来 (since …) counts from a start the cell does not date".into());
    }
    let span = ["过去", "近", "最近"].iter().find_map(|w| {
        let rest = s.split(w).nth(1)?;
        let n: String = rest
            .chars()
            .take_while(|c| c.is_ascii_digit() || "一二三四五六七八九十".contains(*c))
            .collect();
        (!n.is_empty() && rest[n.len()..].starts_with('年')).then_some(n)
    });
    if let Some(n) = span {
        return Some(format!(
            "the past {n} years is a span of several years, not one period"
        ));
    }
    if s.starts_with("全年") || s.starts_with("年度") {
        return Some("全年 (the whole year) without the year".into());
    }
    None
}

/// "; the nearest form govlens knows is 'N岁及以下' (35岁及以下)": the form
/// whose shape is fewest edits from `raw`'s (numbers as `N`, four digits as
/// `YYYY`), filled with `raw`'s own numbers; nothing when no form is near.
fn nearest(raw: &str, forms: &[&str]) -> String {
    let mut numbers = Vec::new();
    let mut shape = String::new();
    let mut digits = String::new();
    let squeezed: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
    for c in squeezed.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        if !digits.is_empty() {
            shape.push_str(if digits.len() == 4 { "YYYY" } else { "N" });
            numbers.push(std::mem::take(&mut digits));
        }
        if c != ' ' {
            shape.push(c);
        }
    }
    let distance = |a: &str, b: &str| -> usize {
        let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
        let mut row: Vec<usize> = (0..=b.len()).collect();
        for i in 1..=a.len() {
            let mut prev = row[0];
            row[0] = i;
            for j in 1..=b.len() {
                let cur = row[j];
                row[j] = (prev + usize::from(a[i - 1] != b[j - 1]))
                    .min(row[j] + 1)
                    .min(row[j - 1] + 1);
                prev = cur;
            }
        }
        row[b.len()]
    };
    let distances: Vec<(&str, usize)> = forms.iter().map(|f| (*f, distance(&shape, f))).collect();
    let Some(d) = distances.iter().map(|(_, d)| *d).min() else {
        return String::new();
    };
    // Near only when a few characters differ: a short or far cell (`90后`,
    // `2023年初`) gets no suggestion rather than a misleading one.
    let len = shape.chars().count();
    if d == 0 || len < 4 || d > len / 4 {
        return String::new();
    }
    // Each form at that distance (two at most: a tie is said, not chosen),
    // with raw's numbers in their order.
    let filled = |form: &str| -> String {
        let mut example = String::new();
        let mut numbers = numbers.iter();
        let mut rest = form;
        while !rest.is_empty() {
            if let Some(r) = rest.strip_prefix("YYYY") {
                example.push_str(numbers.next().map_or("2023", String::as_str));
                rest = r;
            } else if let Some(r) = rest.strip_prefix('N') {
                example.push_str(numbers.next().map_or("1", String::as_str));
                rest = r;
            } else {
                let c = rest.chars().next().expect("not empty");
                example.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
        format!("'{form}' ({example})")
    };
    let near: Vec<String> = distances
        .iter()
        .filter(|(_, fd)| *fd == d)
        .take(2)
        .map(|(f, _)| filled(f))
        .collect();
    match near.as_slice() {
        [one] => format!("; the nearest form govlens knows is {one}"),
        _ => format!(
            "; the nearest forms govlens knows are {}",
            near.join(" and ")
        ),
    }
}

fn bad_day(raw: &str) -> PeriodError {
    PeriodError::Parse(format!(
        "'{raw}' is not a day (expected 2023-12-31, 2023年12月31日 or 2023年底)"
    ))
}

#[derive(Debug, Clone, PartialEq)]
pub enum PeriodError {
    Parse(String),
    Range(String),
}

/// Parses `2023`, `2023-Q2`, `2023Q2`, `2023-06`, `2023-6`, `2023/6`, `2023年`,
/// `2023年度`, `2023全年`, `2023年第二季度`, `2023年二季度`, `2023年第1季度`,
/// `2023年Q1`, `2023年6月`, `2023年06月`, `2023-H1`, `2023年上半年`,
/// `2023年下半年`, and month ranges that are one of those periods:
/// `2023年1-3月` (Q1), `2023年1—6月`, `2023年1至6月` (H1), `2023年1-12月` (the
/// year). A day a stock is as at needs the run's period kind:
/// [`parse_period_at`].
pub fn parse_period(raw: &str) -> Result<Period, PeriodError> {
    // `2023年6月份`, `2023年元月`, `2023年年度`.
    let squeezed = printed(raw)
        .replace("年年", "年")
        .replace("元月", "1月")
        .replace("月份", "月");
    let s = squeezed.as_str();
    let bad = || PeriodError::Parse(not_a_period(raw));
    let (year_txt, rest) = match s.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => (&s[..i], &s[i..]),
        None => (s, ""),
    };
    if year_txt.len() != 4 {
        return Err(bad());
    }
    let year: i32 = year_txt.parse().map_err(|_| bad())?;
    let rest = rest.strip_prefix('年').unwrap_or(rest);
    if matches!(rest, "" | "度" | "全年" | "全年度") {
        return Ok(Period {
            year: year_in_range(year, raw)?,
            kind: PeriodKind::Year,
            sub: 0,
        });
    }
    // Half-years.
    let half = match rest {
        "上半年" | "上半年度" | "-H1" | "H1" => Some(1),
        "下半年" | "下半年度" | "-H2" | "H2" => Some(2),
        _ => None,
    };
    if let Some(h) = half {
        return Ok(Period {
            year: year_in_range(year, raw)?,
            kind: PeriodKind::Half,
            sub: h,
        });
    }
    if let Some(range) = rest.strip_suffix('月') {
        if let Some(p) = month_range(year, range, raw)? {
            return Ok(p);
        }
    }
    // Quarter forms.
    let q = rest
        .strip_prefix("-Q")
        .or_else(|| rest.strip_prefix("Q"))
        .or_else(|| rest.strip_prefix("-q"))
        .or_else(|| rest.strip_prefix("q"));
    if let Some(q) = q {
        let n: u32 = q.parse().map_err(|_| bad())?;
        return quarter(year, n, raw);
    }
    if let Some(q) = rest.strip_suffix("季度") {
        let q = q.strip_prefix('第').unwrap_or(q);
        let n = chinese_numeral(q).ok_or_else(bad)?;
        return quarter(year, n, raw);
    }
    // Month forms.
    let m = rest
        .strip_prefix('-')
        .or_else(|| rest.strip_prefix('/'))
        .or_else(|| rest.strip_prefix('.'))
        .or_else(|| rest.strip_suffix('月'))
        .ok_or_else(bad)?;
    if m.is_empty() || m.len() > 2 || !m.chars().all(|c| c.is_ascii_digit()) {
        return Err(bad());
    }
    let n: u32 = m.parse().map_err(|_| bad())?;
    if !(1..=12).contains(&n) {
        return Err(PeriodError::Range(format!(
            "month {n} in '{raw}' is outside 1..12"
        )));
    }
    Ok(Period {
        year: year_in_range(year, raw)?,
        kind: PeriodKind::Month,
        sub: n,
    })
}

/// A flow over months `a`–`b` of `year` (`1-6`, `1—6`, `1至6`, `1~6`): the
/// year, half, quarter or month it covers, `None` when `range` is not a
/// range; an error naming the months when they are none of those (a
/// year-to-date figure over them is a 累计 series, differenced by ingest).
fn month_range(year: i32, range: &str, raw: &str) -> Result<Option<Period>, PeriodError> {
    let Some((a, b)) = ['-', '—', '–', '－', '~', '～', '至', '到']
        .iter()
        .find_map(|sep| range.split_once(*sep))
    else {
        return Ok(None);
    };
    // `1月-6月`, `1月至6月`.
    let a = a.strip_suffix('月').unwrap_or(a);
    let (Ok(a), Ok(b)) = (a.parse::<u32>(), b.parse::<u32>()) else {
        return Ok(None);
    };
    if !(1..=12).contains(&a) || !(1..=12).contains(&b) || b < a {
        return Err(PeriodError::Range(format!(
            "months {a}–{b} in '{raw}' are not a range within 1..12"
        )));
    }
    let year = year_in_range(year, raw)?;
    match months_period(year, a, b) {
        Some(p) => Ok(Some(p)),
        None => Err(PeriodError::Parse(format!(
            "'{raw}' covers months {a}–{b}, which are not a year, half-year, quarter or month: the row is not stored; give the figure of each month, quarter or the year, or the figures through each month as a year-to-date series ({year}年1-{b}月累计)"
        ))),
    }
}

/// The period months `a`–`b` of `year` make: the year (1–12), a half
/// (1–6, 7–12), a quarter (1–3 … 10–12) or a month (`a` = `b`); `None`
/// for any other run of months.
pub fn months_period(year: i32, a: u32, b: u32) -> Option<Period> {
    let (kind, sub) = match (a, b) {
        (1, 12) => (PeriodKind::Year, 0),
        (1, 6) | (7, 12) => (PeriodKind::Half, a / 6 + 1),
        (a, b) if b == a + 2 && a % 3 == 1 && b <= 12 => (PeriodKind::Quarter, a / 3 + 1),
        (a, b) if a == b && (1..=12).contains(&a) => (PeriodKind::Month, a),
        _ => return None,
    };
    Some(Period { year, kind, sub })
}

/// Whether a period cell says it is a year-to-date figure (`1-6月累计`).
pub fn says_cumulative(raw: &str) -> bool {
    raw.contains("累计")
}

/// A year-to-date (累计) figure's period: its year and the last month it
/// runs through. `2023年1-6月累计`, `2023年1—6月累计数`, `2023年1-6月（累计）`,
/// `2023年累计至6月`, `2023年6月累计`, `截至2023年6月底累计`, `2023年上半年累计`
/// (June), `2023年累计` (December); in a source that says `cumulative = true`
/// the same periods without the word: `2023年1-6月`, `2023-06`, `2023-Q2`,
/// `2023-H1`, `截至2023年6月30日`, `2023`. A figure runs from January and
/// through the end of a month: `2023年4-6月累计` and `截至2023年6月15日`
/// are refused.
pub fn parse_ytd(raw: &str) -> Result<(i32, u32), PeriodError> {
    let s = printed(raw)
        .replace("（累计）", "")
        .replace("(累计)", "")
        .replace("累计数", "累计");
    // `2023年累计至6月` is `2023年1-6月`.
    let s = match ["累计至", "累计到"].iter().find_map(|w| s.split_once(w)) {
        Some((head, tail)) => format!("{head}1-{tail}"),
        None => s.replace("累计", ""),
    };
    // A run of months from January (`1-6月`, `1月至6月`).
    let (year_txt, rest) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    if year_txt.len() == 4 {
        let rest = rest.strip_prefix('年').unwrap_or(rest);
        let range = rest.strip_suffix('月').and_then(|r| {
            ['-', '—', '–', '－', '~', '～', '至', '到']
                .iter()
                .find_map(|sep| r.split_once(*sep))
        });
        if let Some((a, b)) = range {
            let a = a.strip_suffix('月').unwrap_or(a);
            if let (Ok(a), Ok(b)) = (a.parse::<u32>(), b.parse::<u32>()) {
                let year = year_in_range(year_txt.parse().unwrap_or(0), raw)?;
                if a != 1 || !(1..=12).contains(&b) {
                    return Err(PeriodError::Parse(format!(
                        "'{raw}' runs over months {a}–{b}: a year-to-date (累计) figure runs from January through a month ({year}年1-{b}月累计)"
                    )));
                }
                return Ok((year, b));
            }
        }
    }
    let cell = parse_period_at(&s, PeriodKind::Month).map_err(|e| match e {
        PeriodError::Parse(_) => PeriodError::Parse(format!(
            "'{raw}' is not the period of a year-to-date (累计) figure (expected 2023年1-6月累计, 2023年累计至6月, 2023年6月累计 or 截至2023年6月底累计)"
        )),
        e => e,
    })?;
    if let Some(d) = cell.as_at {
        if d.day != days_in_month(d.year, d.month) {
            return Err(PeriodError::Parse(format!(
                "'{raw}': a year-to-date (累计) figure runs through the end of a month, and {} is not one",
                d.text()
            )));
        }
        return Ok((d.year, d.month));
    }
    let p = cell.period;
    let through = match p.kind {
        PeriodKind::Year => 12,
        PeriodKind::Half => 6 * p.sub,
        PeriodKind::Quarter => 3 * p.sub,
        PeriodKind::Month => p.sub,
    };
    Ok((p.year, through))
}

fn quarter(year: i32, n: u32, raw: &str) -> Result<Period, PeriodError> {
    if !(1..=4).contains(&n) {
        return Err(PeriodError::Range(format!(
            "quarter {n} in '{raw}' is outside 1..4"
        )));
    }
    Ok(Period {
        year: year_in_range(year, raw)?,
        kind: PeriodKind::Quarter,
        sub: n,
    })
}

/// An age band: whole years, bounds inclusive, `hi = None` for an open band.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Band {
    Range {
        lo: u32,
        hi: Option<u32>,
    },
    /// A published total (`total`, `合计`, `总计`): checked, never summed.
    Total,
}

impl Band {
    /// Canonical text: `30-44`, `0-29`, `45+`, `total`.
    pub fn canonical(&self) -> String {
        match self {
            Band::Range { lo, hi: Some(hi) } => format!("{lo}-{hi}"),
            Band::Range { lo, hi: None } => format!("{lo}+"),
            Band::Total => "total".to_string(),
        }
    }

    pub fn overlaps(&self, other: &Band) -> bool {
        match (self, other) {
            (Band::Range { lo: a, hi: ah }, Band::Range { lo: b, hi: bh }) => {
                let a_end = ah.unwrap_or(u32::MAX);
                let b_end = bh.unwrap_or(u32::MAX);
                *a <= b_end && *b <= a_end
            }
            _ => false,
        }
    }

    pub fn contains(&self, age: u32) -> bool {
        match self {
            Band::Range { lo, hi } => age >= *lo && hi.is_none_or(|h| age <= h),
            Band::Total => false,
        }
    }
}

fn num(s: &str) -> Option<u32> {
    let s = s.trim();
    if s.is_empty() || !s.chars().all(|c| c.is_ascii_digit()) || s.len() > 3 {
        return None;
    }
    s.parse().ok()
}

/// Parses the band grammar of contract §1, e.g. `30-44`, `30~44`, `30至44岁`,
/// `<30`, `30岁以下`, `<=30`, `30岁及以下`, `45+`, `>=45`, `45岁及以上`,
/// `>45`, `45岁以上`, `30岁及以上、45岁以下`, and `total`/`合计`/`总计` — and
/// as bulletins print them: the population after the band (`35岁及以下的党员`,
/// `36岁至45岁的党员`, `31至35岁党员`, `干部`, `人员`, `人`, `名`), spaces
/// anywhere, `周岁`, `不满30岁` (= 30岁以下), `超过60岁` (= 60岁以上), and a
/// bracket that says whether the bound is in: `60岁以上（含60岁）` = 60+,
/// `35岁以下（含35岁）` = 0-35. `以下`/`以上` alone leave the bound out,
/// `及以下`/`及以上` take it in.
pub fn parse_band(raw: &str) -> Result<Band, String> {
    match plain_band(raw) {
        Some(b) => Ok(b),
        None => parse_band_full(raw),
    }
}

fn parse_band_full(raw: &str) -> Result<Band, String> {
    let s: String = printed(raw)
        .chars()
        .map(|c| match c {
            '－' | '—' | '–' | '～' | '〜' => '-',
            '＜' => '<',
            '＞' => '>',
            '＝' => '=',
            '＋' => '+',
            c => c,
        })
        .collect();
    let bad = || not_a_band(raw);
    if matches!(
        s.to_lowercase().as_str(),
        "total" | "合计" | "总计" | "小计"
    ) {
        return Ok(Band::Total);
    }
    let s = s.replace("周岁", "岁");
    let s = s.strip_prefix("年龄在").unwrap_or(&s).to_string();
    // A bare (含) or (不含), after the band or inside it (`35岁（含）以下`):
    // the band's own bound is in, or out.
    let (s, bare) = match ["（含）", "(含)", "（不含）", "(不含)"]
        .iter()
        .find(|b| s.contains(**b))
    {
        Some(b) => (s.replace(b, ""), Some(!b.contains('不'))),
        None => (s, None),
    };
    let s = match bare {
        Some(true) => s
            .replace("及以下", "以下")
            .replace("以下", "及以下")
            .replace("及以上", "以上")
            .replace("以上", "及以上"),
        Some(false) => s.replace("及以下", "以下").replace("及以上", "以上"),
        None => s,
    };
    // `60岁及60岁以上` = 60岁及以上.
    let s = match s.split_once("岁及") {
        Some((n, rest)) if rest.starts_with(&format!("{n}岁以")) => {
            format!("{n}岁及{}", &rest[n.len() + "岁".len()..])
        }
        _ => s,
    };
    // The population after the band, before or after its bracket.
    let population = |mut s: String| -> String {
        const WORDS: [&str; 10] = [
            "的社区干部",
            "社区干部",
            "的党员",
            "党员",
            "的干部",
            "干部",
            "青年",
            "人员",
            "人",
            "名",
        ];
        while let Some(rest) = WORDS.iter().find_map(|p| s.strip_suffix(p)) {
            s = rest.to_string();
        }
        s
    };
    let s = population(s);
    // A bracket saying whether a bound is in: （含60岁）, (不含35岁).
    let (s, bracket) = match s.find(['（', '(']) {
        Some(i) if s.ends_with(['）', ')']) => {
            let inner = s[i..]
                .trim_start_matches(['（', '('])
                .trim_end_matches(['）', ')']);
            let included = if let Some(n) = inner.strip_prefix("不含") {
                Some((num(n.trim_end_matches('岁')).ok_or_else(bad)?, false))
            } else if let Some(n) = inner.strip_prefix('含') {
                Some((num(n.trim_end_matches('岁')).ok_or_else(bad)?, true))
            } else {
                return Err(bad());
            };
            (s[..i].to_string(), included)
        }
        _ => (s, None),
    };
    let s = population(s);
    let band = band_words(&s, raw)?;
    match (bracket, band) {
        (None, b) => Ok(b),
        // 60岁以上（含60岁）: the bound 以上 left out is taken in.
        (Some((n, true)), Band::Range { lo, hi: None }) if lo == n + 1 => {
            Ok(Band::Range { lo: n, hi: None })
        }
        (Some((n, true)), Band::Range { lo: 0, hi: Some(h) }) if h + 1 == n => {
            Ok(Band::Range { lo: 0, hi: Some(n) })
        }
        // A bracket that agrees with the band says nothing new.
        (Some((n, true)), b) if b.contains(n) => Ok(b),
        (Some((n, false)), b) if !b.contains(n) => Ok(b),
        (Some((n, inc)), _) => Err(format!(
            "'{raw}': the bracket ({}{n}岁) contradicts the band before it",
            if inc { "含" } else { "不含" }
        )),
    }
}

/// The band words once brackets and the population are off.
fn band_words(s: &str, raw: &str) -> Result<Band, String> {
    let bad = || not_a_band(raw);
    // 不满30岁 / 未满30岁 / 不足30岁 / 小于30岁 = under 30; 超过60岁 / 大于60岁 = over 60.
    if let Some(n) = ["不满", "未满", "不足", "小于"]
        .iter()
        .find_map(|p| s.strip_prefix(p))
    {
        let n = num(n.trim_end_matches('岁')).ok_or_else(bad)?;
        let hi = n.checked_sub(1).ok_or_else(bad)?;
        return Ok(Band::Range {
            lo: 0,
            hi: Some(hi),
        });
    }
    if let Some(n) = s.strip_prefix("超过").or_else(|| s.strip_prefix("大于")) {
        let n = num(n.trim_end_matches('岁')).ok_or_else(bad)?;
        return Ok(Band::Range {
            lo: n + 1,
            hi: None,
        });
    }
    let s = s.to_string();
    // Compound form: `30岁及以上、45岁以下` = [30, 44].
    for sep in ['、', ',', '，', ';'] {
        if let Some((a, b)) = s.split_once(sep) {
            let (Band::Range { lo: lo_a, hi: hi_a }, Band::Range { lo: lo_b, hi: hi_b }) =
                (parse_band_full(a)?, parse_band_full(b)?)
            else {
                return Err(bad());
            };
            let lo = lo_a.max(lo_b);
            let hi = match (hi_a, hi_b) {
                (Some(x), Some(y)) => Some(x.min(y)),
                (x, None) => x,
                (None, y) => y,
            };
            if hi.is_some_and(|h| h < lo) {
                return Err(format!("'{raw}' is an empty age band"));
            }
            return Ok(Band::Range { lo, hi });
        }
    }
    let range = |lo: u32, hi: Option<u32>| -> Result<Band, String> {
        if hi.is_some_and(|h| h < lo) {
            Err(format!("'{raw}' has its upper bound below its lower bound"))
        } else {
            Ok(Band::Range { lo, hi })
        }
    };
    // Symbol prefixes.
    if let Some(r) = s.strip_prefix("<=").or_else(|| s.strip_prefix('≤')) {
        return range(0, Some(num(r.trim_end_matches('岁')).ok_or_else(bad)?));
    }
    if let Some(r) = s.strip_prefix(">=").or_else(|| s.strip_prefix('≥')) {
        return range(num(r.trim_end_matches('岁')).ok_or_else(bad)?, None);
    }
    if let Some(r) = s.strip_prefix('<') {
        let n = num(r.trim_end_matches('岁')).ok_or_else(bad)?;
        if n == 0 {
            return Err(bad());
        }
        return range(0, Some(n - 1));
    }
    if let Some(r) = s.strip_prefix('>') {
        return range(num(r.trim_end_matches('岁')).ok_or_else(bad)? + 1, None);
    }
    if let Some(r) = s.strip_suffix('+') {
        return range(num(r.trim_end_matches('岁')).ok_or_else(bad)?, None);
    }
    // Chinese suffix forms, longest first.
    type Bounds = fn(u32) -> Option<(u32, Option<u32>)>;
    let suffixes: [(&str, Bounds); 8] = [
        ("岁及以下", |n| Some((0, Some(n)))),
        ("岁及以上", |n| Some((n, None))),
        ("岁以下", |n| n.checked_sub(1).map(|h| (0, Some(h)))),
        ("岁以上", |n| Some((n + 1, None))),
        ("及以下", |n| Some((0, Some(n)))),
        ("及以上", |n| Some((n, None))),
        ("以下", |n| n.checked_sub(1).map(|h| (0, Some(h)))),
        ("以上", |n| Some((n + 1, None))),
    ];
    for (suffix, f) in suffixes {
        if let Some(r) = s.strip_suffix(suffix) {
            let n = num(r).ok_or_else(bad)?;
            let (lo, hi) = f(n).ok_or_else(bad)?;
            return range(lo, hi);
        }
    }
    // Closed ranges: `30-44`, `30~44`, `30至44岁`, `30-44岁`, `30岁-44岁`.
    let body = s.trim_end_matches('岁');
    for sep in ["-", "~", "至", "到"] {
        if let Some((a, b)) = body.split_once(sep) {
            let lo = num(a.trim_end_matches('岁')).ok_or_else(bad)?;
            let hi = num(b).ok_or_else(bad)?;
            return range(lo, Some(hi));
        }
    }
    Err(bad())
}

/// Model words of contract §1 (Chinese, with or without 型, or English).
pub fn parse_model(raw: &str) -> Result<Model, String> {
    let s = raw.trim();
    let lower = s.to_lowercase();
    let m = match lower.as_str() {
        "下沉" | "下沉型" | "sinking" => Model::Sinking,
        "协同" | "协同型" | "collaborative" => Model::Collaborative,
        "嵌入" | "嵌入型" | "embedded" => Model::Embedded,
        "融合" | "融合型" | "integrated" => Model::Integrated,
        "无" | "none" | "空" => Model::None,
        _ => {
            return Err(format!(
                "'{raw}' is not a governance model (expected 下沉型, 协同型, 嵌入型, 融合型, 无, or sinking, collaborative, embedded, integrated, none)"
            ))
        }
    };
    Ok(m)
}

/// Level words: English names and the Chinese terms of contract §1.
pub fn parse_level(raw: &str) -> Result<Level, String> {
    let s = raw.trim();
    if let Some(l) = Level::from_name(&s.to_lowercase()) {
        return Ok(l);
    }
    let l = match s {
        "国家" | "全国" => Level::Country,
        "省" | "省级" | "省份" | "自治区" | "直辖市" => Level::Province,
        "市" | "地级市" | "市级" | "地区" | "自治州" | "盟" => Level::City,
        "县/区" | "县" | "区" | "县级" | "县级市" | "区县" | "旗" => Level::County,
        "街道/乡镇" | "街道" | "乡镇" | "乡" | "镇" | "街道办" => Level::Street,
        "社区/村" | "社区" | "村" | "居委会" | "村委会" | "社区居委会" => {
            Level::Community
        }
        _ => {
            return Err(format!(
                "'{raw}' is not a level (expected country, province, city, county, street, community or 国家, 省, 市, 县/区, 街道/乡镇, 社区/村)"
            ))
        }
    };
    Ok(l)
}

/// The level a well-formed code implies (GB/T 2260 and the NBS statistical code).
pub fn level_of_code(code: &str) -> Level {
    match code.len() {
        12 => Level::Community,
        9 => Level::Street,
        _ if code == "100000" => Level::Country,
        _ if code.ends_with("0000") => Level::Province,
        _ if code.ends_with("00") => Level::City,
        _ => Level::County,
    }
}

/// Checks the shape of a region code: 6, 9 or 12 ASCII digits.
pub fn check_code(raw: &str) -> Result<String, String> {
    let s = raw.trim();
    let s = s.strip_suffix(".0").unwrap_or(s); // a code typed as a number in Excel
    if matches!(s.len(), 6 | 9 | 12) && s.chars().all(|c| c.is_ascii_digit()) {
        Ok(s.to_string())
    } else {
        Err(format!(
            "'{raw}' is not a region code (expected 6, 9 or 12 digits)"
        ))
    }
}

/// Role words: blank = member; 党员 = member; 干部/社区干部/党组织干部 = cadre.
pub fn parse_role(raw: &str) -> Result<&'static str, String> {
    // The canonical words as written: no lower-casing copy per row.
    match raw {
        "member" | "党员" => return Ok("member"),
        "cadre" | "干部" => return Ok("cadre"),
        _ => {}
    }
    match raw.trim().to_lowercase().as_str() {
        "member" | "members" | "党员" => Ok("member"),
        "cadre" | "cadres" | "干部" | "社区干部" | "党组织干部" => Ok("cadre"),
        _ => Err(format!(
            "'{raw}' is not a role (expected member/党员 or cadre/干部/社区干部/党组织干部)"
        )),
    }
}

/// Centre names: the canonical English id, the full Chinese name, or the
/// Chinese name without 中心. Anything else is `other` (contract: "one of the
/// seven, or other"); see docs/contract.md for why that is not an error.
pub fn parse_center_type(raw: &str) -> &'static str {
    let s = raw.trim();
    let lower = s.to_lowercase();
    for (id, zh) in CENTER_TYPES {
        let short = zh.trim_end_matches("中心");
        if lower == id || s == zh || s == short {
            return id;
        }
    }
    match s {
        "老年日间照料中心" | "日间照料中心" | "养老服务中心" => "elderly_care",
        "社区卫生服务中心" | "卫生服务站" | "社区卫生服务站" => "health",
        "综治中心" => "governance",
        "文体中心" | "文化活动中心" => "culture_sports",
        "志愿者服务中心" => "volunteer",
        "儿童之家" => "children",
        _ => "other",
    }
}

/// A number as clerks write it: thousands separators, a trailing `%` (for
/// shares), full-width digits are not expected. Returns `Err` for text.
/// `30-44`, `<30`, `60+`, `total` as most files write them, parsed without
/// the normalising copy of [`parse_band`] (tens of millions of rows at
/// national scale). Anything else returns `None` and takes the full path.
fn plain_band(s: &str) -> Option<Band> {
    let n = |t: &str| -> Option<u32> {
        (!t.is_empty() && t.len() <= 3 && t.bytes().all(|b| b.is_ascii_digit()))
            .then(|| t.parse().ok())
            .flatten()
    };
    if s == "total" {
        return Some(Band::Total);
    }
    if let Some(r) = s.strip_prefix('<') {
        let hi = n(r)?.checked_sub(1)?;
        return Some(Band::Range {
            lo: 0,
            hi: Some(hi),
        });
    }
    if let Some(r) = s.strip_suffix('+') {
        return Some(Band::Range {
            lo: n(r)?,
            hi: None,
        });
    }
    let (a, b) = s.split_once('-')?;
    let (lo, hi) = (n(a)?, n(b)?);
    (hi >= lo).then_some(Band::Range { lo, hi: Some(hi) })
}

/// Full-width digits and signs (`１２３`, `１，２３４．５`, typed with a Chinese
/// input method) as their ASCII forms; `None` when there are none.
fn half_width(s: &str) -> Option<String> {
    if s.is_ascii() {
        return None;
    }
    let out: String = s
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
            '．' => '.',
            '，' => ',',
            '－' => '-',
            '＋' => '+',
            '％' => '%',
            '\u{3000}' => ' ',
            c => c,
        })
        .collect();
    // Only when something changed: `12件` stays as it is (and fails).
    (out != s).then_some(out)
}

pub fn parse_number(raw: &str) -> Result<f64, String> {
    if let Some(ascii) = half_width(raw) {
        return parse_number(&ascii).map_err(|_| format!("'{raw}' is not a number"));
    }
    let s = raw.trim();
    if !s.contains(',') {
        // No thousands separators: parse in place, no copy.
        return match s.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(v),
            _ => Err(format!("'{raw}' is not a number")),
        };
    }
    let cleaned: String = if s.contains(',') && thousands_ok(s) {
        s.replace(',', "")
    } else {
        s.to_string()
    };
    match cleaned.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(format!("'{raw}' is not a number")),
    }
}

fn thousands_ok(s: &str) -> bool {
    let int = s.trim_start_matches('-').split('.').next().unwrap_or("");
    let groups: Vec<&str> = int.split(',').collect();
    groups.len() > 1
        && (1..=3).contains(&groups[0].len())
        && groups[1..].iter().all(|g| g.len() == 3)
        && groups.iter().all(|g| g.chars().all(|c| c.is_ascii_digit()))
}

/// A number as millionths, exactly (W_TOTAL's sums, contract B.18): a
/// whole number from its digits (`9223372036854775807` is not rounded to
/// 2^63 as a float would), a fraction from its float rounded to 6 places.
/// Sums of these are exact and the same in any order, on either path.
pub fn parse_micros(raw: &str) -> Result<i128, String> {
    let v = parse_number(raw)?;
    if v.fract() != 0.0 {
        return Ok((v * 1e6).round() as i128);
    }
    if v.abs() < 9.0e15 {
        return Ok(v as i128 * 1_000_000);
    }
    let s = raw.trim();
    let s = half_width(s).unwrap_or_else(|| s.to_string());
    let digits: String = s.chars().filter(|c| *c != ',').collect();
    let whole = digits.split('.').next().unwrap_or("");
    Ok(whole
        .parse::<i128>()
        .ok()
        .and_then(|i| i.checked_mul(1_000_000))
        // `1e20`: the float is a whole number, exact as it stands.
        .unwrap_or((v as i128).saturating_mul(1_000_000)))
}

/// Millionths as a message prints them, exactly: `184467440737095516140`,
/// `57.9`.
pub fn micros_text(m: i128) -> String {
    let sign = if m < 0 { "-" } else { "" };
    let (whole, frac) = (m.unsigned_abs() / 1_000_000, m.unsigned_abs() % 1_000_000);
    if frac == 0 {
        format!("{sign}{whole}")
    } else {
        let f = format!("{frac:06}");
        format!("{sign}{whole}.{}", f.trim_end_matches('0'))
    }
}

/// Millionths back to a number for a finding: deterministic, as exact as a
/// float can be.
pub fn micros_f64(m: i128) -> f64 {
    m as f64 / 1e6
}

/// An integer count: `12`, `12.0`, `1,234`. `12.5` is not an integer.
pub fn parse_integer(raw: &str) -> Result<i64, String> {
    let v = parse_number(raw)?;
    if v.fract() != 0.0 {
        return Err(format!("'{raw}' is not a whole number"));
    }
    // Counts are exact in a float up to 2^53; a larger one is refused, not rounded.
    if v.abs() > 9.0e15 {
        return Err(format!(
            "'{raw}' is too large for a count (the largest is 9,000,000,000,000,000)"
        ));
    }
    Ok(v as i64)
}

/// A percentage: `12.5` or `12.5%`.
pub fn parse_percent(raw: &str) -> Result<f64, String> {
    let s = raw.trim();
    let s = s
        .strip_suffix('%')
        .or_else(|| s.strip_suffix('％'))
        .unwrap_or(s);
    parse_number(s).map_err(|_| format!("'{raw}' is not a percentage"))
}

/// Units of count and of money a prefix (万, 亿 …) may scale.
const COUNTED: [&str; 15] = [
    "人", "名", "人次", "次", "件", "起", "宗", "个", "所", "处", "户", "家", "项", "场", "元",
];

/// A unit as printed beside a figure or in a header's brackets: the unit
/// govlens stores and the multiplier to it. `万人` is (人, 10,000), `亿元`
/// (元, 100,000,000), `千件` (件, 1,000); `名` is stored as 人 (persons
/// either way); `%`, `％`, `百分比` are `%`. A prefix (亿, 千万, 百万, 十万,
/// 万, 千, 百) scales only a unit of count or money; another unit
/// (`平方米`, `小时`) is kept as printed, multiplier 1. `None` when blank.
pub fn parse_unit(raw: &str) -> Option<Unit> {
    let mut s = printed(raw);
    for (open, close) in [('（', '）'), ('(', ')')] {
        if let Some(inner) = s.strip_prefix(open).and_then(|t| t.strip_suffix(close)) {
            s = inner.to_string();
        }
    }
    if s.is_empty() {
        return None;
    }
    if matches!(s.as_str(), "%" | "％" | "百分比") {
        return Some(("%".into(), 1.0));
    }
    let base = |u: &str| {
        if u == "名" {
            "人".to_string()
        } else {
            u.to_string()
        }
    };
    if COUNTED.contains(&s.as_str()) {
        return Some((base(&s), 1.0));
    }
    for (prefix, m) in PREFIXES {
        if let Some(u) = s.strip_prefix(prefix).filter(|u| COUNTED.contains(u)) {
            return Some((base(u), m));
        }
    }
    Some((s, 1.0))
}

/// Prefixes of a unit of count or money, longest first where they overlap.
const PREFIXES: [(&str, f64); 7] = [
    ("亿", 1e8),
    ("千万", 1e7),
    ("百万", 1e6),
    ("十万", 1e5),
    ("万", 1e4),
    ("千", 1e3),
    ("百", 1e2),
];

/// A unit as printed with its multiplier's prefix: (人, 10,000) is 万人.
pub fn unit_text((unit, m): &Unit) -> String {
    let prefix = PREFIXES.iter().find(|(_, x)| x == m).map_or("", |(p, _)| p);
    format!("{prefix}{unit}")
}

/// A unit as govlens stores it, and the multiplier from the printed one.
pub type Unit = (String, f64);

/// [`parse_unit`] of a unit govlens knows (a count, money, `%`), or a bare
/// prefix (`万`: no unit, 10,000); `None` for another text: a header's
/// brackets are a unit only when they name one.
pub fn known_unit(raw: &str) -> Option<Unit> {
    let s = printed(raw);
    // A bare prefix (`(万)`): a multiplier without a unit.
    if let Some((_, m)) = PREFIXES.iter().find(|(p, _)| *p == s) {
        return Some((String::new(), *m));
    }
    let (unit, m) = parse_unit(raw)?;
    (unit == "%" || COUNTED.contains(&unit.as_str())).then_some((unit, m))
}

/// What a row of a published indicator table is (contract B.20): a figure
/// of its own, a part of one (其中), or a rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IndicatorLevel {
    Total,
    Part,
    Rate,
}

impl IndicatorLevel {
    pub fn name(self) -> &'static str {
        match self {
            IndicatorLevel::Total => "total",
            IndicatorLevel::Part => "part",
            IndicatorLevel::Rate => "rate",
        }
    }
}

/// `总数`/`合计`/`总计`/`total` a figure of its own; `其中`/`part` a part
/// of one; `比率`/`比例`/`率`/`rate` a rate.
pub fn parse_indicator_level(raw: &str) -> Result<IndicatorLevel, String> {
    let s = printed(raw).to_lowercase();
    match s.trim_end_matches(['：', ':']) {
        "总数" | "合计" | "总计" | "总量" | "总" | "total" => Ok(IndicatorLevel::Total),
        "其中" | "#" | "＃" | "part" => Ok(IndicatorLevel::Part),
        "比率" | "比例" | "率" | "百分比" | "rate" => Ok(IndicatorLevel::Rate),
        _ => Err(format!(
            "'{raw}' is not a level of an indicator (总数 a figure of its own, 其中 a part of one, 比率 a rate)"
        )),
    }
}

#[cfg(test)]
mod unit_tests {
    use super::*;

    #[test]
    fn units_as_printed_scale_counts_and_money_and_keep_the_rest() {
        assert_eq!(parse_unit("万人"), Some(("人".into(), 1e4)));
        assert_eq!(parse_unit("（万个）"), Some(("个".into(), 1e4)));
        assert_eq!(parse_unit("亿元"), Some(("元".into(), 1e8)));
        assert_eq!(parse_unit("万元"), Some(("元".into(), 1e4)));
        assert_eq!(parse_unit("万件"), Some(("件".into(), 1e4)));
        assert_eq!(parse_unit("名"), Some(("人".into(), 1.0)));
        assert_eq!(parse_unit("次"), Some(("次".into(), 1.0)));
        assert_eq!(parse_unit("％"), Some(("%".into(), 1.0)));
        assert_eq!(parse_unit("万平方米"), Some(("万平方米".into(), 1.0)));
        assert_eq!(parse_unit(" "), None);
        assert_eq!(unit_text(&("人".into(), 1e4)), "万人");
        assert_eq!(unit_text(&("个".into(), 1.0)), "个");
    }

    #[test]
    fn indicator_levels_in_the_words_of_a_copier() {
        assert_eq!(
            parse_indicator_level("总数").unwrap(),
            IndicatorLevel::Total
        );
        assert_eq!(
            parse_indicator_level("其中：").unwrap(),
            IndicatorLevel::Part
        );
        assert_eq!(parse_indicator_level("比率").unwrap(), IndicatorLevel::Rate);
        assert!(parse_indicator_level("小计项")
            .unwrap_err()
            .contains("总数 a figure of its own"));
    }

    #[test]
    fn periods_press_releases_leave_vague_say_why() {
        for (raw, why) in [
            ("目前(2021-01-14发布)", "目前 (now) names no day"),
            ("截至目前(2019年,专项活动期间)", "目前 (now) names no day"),
            ("试点工作开展以来(2018-10-19会议通报)", "since"),
            ("过去5年(2011-08-29司法部通报)", "the past 5 years"),
            ("全年(年份未在存档摘录中出现)", "without the year"),
        ] {
            let PeriodError::Parse(m) = parse_period_at(raw, PeriodKind::Year).unwrap_err() else {
                panic!("{raw}: not a parse error");
            };
            assert!(m.contains(why), "{raw}: {m}");
            assert!(m.contains("govlens stores years"), "{raw}: {m}");
        }
    }
}

#[cfg(test)]
mod micros_tests {
    use super::*;

    #[test]
    fn whole_numbers_are_exact_from_their_digits_and_fractions_to_six_places() {
        assert_eq!(
            parse_micros("9223372036854775807").unwrap(),
            9_223_372_036_854_775_807i128 * 1_000_000
        );
        assert_eq!(parse_micros("1,234").unwrap(), 1_234_000_000);
        assert_eq!(parse_micros("１２").unwrap(), 12_000_000);
        assert_eq!(parse_micros("12.0").unwrap(), 12_000_000);
        assert_eq!(parse_micros("28.09").unwrap(), 28_090_000);
        assert_eq!(parse_micros("-3").unwrap(), -3_000_000);
        assert_eq!(
            parse_micros("1e20").unwrap(),
            100_000_000_000_000_000_000i128 * 1_000_000
        );
        assert!(parse_micros("abc").is_err());
    }

    #[test]
    fn sums_of_millionths_are_the_same_in_any_order() {
        // As floats, 2^63 − 1 twenty times and small counts give a sum that
        // depends on the order; as millionths it does not.
        let mut values: Vec<i128> = (0..20)
            .map(|_| parse_micros("9223372036854775807").unwrap())
            .chain((1..500).map(|i| parse_micros(&format!("{}.{}", i * 7, i % 10)).unwrap()))
            .collect();
        let forward: i128 = values.iter().sum();
        values.reverse();
        let backward: i128 = values.iter().sum();
        assert_eq!(forward, backward);
        // The exact sum, by hand: 20 × (2^63 − 1), then Σ 7i and Σ (i mod 10)/10.
        let small: i128 = (1..500).map(|i| i * 7).sum();
        let tenths: i128 = (1..500).map(|i| i % 10).sum();
        let want = (20 * 9_223_372_036_854_775_807i128 + small) * 1_000_000 + tenths * 100_000;
        assert_eq!(forward, want);
        // 184467440737095516140 + 873,250 + 225: no digit lost to a float.
        assert_eq!(micros_text(forward), "184467440737096389615");
    }

    #[test]
    fn millionths_print_exactly() {
        assert_eq!(micros_text(57_900_000), "57.9");
        assert_eq!(micros_text(-1_500_000), "-1.5");
        assert_eq!(
            micros_text(184_467_440_737_095_516_140_000_000),
            "184467440737095516140"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn band(lo: u32, hi: Option<u32>) -> Band {
        Band::Range { lo, hi }
    }

    #[test]
    fn every_band_form_of_the_contract() {
        let cases = [
            ("30-44", band(30, Some(44))),
            ("30~44", band(30, Some(44))),
            ("30至44岁", band(30, Some(44))),
            ("30-44岁", band(30, Some(44))),
            ("<30", band(0, Some(29))),
            ("30岁以下", band(0, Some(29))),
            ("<=30", band(0, Some(30))),
            ("30岁及以下", band(0, Some(30))),
            ("45+", band(45, None)),
            (">=45", band(45, None)),
            ("45岁及以上", band(45, None)),
            (">45", band(46, None)),
            ("45岁以上", band(46, None)),
            ("30岁及以上、45岁以下", band(30, Some(44))),
            ("total", Band::Total),
            ("合计", Band::Total),
            ("总计", Band::Total),
        ];
        for (raw, want) in cases {
            assert_eq!(parse_band(raw), Ok(want), "{raw}");
        }
        for bad in ["", "abc", "44-30", "岁", "30-"] {
            assert!(parse_band(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_fast_band_path_agrees_with_the_full_parser() {
        let mut forms = vec!["total".to_string(), "<0".into(), "1000+".into()];
        for a in 0..130u32 {
            forms.push(format!("<{a}"));
            forms.push(format!("{a}+"));
            for b in [0, 1, 29, 30, 44, 59, 100, 129] {
                forms.push(format!("{a}-{b}"));
            }
        }
        for f in forms {
            if let Some(fast) = plain_band(&f) {
                assert_eq!(Ok(fast), parse_band_full(&f), "{f}");
            } else {
                assert!(parse_band_full(&f).is_err() || f.len() > 7, "{f}");
            }
        }
    }

    #[test]
    fn every_period_form_of_the_contract() {
        let cases = [
            ("2023", "2023", PeriodKind::Year),
            ("2023-Q2", "2023-Q2", PeriodKind::Quarter),
            ("2023-06", "2023-06", PeriodKind::Month),
            ("2023年", "2023", PeriodKind::Year),
            ("2023年第二季度", "2023-Q2", PeriodKind::Quarter),
            ("2023年6月", "2023-06", PeriodKind::Month),
            ("2023/6", "2023-06", PeriodKind::Month),
        ];
        for (raw, canon, kind) in cases {
            let p = parse_period(raw).unwrap();
            assert_eq!(p.canonical(), canon, "{raw}");
            assert_eq!(p.kind, kind);
        }
        assert!(matches!(
            parse_period("2023-13"),
            Err(PeriodError::Range(_))
        ));
        assert!(matches!(parse_period("1800"), Err(PeriodError::Range(_))));
        assert!(matches!(parse_period("23"), Err(PeriodError::Parse(_))));
        assert_eq!(parse_period("2023-Q2").unwrap().start(), (2023, 4, 1));
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2023, 6, 1), 19509);
    }

    /// Bands as bulletins and yearbooks print them (issue 28).
    #[test]
    fn bands_as_printed() {
        let cases = [
            ("35岁及以下的党员", band(0, Some(35))),
            ("35岁以下党员", band(0, Some(34))),
            ("36岁至45岁的党员", band(36, Some(45))),
            ("31至35岁党员", band(31, Some(35))),
            ("30 岁及以下党员", band(0, Some(30))),
            ("46岁-55岁干部", band(46, Some(55))),
            ("56岁及以上人员", band(56, None)),
            ("30周岁以下", band(0, Some(29))),
            ("30 周岁及以下", band(0, Some(30))),
            ("不满30岁", band(0, Some(29))),
            ("未满 30 周岁", band(0, Some(29))),
            ("超过60岁", band(61, None)),
            ("60岁以上（含60岁）", band(60, None)),
            ("60岁以上(含60岁)的党员", band(60, None)),
            ("35岁以下（含35岁）", band(0, Some(35))),
            ("35岁以下（不含35岁）", band(0, Some(34))),
            ("45岁及以上（含45岁）", band(45, None)),
            ("61-70岁 人", band(61, Some(70))),
            ("71岁以上名", band(72, None)),
        ];
        for (raw, want) in cases {
            assert_eq!(parse_band(raw), Ok(want), "{raw}");
        }
        // A bracket that contradicts the band is refused, named.
        let e = parse_band("60岁以上（不含61岁）").unwrap_err();
        assert!(e.contains("contradicts"), "{e}");
        assert!(parse_band("60岁以上（约）").is_err());
    }

    /// Periods as printed (issue 28): flows over a year, half, quarter or a
    /// month range that is one of them.
    #[test]
    fn flow_periods_as_printed() {
        let cases = [
            ("2023年度", "2023"),
            ("2023全年", "2023"),
            ("2023年全年", "2023"),
            ("2023年上半年", "2023-H1"),
            ("2023年下半年", "2023-H2"),
            ("2023-H2", "2023-H2"),
            ("2023年一季度", "2023-Q1"),
            ("2023年第1季度", "2023-Q1"),
            ("2023年Q1", "2023-Q1"),
            ("2023年1-3月", "2023-Q1"),
            ("2023年10-12月", "2023-Q4"),
            ("2023年1-6月", "2023-H1"),
            ("2023年1—6月", "2023-H1"),
            ("2023年1至6月", "2023-H1"),
            ("2023年7~12月", "2023-H2"),
            ("2023年1-12月", "2023"),
            ("2023年5-5月", "2023-05"),
            ("2023 年 6 月", "2023-06"),
        ];
        for (raw, canon) in cases {
            assert_eq!(
                parse_period(raw).map(|p| p.canonical()),
                Ok(canon.into()),
                "{raw}"
            );
        }
        let h2 = parse_period("2023年下半年").unwrap();
        assert_eq!((h2.kind, h2.start()), (PeriodKind::Half, (2023, 7, 1)));
        // Months that are no period are named, with what to do.
        let Err(PeriodError::Parse(m)) = parse_period("2023年1-5月") else {
            panic!("1-5月 is no period")
        };
        assert!(m.contains("months 1–5") && m.contains("累计"), "{m}");
        assert!(matches!(
            parse_period("2023年6-3月"),
            Err(PeriodError::Range(_))
        ));
    }

    /// Year-to-date (累计) figures as bulletins print them (issue 28): the
    /// year and the month each runs through.
    #[test]
    fn year_to_date_periods_as_printed() {
        let cases = [
            ("2023年1-6月累计", (2023, 6)),
            ("2023年1—6月累计数", (2023, 6)),
            ("2023年 1 至 6 月 (累计)", (2023, 6)),
            ("2023年1月-5月（累计）", (2023, 5)),
            ("2023年累计至6月", (2023, 6)),
            ("2023年6月累计", (2023, 6)),
            ("截至2023年6月底累计", (2023, 6)),
            ("截至2023年6月30日", (2023, 6)),
            ("2023-02-28", (2023, 2)),
            ("2023年上半年累计", (2023, 6)),
            ("2023年第三季度", (2023, 9)),
            ("2023-Q1", (2023, 3)),
            ("2023年累计", (2023, 12)),
            ("2023年1-12月累计", (2023, 12)),
            ("2023-06", (2023, 6)),
            ("2023年1-1月累计", (2023, 1)),
        ];
        for (raw, want) in cases {
            assert_eq!(parse_ytd(raw), Ok(want), "{raw}");
        }
        assert!(says_cumulative("2023年1-6月累计") && !says_cumulative("2023年1-6月"));
        // From January, through the end of a month.
        let Err(PeriodError::Parse(m)) = parse_ytd("2023年4-6月累计") else {
            panic!("4-6月 is no year-to-date")
        };
        assert!(
            m.contains("from January") && m.contains("2023年1-6月累计"),
            "{m}"
        );
        let Err(PeriodError::Parse(m)) = parse_ytd("截至2023年6月15日") else {
            panic!("mid-month")
        };
        assert!(m.contains("2023-06-15"), "{m}");
        assert!(matches!(
            parse_ytd("2023年1-13月累计"),
            Err(PeriodError::Parse(_))
        ));
        assert!(matches!(parse_ytd("前年累计"), Err(PeriodError::Parse(_))));
        // The intervals between two figures that are a period.
        assert_eq!(
            months_period(2023, 4, 6).map(|p| p.canonical()),
            Some("2023-Q2".into())
        );
        assert_eq!(
            months_period(2023, 7, 12).map(|p| p.canonical()),
            Some("2023-H2".into())
        );
        assert_eq!(
            months_period(2023, 5, 5).map(|p| p.canonical()),
            Some("2023-05".into())
        );
        assert_eq!(months_period(2023, 4, 5), None);
        assert_eq!(months_period(2023, 2, 4), None);
        // A year-to-date figure is no period of its own.
        assert!(parse_period("2023年1-6月累计").is_err());
    }

    /// Stocks "as at" a day (issue 28): the period of the run's kind that
    /// holds the day; a day that does not end it is said (W_ASAT).
    #[test]
    fn stocks_as_at_a_day() {
        use PeriodKind::*;
        let cases = [
            ("2023年底", Year, "2023", false),
            ("2023年末", Quarter, "2023-Q4", false),
            ("截至2023年底", Month, "2023-12", false),
            ("截至2023年12月31日", Year, "2023", false),
            ("截止到2020年11月30日", Year, "2020", true),
            ("截止到2020年11月30日", Month, "2020-11", false),
            ("2023-12-31", Year, "2023", false),
            ("2023/12/31", Year, "2023", false),
            ("2023.12.31", Year, "2023", false),
            ("20231231", Year, "2023", false),
            ("2021-06-05", Year, "2021", true),
            ("2021-06-30", Quarter, "2021-Q2", false),
            ("2024年2月底", Month, "2024-02", false),
            ("2024-02-29", Month, "2024-02", false),
        ];
        for (raw, kind, canon, mid) in cases {
            let c = parse_period_at(raw, kind).unwrap();
            assert_eq!(c.period.canonical(), canon, "{raw} at {kind:?}");
            assert_eq!(c.mid_period(), mid, "{raw} at {kind:?}");
            assert!(c.as_at.is_some(), "{raw}");
        }
        assert_eq!(
            parse_period_at("2024年2月底", Month)
                .unwrap()
                .as_at
                .unwrap()
                .text(),
            "2024-02-29"
        );
        // Not days: refused with what is expected.
        for bad in ["2023-02-30", "2023-13-01", "截至去年底", "20231301"] {
            assert!(parse_period_at(bad, Year).is_err(), "{bad}");
        }
        // Every plain period form reads as before, with no day.
        let c = parse_period_at("2023年第二季度", Year).unwrap();
        assert_eq!((c.period.canonical(), c.as_at), ("2023-Q2".into(), None));
        // The day forms are not periods of their own.
        assert!(parse_period("2023-12-31").is_err());
    }

    /// Forms a researcher's reading of bulletins found refused although
    /// their meaning is clear (issue 28, second round).
    #[test]
    fn more_forms_as_printed() {
        for (raw, want) in [
            ("35岁（含）以下", band(0, Some(35))),
            ("30岁以下(含)", band(0, Some(30))),
            ("60岁以上（含）", band(60, None)),
            ("60岁以上(不含)", band(61, None)),
            ("60岁及以上(不含)", band(61, None)),
            ("18～35岁（含）", band(18, Some(35))),
            ("60岁及60岁以上", band(60, None)),
            ("35岁及35岁以下", band(0, Some(35))),
            ("35岁及以下青年党员", band(0, Some(35))),
            ("35岁以下青年", band(0, Some(34))),
            ("不足35岁", band(0, Some(34))),
            ("小于30岁", band(0, Some(29))),
            ("大于60岁", band(61, None)),
            ("年龄在35岁以下", band(0, Some(34))),
            ("３１－３５岁", band(31, Some(35))),
            ("35岁及以下\u{200B}", band(0, Some(35))),
            ("35岁及以下的社区干部", band(0, Some(35))),
        ] {
            assert_eq!(parse_band(raw), Ok(want), "{raw}");
        }
        assert_eq!(band_role("35岁及以下的社区干部"), Some("cadre"));
        assert_eq!(band_role("31至35岁党员"), Some("member"));
        assert_eq!(band_role("31-35"), None);
        for (raw, canon) in [
            ("2023年1月-6月", "2023-H1"),
            ("2023年1月至6月", "2023-H1"),
            ("2023年7月至12月", "2023-H2"),
            ("2023年1月—12月", "2023"),
            ("2023年1-6月份", "2023-H1"),
            ("2023年6月份", "2023-06"),
            ("2023年元月", "2023-01"),
            ("2023年全年度", "2023"),
            ("2023年上半年度", "2023-H1"),
            ("２０２３年", "2023"),
            ("2023.6", "2023-06"),
        ] {
            assert_eq!(
                parse_period(raw).map(|p| p.canonical()),
                Ok(canon.into()),
                "{raw}"
            );
        }
        use PeriodKind::*;
        for (raw, kind, canon) in [
            ("2023年年底", Year, "2023"),
            ("2023年年末", Year, "2023"),
            ("2023年三季度末", Quarter, "2023-Q3"),
            ("2023年第一季度末", Month, "2023-03"),
            ("到2023年底", Year, "2023"),
            ("2023年底止", Year, "2023"),
            ("2023年12月31日止", Year, "2023"),
            ("2023年12月31号", Year, "2023"),
            ("２０２３年底", Year, "2023"),
            ("2023-12-31 00:00:00", Year, "2023"),
        ] {
            let c = parse_period_at(raw, kind).unwrap_or_else(|e| panic!("{raw}: {e:?}"));
            assert_eq!(c.period.canonical(), canon, "{raw}");
            assert!(!c.mid_period(), "{raw}");
        }
        // No misleading suggestion for a short or far cell.
        assert!(!parse_band("90后").unwrap_err().contains("nearest"));
    }

    /// A value that still does not parse names the nearest form known.
    #[test]
    fn a_refusal_names_the_nearest_form() {
        let e = parse_band("35岁及已下").unwrap_err();
        assert!(
            e.contains("nearest form govlens knows is 'N岁及以下' (35岁及以下)"),
            "{e}"
        );
        // A tie is said, not chosen: 以下 leaves 35 out, 及以下 takes it in.
        let e = parse_band("35岁或以下").unwrap_err();
        assert!(
            e.contains("are 'N岁以下' (35岁以下) and 'N岁及以下' (35岁及以下)"),
            "{e}"
        );
        let Err(PeriodError::Parse(e)) = parse_period("2023年第2季") else {
            panic!("not a period")
        };
        assert!(e.contains("'YYYY年第N季度' (2023年第2季度)"), "{e}");
        // Nothing near: no suggestion.
        let e = parse_band("abcdefgh").unwrap_err();
        assert!(!e.contains("nearest"), "{e}");
    }

    #[test]
    fn model_words() {
        assert_eq!(parse_model("下沉"), Ok(Model::Sinking));
        assert_eq!(parse_model("协同型"), Ok(Model::Collaborative));
        assert_eq!(parse_model("嵌入"), Ok(Model::Embedded));
        assert_eq!(parse_model("融合型"), Ok(Model::Integrated));
        assert_eq!(parse_model("空"), Ok(Model::None));
        assert!(parse_model("网格").is_err());
    }

    #[test]
    fn numbers_as_clerks_write_them() {
        assert_eq!(parse_integer("1,234"), Ok(1234));
        assert_eq!(parse_integer("１２３"), Ok(123));
        assert_eq!(parse_number("１，２３４．５"), Ok(1234.5));
        assert!(parse_number("一二三").is_err());
        assert!(parse_number("12件").is_err());
        assert_eq!(parse_integer("12.0"), Ok(12));
        assert!(parse_integer("12.5").is_err());
        assert!(parse_integer("1,23").is_err());
        assert_eq!(parse_percent("12.5%"), Ok(12.5));
        assert_eq!(check_code("110117.0"), Ok("110117".into()));
        assert!(check_code("11011").is_err());
    }
}
