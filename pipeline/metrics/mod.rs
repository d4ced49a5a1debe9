//! Unit metrics of contract §3 as polars expressions over the whole
//! warehouse: every region is mapped to its unit at the analysis level, every
//! period to the analysis period, and the metrics are group-bys, not loops.
//!
//! Flows (disputes, visits) sum over finer periods; stocks (member ages) take
//! the last period reported inside the analysis period, per reporting region,
//! before regions are summed into their unit.

use std::collections::HashMap;
use std::path::Path;

use polars::prelude::*;

use crate::config::Config;
use crate::contract::Level;
use crate::warehouse::{self, WarehouseError};

pub mod clusters;
pub mod keys;

pub use clusters::Clusters;

#[derive(Debug, thiserror::Error)]
pub enum MetricsError {
    #[error(transparent)]
    Warehouse(#[from] WarehouseError),
    #[error("computing unit metrics: {0}")]
    Polars(#[from] PolarsError),
    #[error(
        "config {config}: key run.analysis_level: no region of the tree is at level '{level}'"
    )]
    NoUnits { config: String, level: String },
}

/// A unit at the analysis level, with its inherited model and population.
#[derive(Debug, Clone, PartialEq)]
pub struct Unit {
    pub code: String,
    pub name: String,
    pub model: Option<String>,
    pub adopted: Option<i32>,
    pub population: Option<f64>,
    pub level: String,
    /// The county-level (区/县) ancestor or self: the unit's district.
    pub district: Option<String>,
    /// The district's name, for reports that name it (平谷区).
    pub district_name: Option<String>,
    /// The street-level (乡镇街道) ancestor or self, when the tree has one:
    /// the district report's table of streets.
    pub street: Option<String>,
    pub street_name: Option<String>,
}

/// Region → unit at `level` (itself, or its ancestor there), and the units.
pub fn units(regions: &DataFrame, level: Level) -> PolarsResult<(DataFrame, Vec<Unit>)> {
    let s = |c: &str| -> PolarsResult<Vec<Option<String>>> {
        Ok(regions
            .column(c)?
            .str()?
            .iter()
            .map(|v| v.map(str::to_string))
            .collect())
    };
    let (codes, names, levels, parents, models) = (
        s("region_code")?,
        s("region_name")?,
        s("level")?,
        s("parent_code")?,
        s("governance_model")?,
    );
    let adopted: Vec<Option<i32>> = regions.column("model_adopted")?.i32()?.iter().collect();
    let pop: Vec<Option<f64>> = regions
        .column("population")?
        .cast(&DataType::Float64)?
        .f64()?
        .iter()
        .collect();
    let index: HashMap<&str, usize> = codes
        .iter()
        .enumerate()
        .filter_map(|(i, c)| c.as_deref().map(|c| (c, i)))
        .collect();
    let at_level = |i: usize| levels[i].as_deref() == Some(level.name());
    // Walk up from every region to the first ancestor at the level.
    let unit_of: Vec<Option<usize>> = (0..codes.len())
        .map(|i| {
            let mut cur = Some(i);
            let mut guard = 0;
            while let Some(c) = cur {
                if at_level(c) {
                    return Some(c);
                }
                cur = parents[c].as_deref().and_then(|p| index.get(p).copied());
                guard += 1;
                if guard > 64 {
                    return None;
                }
            }
            None
        })
        .collect();
    // Population: the unit's own, else the sum over its communities.
    let mut summed: HashMap<usize, f64> = HashMap::new();
    for (i, u) in unit_of.iter().enumerate() {
        if let (Some(u), Some(p)) = (u, pop[i]) {
            if levels[i].as_deref() == Some("community") && *u != i {
                *summed.entry(*u).or_default() += p;
            }
        }
    }
    // The ancestor (or self) at a level, as (code, name).
    let ancestor = |i: usize, at: &str| -> Option<(String, Option<String>)> {
        let mut cur = Some(i);
        for _ in 0..64 {
            let c = cur?;
            if levels[c].as_deref() == Some(at) {
                return codes[c].clone().map(|code| (code, names[c].clone()));
            }
            cur = parents[c].as_deref().and_then(|p| index.get(p).copied());
        }
        None
    };
    let units: Vec<Unit> = (0..codes.len())
        .filter(|&i| at_level(i))
        .map(|i| (i, ancestor(i, "county"), ancestor(i, "street")))
        .map(|(i, district, street)| Unit {
            code: codes[i].clone().unwrap_or_default(),
            name: names[i].clone().unwrap_or_default(),
            model: models[i].clone(),
            adopted: adopted[i],
            population: pop[i].or_else(|| summed.get(&i).copied()),
            level: levels[i].clone().unwrap_or_default(),
            district_name: district.as_ref().and_then(|d| d.1.clone()),
            district: district.map(|d| d.0),
            street_name: street.as_ref().and_then(|d| d.1.clone()),
            street: street.map(|d| d.0),
        })
        .collect();
    // Each region's key → its unit's rank among the units in code order
    // (module `keys`: the joins and sorts run on these numbers).
    let unit_regions: Vec<usize> = (0..codes.len()).filter(|&i| at_level(i)).collect();
    let rank = code_ranks(&units);
    let position: HashMap<usize, u32> = unit_regions
        .iter()
        .enumerate()
        .map(|(u, &region)| (region, rank[u]))
        .collect();
    let (keys, ranks): (Vec<i64>, Vec<u32>) = unit_of
        .iter()
        .enumerate()
        .filter_map(|(i, u)| {
            let key = keys::region_key(codes[i].as_deref()?)?;
            Some((key, *position.get(&(*u)?)?))
        })
        .unzip();
    Ok((df!("region_key" => keys, "unit" => ranks)?, units))
}

/// Each unit's position among the units sorted by code.
fn code_ranks(units: &[Unit]) -> Vec<u32> {
    let mut order: Vec<usize> = (0..units.len()).collect();
    order.sort_by(|&a, &b| units[a].code.cmp(&units[b].code));
    let mut rank = vec![0u32; units.len()];
    for (r, &u) in order.iter().enumerate() {
        rank[u] = r as u32;
    }
    rank
}

/// The analysis period's number from `period_start` (module [`keys`]), and
/// a filter that keeps facts no coarser than the analysis period.
fn analysis_period(kind: &str) -> (Expr, Expr) {
    let keep = match kind {
        // A half-year flow is summed into its year only.
        "quarter" => col("period_kind")
            .eq(lit("quarter"))
            .or(col("period_kind").eq(lit("month"))),
        "month" => col("period_kind").eq(lit("month")),
        _ => lit(true),
    };
    (keys::period_number_expr(kind), keep)
}

fn scan(wh: &Path, table: &str) -> PolarsResult<LazyFrame> {
    LazyFrame::scan_parquet(
        PlRefPath::try_from_path(&wh.join(table).join("part-0.parquet"))?,
        ScanArgsParquet::default(),
    )
}

/// A metric's rows: unit rank, period number, the metric's place in
/// [`METRIC_NAMES`] (its name is attached after the sort, [`with_text`]),
/// the breakdown's place in [`BREAKDOWNS`] (`bplace`: made once on the
/// frame before its metrics are stacked, or 0 for none), then the other
/// columns of `unit_metrics`.
fn long(
    lf: LazyFrame,
    metric: &'static str,
    value: Expr,
    (breakdown, bplace): (Expr, Expr),
    interpolated: Expr,
) -> LazyFrame {
    let place = METRIC_NAMES
        .iter()
        .position(|m| *m == metric)
        .expect("every metric is in METRIC_NAMES") as u32;
    lf.select([
        col("unit"),
        col("aperiod"),
        lit(place).alias("metric_place"),
        bplace.cast(DataType::Int64).alias("bplace"),
        breakdown.cast(DataType::String).alias("breakdown"),
        value.cast(DataType::Float64).alias("value"),
        interpolated.alias("interpolated"),
    ])
}

/// The metrics of `unit_metrics`, in their text order (the rows' sort).
const METRIC_NAMES: [&str; 11] = [
    "aging_ratio",
    "center_coverage",
    "disputes_per_10k",
    "escalation_rate",
    "mean_age",
    "members",
    "resolution_rate",
    "satisfaction",
    "share_old",
    "share_young",
    "visits_per_1k",
];

/// The roles of `member_bands`, in text order.
const ROLES: [&str; 2] = ["cadre", "member"];

/// The breakdowns of `unit_metrics` (roles and centre types: the ingest
/// vocabulary of contract §1), in text order.
const BREAKDOWNS: [&str; 10] = [
    "cadre",
    "children",
    "convenience",
    "culture_sports",
    "elderly_care",
    "governance",
    "health",
    "member",
    "other",
    "volunteer",
];

/// The units at the analysis level and the region → unit map, read once a
/// run and shared by every period's metrics.
pub struct Tree {
    pub units: Vec<Unit>,
    /// The units' clusters for the adoption effects (`[compare] cluster`),
    /// aligned with `units`.
    pub clusters: Clusters,
    /// region_key → unit (rank), for every region under a unit.
    map: DataFrame,
    /// unit (rank) → region_code, governance_model, population, in rank order.
    unit_df: DataFrame,
}

pub fn tree(config: &Config) -> Result<Tree, MetricsError> {
    let wh = &config.warehouse;
    warehouse::Manifest::read(wh)?;
    let regions = warehouse::read_table(wh, "regions")?;
    let (map, units) = units(&regions, config.analysis_level)?;
    if units.is_empty() {
        return Err(MetricsError::NoUnits {
            config: config.path.display().to_string(),
            level: config.analysis_level.name().into(),
        });
    }
    let mut by_code: Vec<&Unit> = units.iter().collect();
    by_code.sort_by(|a, b| a.code.cmp(&b.code));
    let unit_df = df!(
        "unit" => (0..by_code.len() as u32).collect::<Vec<_>>(),
        "region_code" => by_code.iter().map(|u| u.code.as_str()).collect::<Vec<_>>(),
        "governance_model" => by_code.iter().map(|u| u.model.as_deref()).collect::<Vec<_>>(),
        "population" => by_code.iter().map(|u| u.population).collect::<Vec<_>>(),
    )?;
    let clusters = clusters::clusters(
        &regions,
        &units,
        config.compare.cluster,
        config.analysis_level,
    )?;
    Ok(Tree {
        units,
        clusters,
        map,
        unit_df,
    })
}

/// A fact table's rows of the tree's units, with their unit (rank), region
/// key and analysis period number (`aperiod`), only those of `periods` when
/// given. The period is selected on `period_start` as a day number before
/// anything else is made.
fn facts(
    config: &Config,
    tree: &Tree,
    table: &str,
    periods: Option<&[String]>,
) -> PolarsResult<LazyFrame> {
    let (aperiod, keep) = analysis_period(&config.period);
    let mut lf = scan(&config.warehouse, table)?.filter(keep);
    // Sorted periods: from the first's first day to the day after the last.
    let range = periods.and_then(|ps| {
        let (from, _) = keys::period_days(&config.period, ps.first()?)?;
        let (_, to) = keys::period_days(&config.period, ps.last()?)?;
        Some((from, to))
    });
    if let Some((from, to)) = range {
        let day = col("period_start").cast(DataType::Int32);
        lf = lf.filter(day.clone().gt_eq(lit(from)).and(day.lt(lit(to))));
    }
    Ok(of_units(lf.with_column(aperiod.alias("aperiod")), tree))
}

/// Facts of the tree's units only, each with its region key and unit rank.
fn of_units(lf: LazyFrame, tree: &Tree) -> LazyFrame {
    lf.with_column(keys::region_key_expr(col("region_code")).alias("region_key"))
        .join(
            tree.map.clone().lazy(),
            [col("region_key")],
            [col("region_key")],
            JoinArgs::new(JoinType::Inner),
        )
}

/// The analysis periods with facts of the tree's units, in order: labels
/// are made for the distinct period numbers only.
pub fn periods(config: &Config, tree: &Tree) -> Result<Vec<String>, MetricsError> {
    let (aperiod, keep) = analysis_period(&config.period);
    let mut numbers = Vec::new();
    for table in ["member_ages", "disputes", "service_usage"] {
        let facts = scan(&config.warehouse, table)?
            .filter(keep.clone())
            .select([col("region_code"), col("period_start")]);
        numbers.push(
            of_units(facts, tree)
                .select([aperiod.clone().alias("aperiod")])
                .unique(None, UniqueKeepStrategy::Any),
        );
    }
    let df = concat(numbers, UnionArgs::default())?
        .unique(None, UniqueKeepStrategy::Any)
        .collect()?;
    let all: std::collections::BTreeSet<i32> =
        df.column("aperiod")?.i32()?.iter().flatten().collect();
    Ok(all
        .into_iter()
        .map(|n| keys::period_label(&config.period, n))
        .collect())
}

/// The order of `unit_metrics` rows (nulls first): one row per key.
pub const METRICS_ORDER: [&str; 4] = ["period", "region_code", "metric", "breakdown"];
/// The order of member-age band rows: one row per key.
pub const BANDS_ORDER: [&str; 5] = ["period", "region_code", "role", "age_lo", "age_band"];

/// Computes `unit_metrics` (region_code, period, governance_model, metric,
/// breakdown, value, interpolated) and the member-age band counts behind them
/// (unit, period, role, band, count, age_lo: sorted by [`BANDS_ORDER`]),
/// unit metrics sorted by [`METRICS_ORDER`],
/// for the whole warehouse and config.
pub fn unit_metrics(config: &Config) -> Result<(DataFrame, DataFrame, Vec<Unit>), MetricsError> {
    let tree = tree(config)?;
    let (um, bands) = period_metrics(config, &tree, None)?;
    Ok((um, bands, tree.units))
}

/// [`unit_metrics`] of a run of consecutive analysis periods (sorted; or
/// all): at national scale one period is what fits in memory, and compare
/// works a batch of periods at a time.
pub fn period_metrics(
    config: &Config,
    tree: &Tree,
    periods: Option<&[String]>,
) -> Result<(DataFrame, DataFrame), MetricsError> {
    let unit_df = tree.unit_df.clone().lazy();
    // The labels of the batch's periods, attached to the sorted rows.
    let labels = match periods {
        Some(p) => keys::labels_frame(&config.period, p)?,
        None => keys::labels_frame(&config.period, &self::periods(config, tree)?)?,
    };

    let t = std::time::Instant::now();
    let (bands, mut parts) = age_plans(config, tree, periods)?;
    parts.extend(dispute_plans(config, tree, periods, &unit_df)?);
    parts.extend(service_plans(config, tree, periods, &unit_df)?);

    let metric_key = keys::sort_key(
        col("aperiod"),
        col("unit"),
        &[(col("metric_place"), 4), (col("bplace"), 4)],
    );
    let out = concat(parts, UnionArgs::default())?
        .with_column(metric_key.alias("key"))
        .sort(["key"], SortMultipleOptions::default());
    // One plan for both tables, so the member-age facts behind the bands
    // and the age metrics are scanned and windowed once (a collect each
    // did it twice).
    let opt = out.get_current_optimizations();
    let mut both = LazyFrame::collect_all_with_engine(
        vec![out.logical_plan, bands.logical_plan],
        Engine::Auto,
        opt,
    )?
    .into_iter();
    let (out, bands) = (both.next(), both.next());
    let text = |df: Option<DataFrame>, tie: &str| {
        with_text(df.expect("two plans, two frames"), tie, tree, &labels)
    };
    let out = text(out, "breakdown")?.select([
        "region_code",
        "period",
        "governance_model",
        "metric",
        "breakdown",
        "value",
        "interpolated",
    ])?;
    let bands = text(bands, "age_band")?.select([
        "region_code",
        "period",
        "role",
        "age_band",
        "count",
        "age_lo",
    ])?;
    tracing::debug!(seconds = t.elapsed().as_secs_f64(), "unit metrics");
    Ok((out, bands))
}

/// No breakdown: a metric's null breakdown and its place 0.
fn none() -> (Expr, Expr) {
    (lit(NULL).cast(DataType::String), lit(0i64))
}

/// The member-age metrics' plans (members, share_young, share_old,
/// aging_ratio, mean_age by role) and the band counts behind them: the last
/// period inside the analysis period, per region and role.
fn age_plans(
    config: &Config,
    tree: &Tree,
    periods: Option<&[String]>,
) -> Result<(LazyFrame, Vec<LazyFrame>), MetricsError> {
    let facts = |table: &str| facts(config, tree, table, periods);
    let f = lit(false);
    let (yb, of) = (
        config.metrics.young_below as i32,
        config.metrics.old_from as i32,
    );
    let lo = col("age_lo");
    let hi = when(col("age_hi").is_null())
        .then(col("age_lo") + lit(9))
        .otherwise(col("age_hi"));
    let width = (hi.clone() - lo.clone() + lit(1)).cast(DataType::Float64);
    let young_frac = when(hi.clone().lt(lit(yb)))
        .then(lit(1.0))
        .when(lo.clone().gt_eq(lit(yb)))
        .then(lit(0.0))
        .otherwise((lit(yb) - lo.clone()).cast(DataType::Float64) / width.clone());
    let old_frac = when(lo.clone().gt_eq(lit(of)))
        .then(lit(1.0))
        .when(hi.clone().lt(lit(of)))
        .then(lit(0.0))
        .otherwise((hi.clone() - lit(of) + lit(1)).cast(DataType::Float64) / width);
    let straddles = (lo.clone().lt(lit(yb)).and(hi.clone().gt_eq(lit(yb))))
        .or(lo.clone().lt(lit(of)).and(hi.gt_eq(lit(of))));
    let mid = when(col("age_hi").is_null())
        .then((col("age_lo") + lit(5)).cast(DataType::Float64))
        .otherwise((col("age_lo") + col("age_hi")).cast(DataType::Float64) / lit(2.0));
    let last_bands = facts("member_ages")?
        .filter(col("age_band").neq(lit("total")))
        .filter(col("period_start").eq(col("period_start").max().over([
            col("region_key"),
            col("role"),
            col("aperiod"),
        ])?));
    let bands = last_bands
        .clone()
        .group_by([
            col("unit"),
            col("aperiod"),
            col("role"),
            col("age_band"),
            col("age_lo"),
        ])
        .agg([col("count").sum()]);
    // age_band breaks ties of two bands with one lower bound (a unit's
    // communities may band differently), so the order is fully set and a
    // sharded run's combined bands sort into the same order.
    let band_key = keys::sort_key(
        col("aperiod"),
        col("unit"),
        &[(keys::place(col("role"), &ROLES), 2), (col("age_lo"), 10)],
    );
    let bands = bands
        .with_column(band_key.alias("key"))
        .sort(["key"], SortMultipleOptions::default());
    let ages = last_bands
        .group_by([col("unit"), col("aperiod"), col("role")])
        .agg([
            col("count").sum().alias("members"),
            (col("count") * young_frac).sum().alias("young"),
            (col("count") * old_frac).sum().alias("old"),
            (col("count") * mid).sum().alias("agesum"),
            straddles
                .and(col("count").gt(lit(0.0)))
                .any(true)
                .alias("interp"),
        ])
        .with_columns([
            (col("young") / col("members")).alias("share_young"),
            (col("old") / col("members")).alias("share_old"),
            (col("agesum") / col("members")).alias("mean_age"),
        ])
        .with_columns([
            when(col("share_young").gt(lit(0.0)))
                .then(col("share_old") / col("share_young"))
                .otherwise(lit(NULL).cast(DataType::Float64))
                .alias("aging_ratio"),
            keys::place(col("role"), &BREAKDOWNS).alias("bplace"),
        ]);
    let by_role = || (col("role"), col("bplace"));
    let mut parts = vec![long(
        ages.clone(),
        "members",
        col("members"),
        by_role(),
        f.clone(),
    )];
    for m in ["share_young", "share_old", "aging_ratio"] {
        parts.push(long(ages.clone(), m, col(m), by_role(), col("interp")));
    }
    parts.push(long(
        ages,
        "mean_age",
        col("mean_age"),
        by_role(),
        f.clone(),
    ));

    Ok((bands, parts))
}

/// The dispute metrics' plans: a region-period's "all categories" row wins
/// over its categories.
fn dispute_plans(
    config: &Config,
    tree: &Tree,
    periods: Option<&[String]>,
    unit_df: &LazyFrame,
) -> Result<Vec<LazyFrame>, MetricsError> {
    let facts = |table: &str| facts(config, tree, table, periods);
    let f = lit(false);
    let mut parts = Vec::new();
    let mut disputes = facts("disputes")?;
    // A part of a printed outline (a sub-type) is in its type already; a
    // warehouse of schema version 1 has no such rows.
    if disputes
        .collect_schema()
        .map_err(MetricsError::from)?
        .contains("part_of")
    {
        disputes = disputes.filter(col("part_of").is_null());
    }
    let disputes = disputes
        .with_column(
            col("category")
                .is_null()
                .any(true)
                .over([col("region_key"), col("period_start"), col("period_kind")])?
                .alias("has_all"),
        )
        .filter(col("category").is_null().eq(col("has_all")))
        .group_by([col("unit"), col("aperiod")])
        .agg([
            col("received").sum(),
            // Unknown when a row of the unit-period lacks it (a table of
            // cases only): a partial sum would understate the rate.
            when(col("resolved").is_null().any(true))
                .then(lit(NULL).cast(DataType::Int64))
                .otherwise(col("resolved").sum())
                .alias("resolved"),
            when(col("escalated").is_null().all(true))
                .then(lit(NULL).cast(DataType::Int64))
                .otherwise(col("escalated").sum())
                .alias("escalated"),
        ])
        .join(
            unit_df.clone(),
            [col("unit")],
            [col("unit")],
            JoinArgs::new(JoinType::Left),
        );
    let per_received = |c: &str| {
        when(col("received").gt(lit(0)))
            .then(col(c).cast(DataType::Float64) / col("received").cast(DataType::Float64))
            .otherwise(lit(NULL).cast(DataType::Float64))
    };
    parts.push(long(
        disputes.clone(),
        "disputes_per_10k",
        col("received").cast(DataType::Float64) / col("population") * lit(10_000.0),
        none(),
        f.clone(),
    ));
    parts.push(long(
        disputes.clone(),
        "resolution_rate",
        per_received("resolved"),
        none(),
        f.clone(),
    ));
    parts.push(long(
        disputes,
        "escalation_rate",
        per_received("escalated"),
        none(),
        f.clone(),
    ));

    Ok(parts)
}

/// The service centres' plans: visits per 1,000 by type and in all,
/// coverage of the seven types, satisfaction weighted by visits.
fn service_plans(
    config: &Config,
    tree: &Tree,
    periods: Option<&[String]>,
    unit_df: &LazyFrame,
) -> Result<Vec<LazyFrame>, MetricsError> {
    let facts = |table: &str| facts(config, tree, table, periods);
    let f = lit(false);
    let mut parts = Vec::new();
    let usage = facts("service_usage")?;
    let by_type = usage
        .clone()
        .group_by([col("unit"), col("aperiod"), col("center_type")])
        .agg([col("visits").sum()])
        .with_column(keys::place(col("center_type"), &BREAKDOWNS).alias("bplace"))
        .join(
            unit_df.clone(),
            [col("unit")],
            [col("unit")],
            JoinArgs::new(JoinType::Left),
        );
    let visits_per_1k = || col("visits").cast(DataType::Float64) / col("population") * lit(1_000.0);
    parts.push(long(
        by_type.clone(),
        "visits_per_1k",
        visits_per_1k(),
        (col("center_type"), col("bplace")),
        f.clone(),
    ));
    let totals = usage
        .group_by([col("unit"), col("aperiod")])
        .agg([
            col("visits").sum(),
            col("center_type")
                .filter(
                    col("visits")
                        .gt(lit(0))
                        .and(col("center_type").neq(lit("other"))),
                )
                .n_unique()
                .alias("centres"),
            (col("satisfaction") * col("visits").cast(DataType::Float64))
                .sum()
                .alias("sat_w"),
            col("visits")
                .filter(col("satisfaction").is_not_null())
                .sum()
                .alias("sat_v"),
        ])
        .join(
            unit_df.clone(),
            [col("unit")],
            [col("unit")],
            JoinArgs::new(JoinType::Left),
        );
    parts.push(long(
        totals.clone(),
        "visits_per_1k",
        visits_per_1k(),
        none(),
        f.clone(),
    ));
    parts.push(long(
        totals.clone(),
        "center_coverage",
        col("centres").cast(DataType::Float64) / lit(7.0),
        none(),
        f.clone(),
    ));
    parts.push(long(
        totals,
        "satisfaction",
        when(col("sat_v").gt(lit(0)))
            .then(col("sat_w") / col("sat_v").cast(DataType::Float64))
            .otherwise(lit(NULL).cast(DataType::Float64)),
        none(),
        f,
    ));

    Ok(parts)
}

/// The text of rows sorted by their integer `key`: region code and model by
/// unit rank, period label by number, metric name by place, each a gather
/// from a small table (joins on the millions of rows, and a sort carrying
/// their text, were most of the metrics' time: perf at 100k, 2026-12-01).
///
/// A key is one row's (period, unit, small places) and so unique, except
/// where a word outside the vocabulary shares the last place (`keys::place`):
/// then, and only then, the rows are sorted again with `tie` (text) breaking
/// ties, nulls first, which is the order the key stands for.
fn with_text(
    mut df: DataFrame,
    tie: &str,
    tree: &Tree,
    labels: &DataFrame,
) -> PolarsResult<DataFrame> {
    let key = df.column("key")?.i64()?;
    if key.iter().zip(key.iter().skip(1)).any(|(a, b)| a == b) {
        df = df.sort(
            ["key", tie],
            SortMultipleOptions::default().with_nulls_last(false),
        )?;
    }
    let unit = df.column("unit")?.cast(&IDX_DTYPE)?.idx()?.clone();
    let numbers: Vec<Option<i32>> = labels.column("aperiod")?.i32()?.iter().collect();
    let period: IdxCa = df
        .column("aperiod")?
        .i32()?
        .iter()
        .map(|a| {
            a.and_then(|a| numbers.binary_search(&Some(a)).ok())
                .map(|i| i as IdxSize)
        })
        .collect();
    let mut text = vec![
        tree.unit_df.column("region_code")?.take(&unit)?,
        tree.unit_df.column("governance_model")?.take(&unit)?,
        labels.column("period")?.take(&period)?,
    ];
    if let Ok(place) = df.column("metric_place") {
        let names = Column::new("metric".into(), METRIC_NAMES);
        text.push(names.take(place.cast(&IDX_DTYPE)?.idx()?)?);
    }
    df.hstack_mut(&text)?;
    Ok(df)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree_of(codes: &[&str]) -> Tree {
        let n = codes.len() as u32;
        Tree {
            units: Vec::new(),
            clusters: Clusters::default(),
            map: df!("region_key" => [0i64], "unit" => [0u32]).unwrap(),
            unit_df: df!(
                "unit" => (0..n).collect::<Vec<_>>(),
                "region_code" => codes,
                "governance_model" => vec![Some("embedded"); codes.len()],
                "population" => vec![Some(1.0); codes.len()],
            )
            .unwrap(),
        }
    }

    /// The rows come sorted by their integer key; the text is gathered by
    /// unit rank, period number and metric place, not joined.
    #[test]
    fn with_text_gathers_codes_periods_and_metric_names_by_their_numbers() {
        let tree = tree_of(&["110101", "110102"]);
        let labels = keys::labels_frame("year", &["2023".into(), "2024".into()]).unwrap();
        let df = df!(
            "key" => [1i64, 2, 3],
            "unit" => [1u32, 0, 1],
            "aperiod" => [2023i32, 2024, 2024],
            "metric_place" => [6u32, 0, 10],
            "breakdown" => [None::<&str>, Some("member"), None],
        )
        .unwrap();
        let out = with_text(df, "breakdown", &tree, &labels).unwrap();
        let s = |c: &str| -> Vec<Option<String>> {
            out.column(c)
                .unwrap()
                .str()
                .unwrap()
                .iter()
                .map(|v| v.map(str::to_string))
                .collect()
        };
        let some = |v: &[&str]| v.iter().map(|x| Some(x.to_string())).collect::<Vec<_>>();
        assert_eq!(s("region_code"), some(&["110102", "110101", "110102"]));
        assert_eq!(s("period"), some(&["2023", "2024", "2024"]));
        assert_eq!(
            s("metric"),
            some(&["resolution_rate", "aging_ratio", "visits_per_1k"])
        );
    }

    /// Two words outside the vocabulary share one place, so their keys tie:
    /// then (only then) the text breaks the tie, nulls first, as the sort on
    /// (key, text) the key stands for would.
    #[test]
    fn with_text_breaks_tied_keys_by_the_text() {
        let tree = tree_of(&["110101"]);
        let labels = keys::labels_frame("year", &["2023".into()]).unwrap();
        let df = df!(
            "key" => [4i64, 5, 5, 5],
            "unit" => [0u32, 0, 0, 0],
            "aperiod" => [2023i32; 4],
            "metric_place" => [10u32; 4],
            "breakdown" => [None, Some("zz_new"), Some("aa_new"), None],
        )
        .unwrap();
        let out = with_text(df, "breakdown", &tree, &labels).unwrap();
        let got: Vec<Option<&str>> = out
            .column("breakdown")
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .collect();
        assert_eq!(got, vec![None, None, Some("aa_new"), Some("zz_new")]);
        let keys: Vec<Option<i64>> = out.column("key").unwrap().i64().unwrap().iter().collect();
        assert_eq!(keys, vec![Some(4), Some(5), Some(5), Some(5)]);
    }
}
