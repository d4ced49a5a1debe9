//! The three fact tables' column builders: each table's fast rules
//! (`prepare`), its cross-row rules and columns (`store`), the record path's
//! row function for the rows the fast rules leave (`record`), and its frame.

use polars::prelude::*;

use super::{
    integer, number, optional, position, Codes, Columns, Dict, Lead, Memo, Memos, Row, Rules,
};
use crate::contract::grammar::{self as parse, Band, Period};
use crate::ingest::checks::{band_clash, key_hash, Origin};
use crate::ingest::dated::{Checked, Dated};
use crate::ingest::quarantine::Reject;
use crate::ingest::validate::{self, Cells};

/// disputes' columns.
#[derive(Default)]
pub(in crate::ingest) struct Disputes {
    lead: Lead,
    category: Dict,
    received: Vec<i64>,
    resolved: Vec<Option<i64>>,
    escalated: Vec<Option<i64>>,
    mean_days: Vec<Option<f64>>,
    share: Vec<Option<f64>>,
}

pub(in crate::ingest) struct FastDispute<'c> {
    code: u32,
    period: Period,
    category: Option<&'c str>,
    counts: (i64, Option<i64>, Option<i64>, Option<f64>),
    share: Option<f64>,
    key: u128,
}

fn dispute_key(code: &str, period: &Period, category: Option<&str>) -> u128 {
    // A blank category is the key value "all"; no part of an outline here.
    crate::ingest::checks::dispute_key(code, period, category, None)
}

impl Columns for Disputes {
    type Fast<'c> = FastDispute<'c>;
    type Memo = ();

    fn prepare<'c>(
        &self,
        row: &Row<'_, 'c>,
        codes: &Codes,
        m: &mut Memos<()>,
    ) -> Option<FastDispute<'c>> {
        let (code, text) = row.code(codes)?;
        let period = row.period(m)?;
        let received = integer(row.get("received")?)?;
        let resolved = optional(row.get("resolved"), integer)?;
        let escalated = optional(row.get("escalated"), integer)?;
        let mean_days = optional(row.get("mean_days"), |v| number(v, None))?;
        if resolved.is_some_and(|r| r > received) || escalated.is_some_and(|e| e > received) {
            return None;
        }
        let category = row.get("category");
        let share = optional(row.get("reported_share"), |v| {
            parse::parse_percent(v)
                .ok()
                .filter(|x| (0.0..=100.0).contains(x))
        })?;
        Some(FastDispute {
            code,
            period,
            category,
            counts: (received, resolved, escalated, mean_days),
            share,
            key: dispute_key(text, &period, category),
        })
    }

    fn store(
        &mut self,
        f: FastDispute<'_>,
        r: &mut Rules,
        origin: Origin,
        shown: &[String],
    ) -> Result<(), Reject> {
        r.new_key(f.key, origin, "category", shown)?;
        self.lead.push(f.code, f.period);
        self.category.push(f.category);
        self.received.push(f.counts.0);
        self.resolved.push(f.counts.1);
        self.escalated.push(f.counts.2);
        self.mean_days.push(f.counts.3);
        self.share.push(f.share);
        Ok(())
    }

    type Typed = validate::DisputeRow;

    fn row_rules(&self, cells: &Cells) -> Result<validate::DisputeRow, Reject> {
        validate::dispute_row(cells)
    }

    fn of_row<'r>(row: &'r validate::DisputeRow, codes: &Codes) -> Result<FastDispute<'r>, Reject> {
        Ok(FastDispute {
            code: position(codes, &row.code)?,
            period: row.period,
            category: row.category.as_deref(),
            counts: (row.received, row.resolved, row.escalated, row.mean_days),
            share: row.share,
            key: dispute_key(&row.code, &row.period, row.category.as_deref()),
        })
    }

    fn len(&self) -> usize {
        self.received.len()
    }

    fn frame(&mut self, codes: &Codes) -> PolarsResult<DataFrame> {
        let n = self.received.len();
        let own = vec![
            self.category.finish("category")?,
            Column::new("received".into(), std::mem::take(&mut self.received)),
            Column::new("resolved".into(), std::mem::take(&mut self.resolved)),
            Column::new("escalated".into(), std::mem::take(&mut self.escalated)),
            Column::new("mean_days".into(), std::mem::take(&mut self.mean_days)),
            Column::new("reported_share".into(), std::mem::take(&mut self.share)),
            // A file read here is no outline: no row is a part.
            Column::full_null("part_of".into(), n, &DataType::String),
        ];
        self.lead.frame(codes, own)
    }
}

/// service_usage's columns.
#[derive(Default)]
pub(in crate::ingest) struct Usage {
    lead: Lead,
    center_type: Dict,
    center_name: Dict,
    visits: Vec<i64>,
    services: Vec<Option<i64>>,
    satisfaction: Vec<Option<f64>>,
    staff: Vec<Option<i64>>,
}

pub(in crate::ingest) struct FastUsage<'c> {
    code: u32,
    period: Period,
    center: (&'static str, &'c str),
    counts: (i64, Option<i64>, Option<f64>, Option<i64>),
    key: u128,
}

fn usage_key(code: &str, period: &Period, (kind, name): (&str, &str)) -> u128 {
    // Two centres that both map to `other` stay apart by their names.
    key_hash(&[
        code.as_bytes(),
        &period.key(),
        kind.as_bytes(),
        name.as_bytes(),
    ])
}

impl Columns for Usage {
    type Fast<'c> = FastUsage<'c>;
    type Memo = Memo<&'static str>;

    fn prepare<'c>(
        &self,
        row: &Row<'_, 'c>,
        codes: &Codes,
        m: &mut Memos<Memo<&'static str>>,
    ) -> Option<FastUsage<'c>> {
        let (code, text) = row.code(codes)?;
        let period = row.period(m)?;
        let name = row.get("center_type")?;
        let center = (m.own.get(name, parse::parse_center_type), name);
        Some(FastUsage {
            code,
            period,
            center,
            counts: (
                integer(row.get("visits")?)?,
                optional(row.get("services"), integer)?,
                optional(row.get("satisfaction"), |v| number(v, Some(100.0)))?,
                optional(row.get("staff"), integer)?,
            ),
            key: usage_key(text, &period, center),
        })
    }

    fn store(
        &mut self,
        f: FastUsage<'_>,
        r: &mut Rules,
        origin: Origin,
        shown: &[String],
    ) -> Result<(), Reject> {
        r.new_key(f.key, origin, "center_type", shown)?;
        self.lead.push(f.code, f.period);
        self.center_type.push(Some(f.center.0));
        self.center_name.push(Some(f.center.1));
        self.visits.push(f.counts.0);
        self.services.push(f.counts.1);
        self.satisfaction.push(f.counts.2);
        self.staff.push(f.counts.3);
        Ok(())
    }

    type Typed = validate::UsageRow;

    fn row_rules(&self, cells: &Cells) -> Result<validate::UsageRow, Reject> {
        validate::usage_row(cells)
    }

    fn of_row<'r>(row: &'r validate::UsageRow, codes: &Codes) -> Result<FastUsage<'r>, Reject> {
        let center = (row.center_type, row.center_name.as_str());
        Ok(FastUsage {
            code: position(codes, &row.code)?,
            period: row.period,
            center,
            counts: (row.visits, row.services, row.satisfaction, row.staff),
            key: usage_key(&row.code, &row.period, center),
        })
    }

    fn len(&self) -> usize {
        self.visits.len()
    }

    fn frame(&mut self, codes: &Codes) -> PolarsResult<DataFrame> {
        let own = vec![
            self.center_type.finish("center_type")?,
            self.center_name.finish("center_name")?,
            Column::new("visits".into(), std::mem::take(&mut self.visits)),
            Column::new("services".into(), std::mem::take(&mut self.services)),
            Column::new(
                "satisfaction".into(),
                std::mem::take(&mut self.satisfaction),
            ),
            Column::new("staff".into(), std::mem::take(&mut self.staff)),
        ];
        self.lead.frame(codes, own)
    }
}

/// member_ages' columns (long layout); E_BAND and E_DUPLICATE against the
/// bands stored for the same region, period and role.
pub(in crate::ingest) struct Ages {
    lead: Lead,
    role: Vec<&'static str>,
    band: Vec<Band>,
    count: Vec<f64>,
    share: Vec<Option<f64>>,
    rounding: Vec<Option<f64>>,
    scale: f64,
    /// Stocks as at a day inside their period, held until the table is read.
    pub(in crate::ingest) dated: Vec<Dated>,
}

impl Ages {
    pub(in crate::ingest) fn new(scale: f64) -> Ages {
        Ages {
            lead: Lead::default(),
            role: Vec::new(),
            band: Vec::new(),
            count: Vec::new(),
            share: Vec::new(),
            rounding: Vec::new(),
            scale,
            dated: Vec::new(),
        }
    }
}

pub(in crate::ingest) struct FastAge {
    code: u32,
    period: Period,
    role: &'static str,
    band: Band,
    count: f64,
    share: Option<f64>,
    rounding: Option<f64>,
    group: u128,
}

fn age_group(code: &str, period: &Period, role: &str) -> u128 {
    key_hash(&[code.as_bytes(), &period.key(), role.as_bytes()])
}

/// Roles and bands as written, each parsed once.
#[derive(Default)]
pub(in crate::ingest) struct AgeMemo {
    roles: Memo<Option<&'static str>>,
    bands: Memo<Option<Band>>,
}

impl Columns for Ages {
    type Fast<'c> = FastAge;
    type Memo = AgeMemo;

    fn prepare(&self, row: &Row, codes: &Codes, m: &mut Memos<AgeMemo>) -> Option<FastAge> {
        let (code, text) = row.code(codes)?;
        let period = row.period(m)?;
        let role = match row.get("role") {
            None => "member",
            Some(v) => m.own.roles.get(v, |v| parse::parse_role(v).ok())?,
        };
        let band = m.own.bands.get(row.get("age_band")?, |v| {
            // A band naming its population is checked against the role
            // by the record path.
            parse::parse_band(v)
                .ok()
                .filter(|_| parse::band_role(v).is_none())
        })?;
        let printed = row.get("count")?;
        let count = validate::scaled(number(printed, None)?, self.scale);
        let rounding = validate::rounding(Some(printed), self.scale);
        let share = optional(row.get("reported_share"), |v| {
            parse::parse_percent(v)
                .ok()
                .filter(|x| (0.0..=100.0).contains(x))
        })?;
        Some(FastAge {
            code,
            period,
            role,
            band,
            count,
            share,
            rounding,
            group: age_group(text, &period, role),
        })
    }

    fn store(
        &mut self,
        f: FastAge,
        r: &mut Rules,
        origin: Origin,
        shown: &[String],
    ) -> Result<(), Reject> {
        band_clash(
            &r.bands,
            f.group,
            &f.band,
            "age_band",
            std::iter::empty(),
            |k| shown[k].clone(),
        )?;
        r.bands.push(f.group, f.band, origin);
        self.lead.push(f.code, f.period);
        self.role.push(f.role);
        self.band.push(f.band);
        self.count.push(f.count);
        self.share.push(f.share);
        self.rounding.push(f.rounding);
        Ok(())
    }

    type Typed = validate::AgeRow;

    fn row_rules(&self, cells: &Cells) -> Result<validate::AgeRow, Reject> {
        validate::age_row(cells, self.scale)
    }

    /// A stock as at a day inside its period is held until the table is
    /// read, as the record path holds it (`crate::ingest::dated`).
    fn hold(&mut self, cells: &Cells, row: &validate::AgeRow, origin: Origin) -> bool {
        let Some(day) = cells.mid_period_day() else {
            return false;
        };
        let raw = cells.get("period").unwrap_or_default().to_string();
        let row = Checked {
            rows: vec![(row.clone(), "age_band".into())],
            total: None,
            recoded: None,
            group_code: row.code.clone(),
            origin,
        };
        self.dated.push(Dated { row, day, raw });
        true
    }

    fn of_row(row: &validate::AgeRow, codes: &Codes) -> Result<FastAge, Reject> {
        Ok(FastAge {
            code: position(codes, &row.code)?,
            period: row.period,
            role: row.role,
            band: row.band,
            count: row.count,
            share: row.share,
            rounding: row.rounding,
            group: age_group(&row.code, &row.period, row.role),
        })
    }

    fn len(&self) -> usize {
        self.count.len()
    }

    fn frame(&mut self, codes: &Codes) -> PolarsResult<DataFrame> {
        let bands = std::mem::take(&mut self.band);
        let mut text: PlHashMap<Band, String> = PlHashMap::new();
        let mut names = Dict::default();
        for b in &bands {
            let t = text.entry(*b).or_insert_with(|| b.canonical());
            names.push(Some(t));
        }
        let (lo, hi): (Vec<Option<i32>>, Vec<Option<i32>>) = bands
            .iter()
            .map(|b| match b {
                Band::Range { lo, hi } => (Some(*lo as i32), hi.map(|h| h as i32)),
                Band::Total => (None, None),
            })
            .unzip();
        let own = vec![
            Column::new("role".into(), std::mem::take(&mut self.role)),
            names.finish("age_band")?,
            Column::new("age_lo".into(), lo),
            Column::new("age_hi".into(), hi),
            Column::new("count".into(), std::mem::take(&mut self.count)),
            Column::new("reported_share".into(), std::mem::take(&mut self.share)),
            Column::new("count_rounding".into(), std::mem::take(&mut self.rounding)),
        ];
        self.lead.frame(codes, own)
    }
}
