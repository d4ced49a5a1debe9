//! Typed rows → polars frames with the warehouse schemas of contract §9.
//!
//! Schemas are fixed here (not inferred from data) so that an empty table, a
//! table from GBK CSV and one from XLSX all come out with the same types.

use polars::prelude::*;

use crate::contract::grammar::{Band, Period};
use crate::ingest::indicators::IndicatorRow;
use crate::ingest::validate::{AgeRow, DisputeRow, UsageRow};
use crate::regions::Region;

fn period_columns(periods: &[Period]) -> Vec<Column> {
    let start = Int32Chunked::from_iter_values(
        "period_start".into(),
        periods.iter().map(|p| p.start_days()),
    )
    .into_date()
    .into_column();
    vec![
        Column::new(
            "period".into(),
            periods.iter().map(|p| p.canonical()).collect::<Vec<_>>(),
        ),
        Column::new(
            "period_kind".into(),
            periods.iter().map(|p| p.kind.name()).collect::<Vec<_>>(),
        ),
        start,
    ]
}

pub fn regions_frame(rows: &[Region]) -> PolarsResult<DataFrame> {
    let s = |f: fn(&Region) -> Option<String>| rows.iter().map(f).collect::<Vec<_>>();
    DataFrame::new(
        rows.len(),
        vec![
            Column::new("region_code".into(), s(|r| Some(r.row.code.clone()))),
            Column::new("region_name".into(), s(|r| Some(r.row.name.clone()))),
            Column::new("level".into(), s(|r| Some(r.row.level.name().to_string()))),
            Column::new("parent_code".into(), s(|r| r.row.parent.clone())),
            Column::new(
                "governance_model".into(),
                s(|r| r.effective_model.map(|m| m.name().to_string())),
            ),
            Column::new(
                "model_adopted".into(),
                rows.iter().map(|r| r.effective_adopted).collect::<Vec<_>>(),
            ),
            Column::new(
                "population".into(),
                rows.iter().map(|r| r.row.population).collect::<Vec<_>>(),
            ),
            Column::new(
                "households".into(),
                rows.iter().map(|r| r.row.households).collect::<Vec<_>>(),
            ),
            Column::new(
                "model_declared".into(),
                rows.iter()
                    .map(|r| r.row.model.is_some())
                    .collect::<Vec<_>>(),
            ),
            Column::new("model_from".into(), s(|r| r.model_from.clone())),
        ],
    )
}

/// region_code, period, period_kind, period_start: the leading columns of
/// every fact table.
fn lead_columns<'a>(codes: impl Iterator<Item = &'a str>, periods: &[Period]) -> Vec<Column> {
    let mut cols = vec![Column::new("region_code".into(), codes.collect::<Vec<_>>())];
    cols.extend(period_columns(periods));
    cols
}

/// The lead columns followed by a table's own.
fn fact_frame(mut lead: Vec<Column>, own: DataFrame) -> PolarsResult<DataFrame> {
    let height = own.height();
    lead.extend(own.columns().iter().cloned());
    DataFrame::new(height, lead)
}

pub fn ages_frame(rows: &[AgeRow]) -> PolarsResult<DataFrame> {
    let periods: Vec<Period> = rows.iter().map(|r| r.period).collect();
    let (lo, hi): (Vec<Option<i32>>, Vec<Option<i32>>) = rows
        .iter()
        .map(|r| match r.band {
            Band::Range { lo, hi } => (Some(lo as i32), hi.map(|h| h as i32)),
            Band::Total => (None, None),
        })
        .unzip();
    let own = df!(
        "role" => rows.iter().map(|r| r.role).collect::<Vec<_>>(),
        "age_band" => rows.iter().map(|r| r.band.canonical()).collect::<Vec<_>>(),
        "age_lo" => lo,
        "age_hi" => hi,
        "count" => rows.iter().map(|r| r.count).collect::<Vec<_>>(),
        "reported_share" => rows.iter().map(|r| r.share).collect::<Vec<_>>(),
        "count_rounding" => rows.iter().map(|r| r.rounding).collect::<Vec<_>>(),
    )?;
    fact_frame(
        lead_columns(rows.iter().map(|r| r.code.as_str()), &periods),
        own,
    )
}

pub fn disputes_frame(rows: &[DisputeRow]) -> PolarsResult<DataFrame> {
    let periods: Vec<Period> = rows.iter().map(|r| r.period).collect();
    let own = df!(
        "category" => rows.iter().map(|r| r.category.as_deref()).collect::<Vec<_>>(),
        "received" => rows.iter().map(|r| r.received).collect::<Vec<_>>(),
        "resolved" => rows.iter().map(|r| r.resolved).collect::<Vec<_>>(),
        "escalated" => rows.iter().map(|r| r.escalated).collect::<Vec<_>>(),
        "mean_days" => rows.iter().map(|r| r.mean_days).collect::<Vec<_>>(),
        "reported_share" => rows.iter().map(|r| r.share).collect::<Vec<_>>(),
        "part_of" => rows.iter().map(|r| r.part_of.as_deref()).collect::<Vec<_>>(),
    )?;
    fact_frame(
        lead_columns(rows.iter().map(|r| r.code.as_str()), &periods),
        own,
    )
}

pub fn usage_frame(rows: &[UsageRow]) -> PolarsResult<DataFrame> {
    let periods: Vec<Period> = rows.iter().map(|r| r.period).collect();
    let own = df!(
        "center_type" => rows.iter().map(|r| r.center_type).collect::<Vec<_>>(),
        "center_name" => rows.iter().map(|r| r.center_name.as_str()).collect::<Vec<_>>(),
        "visits" => rows.iter().map(|r| r.visits).collect::<Vec<_>>(),
        "services" => rows.iter().map(|r| r.services).collect::<Vec<_>>(),
        "satisfaction" => rows.iter().map(|r| r.satisfaction).collect::<Vec<_>>(),
        "staff" => rows.iter().map(|r| r.staff).collect::<Vec<_>>(),
    )?;
    fact_frame(
        lead_columns(rows.iter().map(|r| r.code.as_str()), &periods),
        own,
    )
}

pub fn indicators_frame(rows: &[IndicatorRow]) -> PolarsResult<DataFrame> {
    let periods: Vec<Period> = rows.iter().map(|r| r.period).collect();
    let own = df!(
        "indicator" => rows.iter().map(|r| r.indicator.as_str()).collect::<Vec<_>>(),
        "value" => rows.iter().map(|r| r.value).collect::<Vec<_>>(),
        "unit" => rows.iter().map(|r| r.unit.as_deref()).collect::<Vec<_>>(),
        "unit_printed" => rows.iter().map(|r| r.unit_printed.as_deref()).collect::<Vec<_>>(),
        "level" => rows.iter().map(|r| r.level.name()).collect::<Vec<_>>(),
        "part_of" => rows.iter().map(|r| r.part_of.as_deref()).collect::<Vec<_>>(),
        "reported_share" => rows.iter().map(|r| r.share).collect::<Vec<_>>(),
        "value_rounding" => rows.iter().map(|r| r.rounding).collect::<Vec<_>>(),
    )?;
    fact_frame(
        lead_columns(rows.iter().map(|r| r.code.as_str()), &periods),
        own,
    )
}

/// The schema of a table, from an empty frame of the same builder, so the
/// two can never disagree.
pub fn schema_of(df: &DataFrame) -> Schema {
    df.schema().as_ref().clone()
}

/// A text column of a frame read back, as owned values (null: `None`).
pub fn texts(df: &DataFrame, column: &str) -> PolarsResult<Vec<Option<String>>> {
    Ok(df
        .column(column)?
        .str()?
        .iter()
        .map(|v| v.map(String::from))
        .collect())
}
