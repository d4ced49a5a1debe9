//! Typed rows → polars frames with the warehouse schemas of contract §9.
//!
//! Schemas are fixed here (not inferred from data) so that an empty table, a
//! table from GBK CSV and one from XLSX all come out with the same types.

use polars::prelude::*;

use crate::ingest::parse::{Band, Period};
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

pub fn ages_frame(rows: &[AgeRow]) -> PolarsResult<DataFrame> {
    let periods: Vec<Period> = rows.iter().map(|r| r.period).collect();
    let mut cols = vec![Column::new(
        "region_code".into(),
        rows.iter().map(|r| r.code.as_str()).collect::<Vec<_>>(),
    )];
    cols.extend(period_columns(&periods));
    let (lo, hi): (Vec<Option<i32>>, Vec<Option<i32>>) = rows
        .iter()
        .map(|r| match r.band {
            Band::Range { lo, hi } => (Some(lo as i32), hi.map(|h| h as i32)),
            Band::Total => (None, None),
        })
        .unzip();
    cols.extend([
        Column::new(
            "role".into(),
            rows.iter().map(|r| r.role).collect::<Vec<_>>(),
        ),
        Column::new(
            "age_band".into(),
            rows.iter().map(|r| r.band.canonical()).collect::<Vec<_>>(),
        ),
        Column::new("age_lo".into(), lo),
        Column::new("age_hi".into(), hi),
        Column::new(
            "count".into(),
            rows.iter().map(|r| r.count).collect::<Vec<_>>(),
        ),
        Column::new(
            "reported_share".into(),
            rows.iter().map(|r| r.share).collect::<Vec<_>>(),
        ),
    ]);
    DataFrame::new(rows.len(), cols)
}

pub fn disputes_frame(rows: &[DisputeRow]) -> PolarsResult<DataFrame> {
    let periods: Vec<Period> = rows.iter().map(|r| r.period).collect();
    let mut cols = vec![Column::new(
        "region_code".into(),
        rows.iter().map(|r| r.code.as_str()).collect::<Vec<_>>(),
    )];
    cols.extend(period_columns(&periods));
    cols.extend([
        Column::new(
            "category".into(),
            rows.iter()
                .map(|r| r.category.as_deref())
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "received".into(),
            rows.iter().map(|r| r.received).collect::<Vec<_>>(),
        ),
        Column::new(
            "resolved".into(),
            rows.iter().map(|r| r.resolved).collect::<Vec<_>>(),
        ),
        Column::new(
            "escalated".into(),
            rows.iter().map(|r| r.escalated).collect::<Vec<_>>(),
        ),
        Column::new(
            "mean_days".into(),
            rows.iter().map(|r| r.mean_days).collect::<Vec<_>>(),
        ),
    ]);
    DataFrame::new(rows.len(), cols)
}

pub fn usage_frame(rows: &[UsageRow]) -> PolarsResult<DataFrame> {
    let periods: Vec<Period> = rows.iter().map(|r| r.period).collect();
    let mut cols = vec![Column::new(
        "region_code".into(),
        rows.iter().map(|r| r.code.as_str()).collect::<Vec<_>>(),
    )];
    cols.extend(period_columns(&periods));
    cols.extend([
        Column::new(
            "center_type".into(),
            rows.iter().map(|r| r.center_type).collect::<Vec<_>>(),
        ),
        Column::new(
            "center_name".into(),
            rows.iter()
                .map(|r| r.center_name.as_str())
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "visits".into(),
            rows.iter().map(|r| r.visits).collect::<Vec<_>>(),
        ),
        Column::new(
            "services".into(),
            rows.iter().map(|r| r.services).collect::<Vec<_>>(),
        ),
        Column::new(
            "satisfaction".into(),
            rows.iter().map(|r| r.satisfaction).collect::<Vec<_>>(),
        ),
        Column::new(
            "staff".into(),
            rows.iter().map(|r| r.staff).collect::<Vec<_>>(),
        ),
    ]);
    DataFrame::new(rows.len(), cols)
}

/// The schema of a table, from an empty frame of the same builder, so the
/// two can never disagree.
pub fn schema_of(df: &DataFrame) -> Schema {
    df.schema().as_ref().clone()
}
