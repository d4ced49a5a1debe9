//! Row rules of contract §2, one pure function per table: a raw record in, a
//! typed row or the first [`Reject`] out. Rules that need more than the row
//! (E_DUPLICATE, E_BAND overlap, E_CODE against the tree) live in
//! [`crate::ingest::checks`]; group findings in [`crate::ingest::findings`].
//!
//! Columns are checked in canonical order so that the reason a clerk sees is
//! the leftmost problem in the row, which is where they will look first.

use crate::contract::grammar::{self as parse, Band, Period, PeriodError, YEAR_MAX, YEAR_MIN};
use crate::contract::{Rule, Table};
use crate::ingest::headers::HeaderMap;
use crate::ingest::quarantine::{Finding, Reject};
use crate::ingest::read::RawRecord;

pub use crate::regions::RegionRow;

#[derive(Debug, Clone, PartialEq)]
pub struct AgeRow {
    pub code: String,
    pub period: Period,
    pub role: &'static str,
    pub band: Band,
    pub count: f64,
    pub share: Option<f64>,
    /// Half a unit of the count's last printed digit, in persons, where it
    /// was printed in a unit above one (`1.2` 万名: 500); `None` where the
    /// count is exact. W_TOTAL allows a group the sum of its rows' (B.3).
    pub rounding: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DisputeRow {
    pub code: String,
    pub period: Period,
    pub category: Option<String>,
    pub received: i64,
    /// Blank in a table that prints cases only (a yearbook's 调解民间纠纷).
    pub resolved: Option<i64>,
    pub escalated: Option<i64>,
    pub mean_days: Option<f64>,
    /// The type's share of the region-period's disputes as printed (%).
    pub share: Option<f64>,
    /// In a printed outline, the row this one is a part of (a sub-type).
    pub part_of: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct UsageRow {
    pub code: String,
    pub period: Period,
    pub center_type: &'static str,
    /// The centre's name as given: keeps apart two centres that both map to `other`.
    pub center_name: String,
    pub visits: i64,
    pub services: Option<i64>,
    pub satisfaction: Option<f64>,
    pub staff: Option<i64>,
}

/// Line breaks inside a record's cells: the physical lines it took beyond
/// its first (manifest `lines_in_cells`).
pub fn breaks<'a>(cells: impl IntoIterator<Item = Option<&'a str>>) -> u64 {
    cells
        .into_iter()
        .flatten()
        .map(|t| t.matches('\n').count() as u64)
        .sum()
}

/// A line a quoted cell took in "looks like a record" when it holds at
/// least this many delimiters: half the header's separators, and two.
fn record_like(line: &str, width: usize) -> bool {
    let need = (width.saturating_sub(1) / 2).max(2);
    let delims = line.matches(',').count().max(line.matches('\t').count());
    delims >= need
}

/// An open quote (contract B.1): a quoted cell that ran over line breaks and
/// took in lines that look like records (as many delimiters as half a
/// header's), as a quote never closed does to the rest of a CSV file. The
/// record is an E_PARSE naming the line the quote opened on and the lines it
/// took; a legitimate multi-line cell (an address with a line break) holds
/// no such line and is read as one cell. `first_line` is the record's
/// first physical line (0 for workbooks: never an open quote).
pub fn open_quote<C: crate::ingest::read::AsCell>(
    cells: &[C],
    first_line: u64,
    map: &HeaderMap,
) -> Option<Reject> {
    if first_line == 0 {
        return None;
    }
    let mut line = first_line;
    for (i, c) in cells.iter().enumerate() {
        let Some(text) = c.text() else { continue };
        let breaks = text.matches('\n').count() as u64;
        if breaks > 0
            && text
                .split('\n')
                .skip(1)
                .any(|l| record_like(l, map.width()))
        {
            let column = map
                .columns
                .iter()
                .zip(&map.index)
                .find(|(_, ix)| **ix == Some(i))
                .map(|(c, _)| c.name.to_string())
                .unwrap_or_else(|| format!("cell {}", i + 1));
            let opening = text.split('\n').next().unwrap_or("").trim_end();
            let value = format!("{opening} …");
            let took = if breaks == 1 {
                format!("line {} was", line + 1)
            } else {
                format!("lines {}–{} were", line + 1, line + breaks)
            };
            return Some(Reject::new(
                Rule::Parse,
                &column,
                Some(&value),
                format!(
                    "the quote opened on line {line} is not closed: {took} read as one cell, not as rows (close or delete the quote on line {line}, then ingest again)"
                ),
            ));
        }
        line += breaks;
    }
    None
}

/// Read access to one record's cells by canonical column, with the checks
/// every table shares.
pub struct Cells<'a> {
    pub rec: &'a RawRecord,
    pub map: &'a HeaderMap,
    /// The day a stock is as at inside its period, once [`Cells::period`]
    /// has read it (`Some(None)`: read, none).
    mid_day: std::cell::Cell<Option<Option<parse::Date>>>,
}

type R<T> = Result<T, Reject>;

impl<'a> Cells<'a> {
    pub fn new(rec: &'a RawRecord, map: &'a HeaderMap) -> R<Cells<'a>> {
        let width = map.width();
        if let Some((i, extra)) = rec
            .cells
            .iter()
            .enumerate()
            .skip(width)
            .find_map(|(i, c)| c.as_deref().map(|c| (i, c)))
        {
            return Err(Reject::new(
                Rule::Parse,
                &format!("cell {}", i + 1),
                Some(extra),
                format!(
                    "the row has a value in cell {} but the header has only {width} columns (a stray separator?)",
                    i + 1
                ),
            ));
        }
        Ok(Cells {
            rec,
            map,
            mid_day: std::cell::Cell::new(None),
        })
    }

    pub fn get(&self, col: &str) -> Option<&'a str> {
        self.map.cell(self.rec, col)
    }

    pub fn required(&self, col: &str) -> R<&'a str> {
        self.get(col).ok_or_else(|| {
            Reject::new(
                Rule::Required,
                col,
                None,
                format!("{col} is required but blank"),
            )
        })
    }

    pub fn code(&self) -> R<String> {
        let v = self.required("region_code")?;
        parse::check_code(v).map_err(|m| Reject::new(Rule::Code, "region_code", Some(v), m))
    }

    /// The row's period at the run's period kind. A stock (member_ages) may
    /// be published as at a day (`2023年底`, `截至2023年12月31日`): the period
    /// of the run's kind that holds it (W_ASAT when the day does not end it,
    /// made by the loader); a flow is counted over a period, never as at a day.
    ///
    /// In a year-to-date (累计) file ([`HeaderMap::cumulative`]) the period
    /// is the month the figure runs through (`2023年1-6月累计` → `2023-06`),
    /// which [`super::ytd`] differences into the flows a series adds; a
    /// 累计 cell in another file is refused (a file is one or the other).
    pub fn period(&self) -> R<Period> {
        let v = self.required("period")?;
        if self.map.cumulative_by_row && !parse::says_cumulative(v) {
            return Err(Reject::new(
                Rule::Parse,
                "period",
                Some(v),
                format!("'{v}' is a period in a file whose first row is a year-to-date (累计) figure: a file read as a 累计 series by its first row has 累计 on every row (or its source says cumulative = true); give this row a file of its own, or write it as a 累计 figure"),
            ));
        }
        if self.map.cumulative {
            let (year, through) = parse::parse_ytd(v).map_err(|e| match e {
                PeriodError::Parse(m) => Reject::new(Rule::Parse, "period", Some(v), m),
                PeriodError::Range(m) => Reject::new(Rule::Range, "period", Some(v), m),
            })?;
            return Ok(Period {
                year,
                kind: parse::PeriodKind::Month,
                sub: through,
            });
        }
        if parse::says_cumulative(v) {
            let m = if self.map.stock {
                format!("'{v}' is a year-to-date (累计) figure, and a stock is counted as at a day, not added up over months")
            } else {
                format!("'{v}' is a year-to-date (累计) figure in a file whose first row is not: a file is read as a 累计 series when its first data row says 累计 or its source says cumulative = true; give these rows a file of their own")
            };
            return Err(Reject::new(Rule::Parse, "period", Some(v), m));
        }
        let cell = parse::parse_period_at(v, self.map.period_kind).map_err(|e| match e {
            PeriodError::Parse(m) => Reject::new(Rule::Parse, "period", Some(v), m),
            PeriodError::Range(m) => Reject::new(Rule::Range, "period", Some(v), m),
        })?;
        if cell.as_at.is_some() && !self.map.stock {
            return Err(Reject::new(
                Rule::Parse,
                "period",
                Some(v),
                format!("'{v}' is a day, and a flow is counted over a period (2023, 2023年1-6月, 2023年第二季度): a figure 截至 a day is a year-to-date total (累计), not stored; give the figure of each month, quarter or the year"),
            ));
        }
        self.mid_day
            .set(Some(cell.as_at.filter(|_| cell.mid_period())));
        Ok(cell.period)
    }

    /// The day a stock is as at when it does not end the row's period
    /// (`2021年6月5日` in a yearly run); `None` for a flow, a period, or a
    /// day that ends it.
    pub fn mid_period_day(&self) -> Option<parse::Date> {
        if !self.map.stock {
            return None;
        }
        if let Some(read) = self.mid_day.get() {
            return read;
        }
        let cell = parse::parse_period_at(self.get("period")?, self.map.period_kind).ok()?;
        cell.as_at.filter(|_| cell.mid_period())
    }

    pub fn role(&self) -> R<&'static str> {
        match self.get("role") {
            None => Ok("member"),
            Some(v) => {
                parse::parse_role(v).map_err(|m| Reject::new(Rule::Parse, "role", Some(v), m))
            }
        }
    }

    /// A cell that may be blank: `None` when blank and optional, E_REQUIRED
    /// when blank and required.
    fn present(&self, col: &str, required: bool) -> R<Option<&'a str>> {
        match self.get(col) {
            None if required => Err(Reject::new(
                Rule::Required,
                col,
                None,
                format!("{col} is required but blank"),
            )),
            v => Ok(v),
        }
    }

    pub fn number(&self, col: &str, required: bool, max: Option<f64>) -> R<Option<f64>> {
        let Some(v) = self.present(col, required)? else {
            return Ok(None);
        };
        let x = parse::parse_number(v).map_err(|m| Reject::new(Rule::Parse, col, Some(v), m))?;
        check_range(col, v, x, max)?;
        Ok(Some(x))
    }

    /// A count; a header that says its unit (`受理数(万件)`) multiplies it,
    /// to the nearest whole count (`4.25` 万件 = 42,500).
    pub fn integer(&self, col: &str, required: bool) -> R<Option<i64>> {
        let Some(v) = self.present(col, required)? else {
            return Ok(None);
        };
        if let Some(s) = self.map.scale_of(col) {
            let x =
                parse::parse_number(v).map_err(|m| Reject::new(Rule::Parse, col, Some(v), m))?;
            check_range(col, v, x, None)?;
            return Ok(Some(scaled(x, s).round() as i64));
        }
        let x = parse::parse_integer(v).map_err(|m| Reject::new(Rule::Parse, col, Some(v), m))?;
        check_range(col, v, x as f64, None)?;
        Ok(Some(x))
    }

    pub fn percent(&self, col: &str) -> R<Option<f64>> {
        let Some(v) = self.get(col) else {
            return Ok(None);
        };
        let x = parse::parse_percent(v).map_err(|m| Reject::new(Rule::Parse, col, Some(v), m))?;
        check_range(col, v, x, Some(100.0))?;
        Ok(Some(x))
    }
}

fn check_range(col: &str, raw: &str, x: f64, max: Option<f64>) -> R<()> {
    if x < 0.0 {
        return Err(Reject::new(
            Rule::Range,
            col,
            Some(raw),
            format!("{col} is negative ({raw})"),
        ));
    }
    if let Some(m) = max {
        if x > m {
            return Err(Reject::new(
                Rule::Range,
                col,
                Some(raw),
                format!("{col} {raw} is above {m}"),
            ));
        }
    }
    Ok(())
}

pub fn region_row(c: &Cells) -> R<RegionRow> {
    let code = c.code()?;
    let name = c.required("region_name")?.to_string();
    let level = match c.get("level") {
        None => parse::level_of_code(&code),
        Some(v) => {
            parse::parse_level(v).map_err(|m| Reject::new(Rule::Parse, "level", Some(v), m))?
        }
    };
    let parent = match c.get("parent_code") {
        None => None,
        Some(v) => Some(
            parse::check_code(v).map_err(|m| Reject::new(Rule::Code, "parent_code", Some(v), m))?,
        ),
    };
    let model = match c.get("governance_model") {
        None => None,
        Some(v) => Some(
            parse::parse_model(v)
                .map_err(|m| Reject::new(Rule::Parse, "governance_model", Some(v), m))?,
        ),
    };
    let adopted = match c.get("model_adopted") {
        None => None,
        Some(v) => {
            let y = parse::parse_integer(v.trim_end_matches('年')).map_err(|_| {
                Reject::new(
                    Rule::Parse,
                    "model_adopted",
                    Some(v),
                    format!("'{v}' is not a year"),
                )
            })?;
            if !(YEAR_MIN as i64..=YEAR_MAX as i64).contains(&y) {
                return Err(Reject::new(
                    Rule::Range,
                    "model_adopted",
                    Some(v),
                    format!("model_adopted {v} is outside {YEAR_MIN}..{YEAR_MAX}"),
                ));
            }
            Some(y as i32)
        }
    };
    Ok(RegionRow {
        code,
        name,
        level,
        parent,
        model,
        adopted,
        population: c.integer("population", false)?,
        households: c.integer("households", false)?,
    })
}

/// A long-layout member_ages row. `scale` multiplies the count (万 = 10000).
pub fn age_row(c: &Cells, scale: f64) -> R<AgeRow> {
    let code = c.code()?;
    let period = c.period()?;
    let raw_band = c.required("age_band")?;
    // A band that names its population (`35岁及以下的干部`) gives the role
    // where the row has none, and must agree with the one it has.
    let role = match (c.get("role"), parse::band_role(raw_band)) {
        (None, Some(named)) => named,
        (Some(_), Some(named)) => {
            let given = c.role()?;
            if given != named {
                return Err(Reject::new(
                    Rule::Band,
                    "age_band",
                    Some(raw_band),
                    format!("'{raw_band}' names the {named}s' band, but the row's role is {given}: correct the role or the band"),
                ));
            }
            given
        }
        (_, None) => c.role()?,
    };
    let band = parse::parse_band(raw_band)
        .map_err(|m| Reject::new(Rule::Band, "age_band", Some(raw_band), m))?;
    let count = c.number("count", true, None)?.unwrap_or(0.0);
    let share = c.percent("reported_share")?;
    Ok(AgeRow {
        code,
        period,
        role,
        band,
        count: scaled(count, scale),
        share,
        rounding: rounding(c.get("count"), scale),
    })
}

/// Half a unit of the last digit of `printed` times `scale`, where `scale`
/// is above one (`1.2` at 10,000: 500; `12` at 10,000: 5,000).
pub fn rounding(printed: Option<&str>, scale: f64) -> Option<f64> {
    if scale <= 1.0 {
        return None;
    }
    let s = parse::printed(printed?);
    let decimals = s.split_once('.').map_or(0, |(_, d)| {
        d.chars().take_while(char::is_ascii_digit).count()
    });
    Some(scaled(0.5 / 10f64.powi(decimals as i32), scale))
}

/// Scaled counts are rounded to 1e-6 so that `1.2 万` is exactly 12000.
pub fn scaled(x: f64, scale: f64) -> f64 {
    if scale == 1.0 {
        x
    } else {
        (x * scale * 1e6).round() / 1e6
    }
}

/// A person record of member_ages: returns the (code, period, role, age).
pub fn person_row(c: &Cells) -> R<(String, Period, &'static str, u32)> {
    let code = c.code()?;
    let period = c.period()?;
    let role = c.role()?;
    let age = if let Some(v) = c.get("age") {
        let a = parse::parse_integer(v.trim_end_matches('岁'))
            .map_err(|m| Reject::new(Rule::Parse, "age", Some(v), m))?;
        if !(0..=130).contains(&a) {
            return Err(Reject::new(
                Rule::Range,
                "age",
                Some(v),
                format!("age {v} is outside 0..130"),
            ));
        }
        a as u32
    } else if let Some(v) = c.get("birth_year") {
        let y = parse::parse_integer(v.trim_end_matches('年'))
            .map_err(|m| Reject::new(Rule::Parse, "birth_year", Some(v), m))?;
        let age = period.year as i64 - y;
        if !(0..=130).contains(&age) {
            return Err(Reject::new(
                Rule::Range,
                "birth_year",
                Some(v),
                format!(
                    "birth_year {v} gives age {age} in {}, outside 0..130",
                    period.year
                ),
            ));
        }
        age as u32
    } else {
        return Err(Reject::new(
            Rule::Required,
            "age",
            None,
            "both age and birth_year are blank",
        ));
    };
    Ok((code, period, role, age))
}

pub fn dispute_row(c: &Cells) -> R<DisputeRow> {
    let code = c.code()?;
    let period = c.period()?;
    let category = c.get("category").map(str::to_string);
    let received = c.integer("received", true)?.unwrap_or(0);
    let resolved = c.integer("resolved", false)?;
    let escalated = c.integer("escalated", false)?;
    let mean_days = c.number("mean_days", false, None)?;
    let share = c.percent("reported_share")?;
    if let Some(resolved) = resolved.filter(|r| *r > received) {
        return Err(Reject::new(
            Rule::Order,
            "resolved",
            c.get("resolved"),
            format!("resolved ({resolved}) is more than received ({received})"),
        ));
    }
    if let Some(e) = escalated {
        if e > received {
            return Err(Reject::new(
                Rule::Order,
                "escalated",
                c.get("escalated"),
                format!("escalated ({e}) is more than received ({received})"),
            ));
        }
    }
    Ok(DisputeRow {
        code,
        period,
        category,
        received,
        resolved,
        escalated,
        mean_days,
        share,
        part_of: None,
    })
}

pub fn usage_row(c: &Cells) -> R<UsageRow> {
    let code = c.code()?;
    let period = c.period()?;
    let center_name = c.required("center_type")?;
    let center_type = parse::parse_center_type(center_name);
    Ok(UsageRow {
        code,
        period,
        center_type,
        center_name: center_name.to_string(),
        visits: c.integer("visits", true)?.unwrap_or(0),
        services: c.integer("services", false)?,
        satisfaction: c.number("satisfaction", false, Some(100.0))?,
        staff: c.integer("staff", false)?,
    })
}

/// W_ASAT: a stock stored (by either path) from a day that does not end its period ("a stock
/// as at 2021-06-05 is stored as 2021").
pub fn as_at_finding(rec: &RawRecord, h: &HeaderMap, table: Table, shown: &str) -> Option<Finding> {
    let v = h.cell(rec, "period")?;
    let cell = crate::contract::grammar::parse_period_at(v, h.period_kind).ok()?;
    let day = cell.as_at.filter(|_| cell.mid_period())?;
    let code = h.cell(rec, "region_code").map(str::to_string);
    Some(as_at(table, code, cell.period, (day, v), (shown, rec.row)))
}

/// W_ASAT for a stock stored as `period` from `day` (printed `raw`), read
/// at `shown` row `row`.
pub fn as_at(
    table: Table,
    code: Option<String>,
    period: Period,
    (day, raw): (parse::Date, &str),
    (shown, row): (&str, u64),
) -> Finding {
    let period = period.canonical();
    Finding {
        source: Some(shown.to_string()),
        row: Some(row),
        covers: None,
        table,
        rule: Rule::AsAt,
        region_code: code,
        period: Some(period.clone()),
        role: None,
        band: None,
        expected: None,
        actual: None,
        message: match table {
            // A published figure may be a stock or a count up to the day.
            Table::Indicators => format!(
                "{shown} row {row}: a figure as at {} ('{raw}') is stored as {period}, the period that holds the day (a count over time it holds only up to that day)",
                day.text()
            ),
            _ => format!(
                "{shown} row {row}: a stock as at {} ('{raw}') is stored as {period}, the period that holds the day",
                day.text()
            ),
        },
    }
}
