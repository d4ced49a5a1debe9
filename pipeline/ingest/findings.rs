//! Group-level findings of contract §2: rows are kept, the finding is
//! reported. W_TOTAL and W_SHARE reconcile published totals and shares with
//! the bands; W_COVERAGE lists holes in a table's panel; W_REFERENCE (an
//! extension) flags county-and-above codes absent from GB/T 2260.
//!
//! W_TOTAL, W_SHARE and W_COVERAGE are polars queries over the table as
//! staged, not running totals kept while rows stream past: memory stays with
//! polars, whatever the input's size or row order.

use std::collections::HashMap;
use std::path::Path;

use polars::prelude::*;

use crate::contract::{Level, Rule, Table};
use crate::ingest::quarantine::Finding;
use crate::regions::Region;

fn scan(path: &Path) -> PolarsResult<LazyFrame> {
    LazyFrame::scan_parquet(PlRefPath::try_from_path(path)?, ScanArgsParquet::default())
}

/// The distinct region codes a staged table holds.
pub fn region_codes(path: &Path) -> PolarsResult<std::collections::HashSet<String>> {
    let df = collect(
        scan(path)?
            .select([col("region_code")])
            .unique(None, UniqueKeepStrategy::Any),
    )?;
    Ok(strs(&df, "region_code")?.into_iter().flatten().collect())
}

/// Runs a query on polars' streaming engine: the staged table is read in
/// morsels, so memory follows the groups, not the table's size.
fn collect(lf: LazyFrame) -> PolarsResult<DataFrame> {
    Ok(lf.collect_with_engine(Engine::Streaming)?.unwrap_single())
}

fn strs(df: &DataFrame, name: &str) -> PolarsResult<Vec<Option<String>>> {
    Ok(df
        .column(name)?
        .str()?
        .iter()
        .map(|v| v.map(str::to_string))
        .collect())
}

fn floats(df: &DataFrame, name: &str) -> PolarsResult<Vec<Option<f64>>> {
    Ok(df
        .column(name)?
        .cast(&DataType::Float64)?
        .f64()?
        .iter()
        .collect())
}

const GROUP: [&str; 4] = ["region_code", "period", "period_start", "role"];

fn group_keys() -> Vec<Expr> {
    GROUP.iter().map(|c| col(*c)).collect()
}

/// Rows a reconciliation query takes at once: at national scale (62M rows,
/// 12M groups) one query over the whole table peaked at 17 GB.
const ROWS_PER_PASS: u64 = 4_000_000;

/// Region codes that cut a table of `rows` rows into passes of about
/// [`ROWS_PER_PASS`] rows: groups never straddle a cut, and passes in code
/// order keep the findings in the order one pass would give.
pub fn cuts(codes: &[&str], rows: u64) -> Vec<String> {
    let passes = rows.div_ceil(ROWS_PER_PASS).max(1) as usize;
    let mut sorted = codes.to_vec();
    sorted.sort_unstable();
    (1..passes)
        .map(|i| sorted[i * sorted.len() / passes].to_string())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// W_TOTAL and W_SHARE over a staged member_ages file, ordered by region,
/// period, role and band; one pass per range of region codes between `cuts`.
pub fn age_findings(
    path: &Path,
    total_tolerance: f64,
    share_tolerance: f64,
    cuts: &[String],
) -> PolarsResult<Vec<Finding>> {
    let mut totals = Vec::new();
    let mut shares = Vec::new();
    let bounds: Vec<Option<&str>> = std::iter::once(None)
        .chain(cuts.iter().map(|c| Some(c.as_str())))
        .chain(std::iter::once(None))
        .collect();
    for w in bounds.windows(2) {
        let mut keep = lit(true);
        if let Some(lo) = w[0] {
            keep = keep.and(col("region_code").gt_eq(lit(lo)));
        }
        if let Some(hi) = w[1] {
            keep = keep.and(col("region_code").lt(lit(hi)));
        }
        let (t, s) = age_findings_in(path, keep, total_tolerance, share_tolerance)?;
        totals.extend(t);
        shares.extend(s);
    }
    totals.extend(shares);
    Ok(totals)
}

type TotalsAndShares = (Vec<Finding>, Vec<Finding>);

fn age_findings_in(
    path: &Path,
    keep: Expr,
    total_tolerance: f64,
    share_tolerance: f64,
) -> PolarsResult<TotalsAndShares> {
    let scan = |path: &Path| -> PolarsResult<LazyFrame> { Ok(scan(path)?.filter(keep.clone())) };
    let is_total = col("age_band").eq(lit("total"));
    // Counts as whole millionths in a 38-digit decimal: the band sums are
    // exact, so neither the order polars adds a group's rows in nor the
    // path that staged them changes a bit of a finding (contract B.18).
    let micros_of = |c: &str| {
        (col(c) * lit(1e6))
            .round(0, RoundMode::HalfToEven)
            .cast(DataType::Decimal(38, 0))
    };
    let micros = || micros_of("count");
    let as_count = |e: Expr| e.cast(DataType::Float64) / lit(1e6);
    let groups = scan(path)?
        .group_by(group_keys())
        .agg([
            micros()
                .filter(is_total.clone().not())
                .sum()
                .alias("band_micros"),
            micros()
                .filter(is_total.clone())
                .first()
                .alias("published_micros"),
            // What rounding allows: half a unit of the last printed digit
            // of every row of the group, the total's included (B.3).
            micros_of("count_rounding").sum().alias("rounding_micros"),
        ])
        .with_columns([
            as_count(col("band_micros")).alias("band_sum"),
            as_count(col("published_micros")).alias("published"),
            as_count(col("rounding_micros")).alias("rounding"),
        ]);
    let tolerance_micros = (total_tolerance * 1e6).round();
    let allowed = when(
        col("rounding_micros")
            .cast(DataType::Float64)
            .gt(lit(tolerance_micros)),
    )
    .then(col("rounding_micros").cast(DataType::Float64))
    .otherwise(lit(tolerance_micros));
    let totals = groups
        .clone()
        .filter(
            col("published_micros").is_not_null().and(
                (col("published_micros") - col("band_micros"))
                    .cast(DataType::Float64)
                    .abs()
                    .gt(allowed + lit(1e-3)),
            ),
        )
        .with_column(
            col("band_sum")
                .round(6, RoundMode::HalfToEven)
                .alias("band_sum"),
        )
        .sort(GROUP, SortMultipleOptions::default());
    let denom = when(col("published").is_not_null())
        .then(col("published"))
        .otherwise(col("band_sum"));
    let shares = scan(path)?
        .filter(is_total.not().and(col("reported_share").is_not_null()))
        .join(
            groups,
            group_keys(),
            group_keys(),
            JoinArgs::new(JoinType::Left),
        )
        .with_column(denom.alias("denom"));
    let shares = shares_off(shares, col("count"), share_tolerance).sort(
        ["region_code", "period_start", "role", "age_lo"],
        SortMultipleOptions::default(),
    );
    // One plan for both, so the band sums are grouped once (a collect each
    // grouped the table twice).
    let opt = totals.get_current_optimizations();
    let mut both = LazyFrame::collect_all_with_engine(
        vec![totals.logical_plan, shares.logical_plan],
        Engine::Streaming,
        opt,
    )?
    .into_iter();
    let (totals, shares) = (
        both.next().expect("two plans, two frames"),
        both.next().expect("two plans, two frames"),
    );
    let mut out = Vec::new();
    let (codes, periods, roles) = (
        strs(&totals, "region_code")?,
        strs(&totals, "period")?,
        strs(&totals, "role")?,
    );
    let (sums, published) = (floats(&totals, "band_sum")?, floats(&totals, "published")?);
    let rounding = floats(&totals, "rounding")?;
    for i in 0..totals.height() {
        let (sum, total) = (sums[i].unwrap_or(0.0), published[i].unwrap_or(0.0));
        let tolerance = match rounding[i] {
            Some(r) if r > total_tolerance => format!(
                "tolerance {r}: half a unit of the last printed digit of each figure, printed in a unit above one"
            ),
            _ => format!("tolerance {total_tolerance}"),
        };
        out.push(Finding {
            source: None,
            row: None,
            covers: None,
            table: Table::MemberAges,
            rule: Rule::Total,
            region_code: codes[i].clone(),
            period: periods[i].clone(),
            role: roles[i].clone(),
            band: Some("total".into()),
            expected: Some(sum),
            actual: Some(total),
            message: format!(
                "published total {total} differs from the sum of the bands {sum} by {} ({tolerance})",
                ((total - sum) * 1e6).round() / 1e6
            ),
        });
    }
    let totals_found = std::mem::take(&mut out);
    let (codes, periods, roles, bands) = (
        strs(&shares, "region_code")?,
        strs(&shares, "period")?,
        strs(&shares, "role")?,
        strs(&shares, "age_band")?,
    );
    let (counts, denoms, expected, reported) = (
        floats(&shares, "count")?,
        floats(&shares, "denom")?,
        floats(&shares, "expected")?,
        floats(&shares, "reported_share")?,
    );
    for i in 0..shares.height() {
        let (e, r) = (expected[i].unwrap_or(0.0), reported[i].unwrap_or(0.0));
        out.push(Finding {
            source: None,
            row: None,
            covers: None,
            table: Table::MemberAges,
            rule: Rule::Share,
            region_code: codes[i].clone(),
            period: periods[i].clone(),
            role: roles[i].clone(),
            band: bands[i].clone(),
            expected: Some(e),
            actual: Some(r),
            message: share_message(
                (counts[i].unwrap_or(0.0), denoms[i].unwrap_or(0.0)),
                (e, r),
                share_tolerance,
            ),
        });
    }
    Ok((totals_found, out))
}

/// The rows of `lf` (with `denom` and `reported_share`) whose printed share
/// is more than `tolerance` points from `count` / `denom` × 100 (`expected`,
/// rounded to 1e-6); rows without a denominator are not checked.
fn shares_off(lf: LazyFrame, count: Expr, tolerance: f64) -> LazyFrame {
    lf.filter(col("denom").gt(lit(0.0)))
        .with_column(
            (count / col("denom") * lit(100.0))
                .round(6, RoundMode::HalfToEven)
                .alias("expected"),
        )
        .filter(
            (col("reported_share") - col("expected"))
                .abs()
                .gt(lit(tolerance + 1e-9)),
        )
}

/// "reported share 27.22% differs from 2 / 9 = 22.222222% by more than 0.05 points".
fn share_message((count, denom): (f64, f64), (e, r): (f64, f64), tolerance: f64) -> String {
    format!(
        "reported share {r}% differs from {count} / {} = {e}% by more than {tolerance} points",
        (denom * 1e6).round() / 1e6
    )
}

/// The tree as W_COVERAGE reads it: code, name and level of every region.
/// `combine` reads the same three columns back from the regions table.
pub fn tree_frame(regions: &[Region]) -> PolarsResult<DataFrame> {
    df!(
        "region_code" => regions.iter().map(|r| r.row.code.as_str()).collect::<Vec<_>>(),
        "region_name" => regions.iter().map(|r| r.row.name.as_str()).collect::<Vec<_>>(),
        "level" => regions.iter().map(|r| r.row.level.name()).collect::<Vec<_>>(),
    )
}

/// A fact table's group findings, in the order a warehouse lists them:
/// W_TOTAL and W_SHARE (member_ages), then W_COVERAGE. They need the whole
/// table, so a sharded run makes them in `combine`, with this same function
/// over the combined table. `codes` are the tree's region codes.
pub fn group_findings(
    path: &Path,
    table: Table,
    src: &crate::config::Source,
    rows: u64,
    codes: &[&str],
    tree: &DataFrame,
) -> PolarsResult<Vec<Finding>> {
    let mut out = Vec::new();
    if table == Table::Indicators {
        // Made by their loader over the rows as read (ingest/indicators.rs).
        return Ok(out);
    }
    if table == Table::MemberAges {
        let t = std::time::Instant::now();
        let cuts = cuts(codes, rows);
        out.extend(age_findings(
            path,
            src.total_tolerance,
            src.share_tolerance,
            &cuts,
        )?);
        tracing::info!(
            table = table.name(),
            seconds = t.elapsed().as_secs_f64(),
            "totals and shares reconciled"
        );
    }
    if table == Table::Disputes {
        out.extend(dispute_share_findings(path, src.share_tolerance)?);
    }
    let t = std::time::Instant::now();
    out.extend(coverage_findings(path, table, tree)?);
    tracing::info!(
        table = table.name(),
        seconds = t.elapsed().as_secs_f64(),
        "coverage checked"
    );
    Ok(out)
}

/// W_SHARE over a staged disputes file: a type's (or a part's) printed
/// share of its region-period's disputes against received / the
/// region-period's figure over all types (its row with no category), or,
/// where it has none, the sum of its types (parts left out) × 100.
pub fn dispute_share_findings(path: &Path, share_tolerance: f64) -> PolarsResult<Vec<Finding>> {
    let key = || [col("region_code"), col("period")];
    let shared = scan(path)?.filter(col("reported_share").is_not_null());
    // Most tables print no shares: nothing to join.
    if collect(shared.clone().select([len()]))?
        .column("len")?
        .u32()?
        .get(0)
        .unwrap_or(0)
        == 0
    {
        return Ok(Vec::new());
    }
    let groups = shared
        .clone()
        .select(key())
        .unique_stable(None, UniqueKeepStrategy::First);
    let top = col("part_of").is_null();
    let denominators = scan(path)?
        .join(groups, key(), key(), JoinArgs::new(JoinType::Semi))
        .group_by(key())
        .agg([
            col("received")
                .filter(top.clone().and(col("category").is_null()))
                .first()
                .alias("all"),
            col("received")
                .filter(top.and(col("category").is_not_null()))
                .sum()
                .alias("types"),
        ])
        .with_column(
            when(col("all").is_not_null())
                .then(col("all"))
                .otherwise(col("types"))
                .cast(DataType::Float64)
                .alias("denom"),
        );
    let found = collect(
        shares_off(
            shared.join(denominators, key(), key(), JoinArgs::new(JoinType::Left)),
            col("received").cast(DataType::Float64),
            share_tolerance,
        )
        .sort(
            ["region_code", "period_start", "category"],
            SortMultipleOptions::default().with_nulls_last(false),
        ),
    )?;
    let (codes, periods, categories, parents) = (
        strs(&found, "region_code")?,
        strs(&found, "period")?,
        strs(&found, "category")?,
        strs(&found, "part_of")?,
    );
    let (received, denoms, expected, reported) = (
        floats(&found, "received")?,
        floats(&found, "denom")?,
        floats(&found, "expected")?,
        floats(&found, "reported_share")?,
    );
    Ok((0..found.height())
        .map(|i| {
            let (e, r) = (expected[i].unwrap_or(0.0), reported[i].unwrap_or(0.0));
            // A part is named with the type it is a part of.
            let category = match (&categories[i], &parents[i]) {
                (None, _) => "all".to_string(),
                (Some(c), None) => c.clone(),
                (Some(c), Some(p)) => format!("{p} › {c}"),
            };
            Finding {
                source: None,
                row: None,
                covers: None,
                table: Table::Disputes,
                rule: Rule::Share,
                region_code: codes[i].clone(),
                period: periods[i].clone(),
                role: None,
                band: Some(category.clone()),
                expected: Some(e),
                actual: Some(r),
                message: format!(
                    "{category}: {}",
                    share_message(
                        (received[i].unwrap_or(0.0), denoms[i].unwrap_or(0.0)),
                        (e, r),
                        share_tolerance
                    )
                ),
            }
        })
        .collect())
}

/// W_COVERAGE over a staged fact table: every region of the tree, at a
/// level the table is reported at, lacking a period some other region has.
pub fn coverage_findings(
    path: &Path,
    table: Table,
    tree: &DataFrame,
) -> PolarsResult<Vec<Finding>> {
    let tree = tree.clone().lazy();
    // Made once: the queries below each read it (a lazy frame would make
    // it again for each).
    let present = collect(
        scan(path)?
            .select([col("region_code"), col("period"), col("period_start")])
            .unique_stable(None, UniqueKeepStrategy::First),
    )?
    .lazy();
    let periods = collect(
        present
            .clone()
            .group_by([col("period"), col("period_start")])
            .agg([len().alias("holders")]),
    )?;
    let covered = covered(present.clone(), &periods)?;
    let periods = periods.lazy();
    let levels = present
        .clone()
        .select([col("region_code")])
        .join(
            tree.clone(),
            [col("region_code")],
            [col("region_code")],
            JoinArgs::new(JoinType::Inner),
        )
        .select([col("level")])
        .unique_stable(None, UniqueKeepStrategy::First);
    let missing = tree
        .join(
            levels,
            [col("level")],
            [col("level")],
            JoinArgs::new(JoinType::Semi),
        )
        .cross_join(periods, None)
        .join(
            covered,
            [col("region_code"), col("period")],
            [col("region_code"), col("period")],
            JoinArgs::new(JoinType::Anti),
        )
        .sort(
            ["region_code", "period_start"],
            SortMultipleOptions::default(),
        );
    let missing = collect(missing)?;
    let (codes, names, periods) = (
        strs(&missing, "region_code")?,
        strs(&missing, "region_name")?,
        strs(&missing, "period")?,
    );
    let holders: Vec<Option<u32>> = missing
        .column("holders")?
        .cast(&DataType::UInt32)?
        .u32()?
        .iter()
        .collect();
    Ok((0..missing.height())
        .map(|i| Finding {
            source: None,
            row: None,
            covers: None,
            table,
            rule: Rule::Coverage,
            region_code: codes[i].clone(),
            period: periods[i].clone(),
            role: None,
            band: None,
            expected: None,
            actual: None,
            message: format!(
                "{} ({}) has no {table} data for {}, which {} other region(s) have",
                codes[i].as_deref().unwrap_or(""),
                names[i].as_deref().unwrap_or(""),
                periods[i].as_deref().unwrap_or(""),
                holders[i].unwrap_or(0)
            ),
        })
        .collect())
}

/// The (region, period) pairs W_COVERAGE counts as reported: the rows'
/// own, and where the table holds periods of several kinds (years and
/// half-years, a differenced 累计 series' quarters), every period of the
/// table that the region's rows cover together — a region that reported
/// 2023 is not missing 2023-H1, nor one that reported 2023-H1 and 2023-H2
/// missing 2023; one that reported only 2023-Q1 is.
fn covered(present: LazyFrame, periods: &DataFrame) -> PolarsResult<LazyFrame> {
    let mut kinds = std::collections::BTreeSet::new();
    // Each period as days [lo, hi], both ends in.
    let spans: HashMap<String, (i32, i32)> = strs(periods, "period")?
        .into_iter()
        .flatten()
        .filter_map(|t| {
            let p = crate::contract::grammar::parse_period(&t).ok()?;
            kinds.insert(p.kind.name());
            let end = p.end();
            let hi = crate::contract::grammar::days_from_civil(end.year, end.month, end.day);
            Some((t, (p.start_days(), hi)))
        })
        .collect();
    let own = present.select([col("region_code"), col("period")]);
    if kinds.len() <= 1 {
        return Ok(own);
    }
    let pairs = collect(own)?;
    let (codes, texts) = (strs(&pairs, "region_code")?, strs(&pairs, "period")?);
    let mut by_region: std::collections::BTreeMap<String, Vec<(i32, i32)>> = Default::default();
    for (c, t) in codes.into_iter().zip(texts) {
        if let (Some(c), Some(span)) = (c, t.and_then(|t| spans.get(&t).copied())) {
            by_region.entry(c).or_default().push(span);
        }
    }
    let mut all: Vec<(&String, &(i32, i32))> = spans.iter().collect();
    all.sort();
    let (mut out_codes, mut out_periods) = (Vec::new(), Vec::new());
    for (code, mut have) in by_region {
        have.sort();
        for (text, &(lo, hi)) in &all {
            // The region's spans from `lo` on, without a gap, reach `hi`.
            let mut reach = lo - 1;
            for &(a, b) in &have {
                if a > reach + 1 || reach >= hi {
                    break;
                }
                reach = reach.max(b);
            }
            if reach >= hi {
                out_codes.push(code.clone());
                out_periods.push(text.to_string());
            }
        }
    }
    Ok(df!("region_code" => out_codes, "period" => out_periods)?.lazy())
}

/// W_REFERENCE: county-and-above codes that the GB/T 2260 list lacks.
pub fn reference_findings(regions: &[Region], reference: &HashMap<String, String>) -> Vec<Finding> {
    regions
        .iter()
        .filter(|r| r.row.level <= Level::County && r.row.level != Level::Country)
        .filter(|r| !reference.contains_key(&r.row.code))
        .map(|r| Finding {
            source: None,
            row: None,
            covers: None,
            table: Table::Regions,
            rule: Rule::Reference,
            region_code: Some(r.row.code.clone()),
            period: None,
            role: None,
            band: None,
            expected: None,
            actual: None,
            message: format!(
                "{} ({}) is a {} code not in the GB/T 2260 reference list (NBS 2023)",
                r.row.code,
                r.row.name,
                r.row.level.name()
            ),
        })
        .collect()
}
