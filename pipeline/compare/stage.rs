//! `govlens compare`: the warehouse in, a run's tables out. Reads the unit
//! metrics, calls the pure comparisons (stats, index, did) and writes
//! `<output>/<run_id>/tables/*.parquet` and `.csv` plus `manifest.json`,
//! staged and published whole like the warehouse.

use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;

use polars::prelude::*;
use serde::Serialize;

use crate::compare::adoption::adoption;
use crate::compare::index_run::{self, History, IndexPeriod};
use crate::compare::tables::{grouped, model_tables, Grouped};
use crate::config::{Config, TablesPrivacy};
use crate::metrics::{self, MetricsError, Unit};
use crate::warehouse::{self, Manifest, Staging, WarehouseError};

#[derive(Debug, thiserror::Error)]
pub enum CompareError {
    #[error(transparent)]
    Metrics(#[from] MetricsError),
    #[error(transparent)]
    Warehouse(#[from] WarehouseError),
    #[error("building table {table}: {source}")]
    Polars { table: String, source: PolarsError },
    #[error("writing {path}: {source}")]
    Write { path: String, source: PolarsError },
    #[error(
        "the warehouse {path} has no facts for any unit at level '{level}': nothing to compare"
    )]
    NoData { path: String, level: String },
    #[error("period {period} has no data (periods with data: {available})")]
    NoPeriod { period: String, available: String },
    /// A `[qca]` setting the study refused.
    #[error("config {config}: {message}")]
    Qca { config: String, message: String },
    /// An `[index]` setting the analysis refused.
    #[error("config {config}: {message}")]
    Index { config: String, message: String },
    #[error("config {config}: key compare.models: model '{model}' has no units with data (models with units: {available})")]
    NoModel {
        config: String,
        model: String,
        available: String,
    },
}

/// What a compare run produced.
#[derive(Debug, Clone, Serialize)]
pub struct RunManifest {
    pub run_id: String,
    pub govlens_version: String,
    pub schema_version: u32,
    pub simulated: bool,
    pub warehouse_run_id: String,
    pub input_hashes: Vec<(String, String)>,
    pub config: String,
    pub seed: u64,
    pub bootstrap_draws: usize,
    pub index_draws: usize,
    pub tables: BTreeMap<String, usize>,
    /// Small groups, skipped cohorts, excluded units: reported, never silent.
    pub notes: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct CompareOutcome {
    pub dir: PathBuf,
    pub manifest: RunManifest,
}

/// Contract §7: a member-age cell below `min_count` of a unit smaller than a
/// district is published as null with `suppressed` true; with `secondary`
/// (`[privacy] tables = "suppressed"`), a row (unit, period, role) with one
/// such cell hides its smallest other cell too, so that the row's total
/// does not give the small one back.
fn suppress(
    bands: DataFrame,
    units: &[Unit],
    min_count: f64,
    secondary: bool,
) -> PolarsResult<DataFrame> {
    let small: Vec<&str> = units
        .iter()
        .filter(|u| matches!(u.level.as_str(), "street" | "community"))
        .map(|u| u.code.as_str())
        .collect();
    let small = Series::new("small".into(), small);
    let primary = col("region_code")
        .is_in(lit(small).implode(false), false)
        .and(col("count").lt(lit(min_count)));
    let row = [col("region_code"), col("period"), col("role")];
    let hide = if secondary {
        let lone = primary
            .clone()
            .cast(DataType::UInt32)
            .sum()
            .over(row.clone())?
            .eq(lit(1u32));
        let smallest_other = col("count").eq(when(primary.clone().not())
            .then(col("count"))
            .otherwise(lit(NULL).cast(DataType::Float64))
            .min()
            .over(row)?);
        primary
            .clone()
            .or(lone.and(primary.not()).and(smallest_other))
    } else {
        primary
    };
    bands
        .lazy()
        .with_column(hide.clone().alias("suppressed"))
        .with_column(
            when(hide)
                .then(lit(NULL).cast(DataType::Float64))
                .otherwise(col("count"))
                .alias("count"),
        )
        .select([
            col("region_code"),
            col("period"),
            col("role"),
            col("age_band"),
            col("count"),
            col("suppressed"),
        ])
        .collect()
}

/// The (unit, period, role) rows of `bands` with a hidden cell.
fn withheld_rows(bands: &DataFrame) -> HashSet<(String, String, String)> {
    let s = |c: &str| -> Vec<String> {
        bands
            .column(c)
            .ok()
            .and_then(|c| {
                c.str()
                    .ok()
                    .map(|v| v.iter().map(|x| x.unwrap_or("").to_string()).collect())
            })
            .unwrap_or_default()
    };
    let (u, p, r) = (s("region_code"), s("period"), s("role"));
    let hidden: Vec<bool> = bands
        .column("suppressed")
        .ok()
        .and_then(|c| {
            c.bool()
                .ok()
                .map(|v| v.iter().map(|x| x.unwrap_or(false)).collect())
        })
        .unwrap_or_default();
    (0..hidden.len())
        .filter(|&i| hidden[i])
        .map(|i| (u[i].clone(), p[i].clone(), r[i].clone()))
        .collect()
}

/// `[privacy] tables = "suppressed"`: a role's age shares, mean age and
/// ageing ratio left empty for the rows whose cells are partly hidden (they
/// would give the hidden cells back); the headcount stays.
fn withhold_shares(
    um: DataFrame,
    rows: &HashSet<(String, String, String)>,
) -> PolarsResult<DataFrame> {
    let s = |c: &str| -> PolarsResult<Vec<Option<String>>> {
        Ok(um
            .column(c)?
            .str()?
            .iter()
            .map(|v| v.map(str::to_string))
            .collect())
    };
    let (u, p, m, b) = (
        s("region_code")?,
        s("period")?,
        s("metric")?,
        s("breakdown")?,
    );
    let mask: Vec<bool> = (0..um.height())
        .map(|i| {
            matches!(
                m[i].as_deref(),
                Some("share_young" | "share_old" | "mean_age" | "aging_ratio")
            ) && rows.contains(&(
                u[i].clone().unwrap_or_default(),
                p[i].clone().unwrap_or_default(),
                b[i].clone().unwrap_or_default(),
            ))
        })
        .collect();
    let mask = BooleanChunked::from_slice("withheld".into(), &mask);
    let value = um.column("value")?.f64()?.clone();
    let value = value.set(&mask, None)?;
    let mut um = um;
    um.with_column(value.into_series().into_column())?;
    Ok(um)
}

/// tables/README.md: what the folder is and who it is for.
fn tables_readme(config: &Config) -> String {
    let min = config.privacy.min_count;
    let rule = match config.privacy.tables {
        TablesPrivacy::Full => format!(
            "本目录为分析人员使用的数据（`[privacy] tables = \"full\"`）：`unit_metrics` 含各单位的人数与年龄占比，可据以推算出 `member_bands` 中少于 {min} 人而隐去的单元格。**不得对外转发。** 需要转发的，请用区县报告（report.html / .docx / .xlsx），或以 `[privacy] tables = \"suppressed\"` 重新运行。\n\nThese are the analyst's tables (`[privacy] tables = \"full\"`): `unit_metrics` gives every unit's headcounts and age shares, from which the `member_bands` cells hidden for being below {min} can be worked out. **Not for forwarding.** Forward the district report, or rerun with `[privacy] tables = \"suppressed\"`.\n"
        ),
        TablesPrivacy::Suppressed => format!(
            "本目录已按转发规则处理（`[privacy] tables = \"suppressed\"`）：`member_bands` 中少于 {min} 人的单元格及为保护它们而隐去的第二个单元格为空，`unit_metrics` 中这些单位的年龄占比、平均年龄与老化比为空。\n\nThese tables follow the forwarding rule (`[privacy] tables = \"suppressed\"`): `member_bands` cells below {min}, and a second cell hidden to protect a lone one, are empty, and so are those units' age shares, mean age and ageing ratio in `unit_metrics`.\n"
        ),
    };
    format!("# tables/\n\n{rule}")
}

/// The units compared: code, name, level, model, adoption year, population,
/// district (county-level ancestor) and street (乡镇街道) with their names.
fn units_table(units: &[Unit]) -> PolarsResult<DataFrame> {
    df!(
        "region_code" => units.iter().map(|u| u.code.as_str()).collect::<Vec<_>>(),
        "region_name" => units.iter().map(|u| u.name.as_str()).collect::<Vec<_>>(),
        "level" => units.iter().map(|u| u.level.as_str()).collect::<Vec<_>>(),
        "governance_model" => units.iter().map(|u| u.model.as_deref()).collect::<Vec<_>>(),
        "model_adopted" => units.iter().map(|u| u.adopted).collect::<Vec<_>>(),
        "population" => units.iter().map(|u| u.population).collect::<Vec<_>>(),
        "district" => units.iter().map(|u| u.district.as_deref()).collect::<Vec<_>>(),
        "district_name" => units.iter().map(|u| u.district_name.as_deref()).collect::<Vec<_>>(),
        "street" => units.iter().map(|u| u.street.as_deref()).collect::<Vec<_>>(),
        "street_name" => units.iter().map(|u| u.street_name.as_deref()).collect::<Vec<_>>(),
    )
}

/// Rows quarantined and findings made by ingest, per table and rule, so the
/// reports can show data quality from the run's own tables.
fn data_quality(warehouse: &std::path::Path) -> Result<DataFrame, CompareError> {
    let perr = |source| CompareError::Polars {
        table: "data_quality".into(),
        source,
    };
    let mut parts = Vec::new();
    for (file, kind) in [
        ("_quarantine.parquet", "quarantined"),
        ("_findings.parquet", "finding"),
    ] {
        let path = warehouse.join(file);
        let f = std::fs::File::open(&path).map_err(|source| WarehouseError::Io {
            path: path.clone(),
            source,
        })?;
        let df = ParquetReader::new(f).finish().map_err(perr)?;
        parts.push(
            df.lazy()
                .group_by([col("table"), col("rule")])
                .agg([len().cast(DataType::UInt64).alias("rows")])
                .with_column(lit(kind).alias("kind")),
        );
    }
    concat(parts, UnionArgs::default())
        .and_then(|lf| {
            lf.select([col("table"), col("rule"), col("kind"), col("rows")])
                .sort(["table", "rule"], SortMultipleOptions::default())
                .collect()
        })
        .map_err(perr)
}

/// Each period's rows of a batch's unit metrics: slices of the frame, which
/// is sorted by period first ([`metrics::METRICS_ORDER`]), so no period is
/// found by comparing every row's text again.
fn period_slices(um: &DataFrame) -> PolarsResult<Vec<(String, DataFrame)>> {
    let periods = um.column("period")?.str()?;
    let mut out: Vec<(String, DataFrame)> = Vec::new();
    let (mut start, mut current) = (0usize, None::<&str>);
    for (i, p) in periods.iter().enumerate() {
        if p != current {
            if let Some(c) = current {
                out.push((c.to_string(), um.slice(start as i64, i - start)));
            }
            (start, current) = (i, p);
        }
    }
    if let Some(c) = current {
        out.push((c.to_string(), um.slice(start as i64, um.height() - start)));
    }
    Ok(out)
}

/// Fact rows a batch of periods reads at once (see [`compute`]). 10M rather
/// than 20M (measured at 100k, release: 29.2 s and 5.1 GB peak at 20M, 28.1 s
/// and 2.5 GB at 10M, 30.8 s and 1.6 GB at 5M): a smaller batch costs a scan
/// of the warehouse more, a larger one memory and fresh pages. A combined
/// run batches as the one machine does, so its files stay the same.
const BATCH_ROWS: u64 = 10_000_000;

/// A table written period by period: Parquet row groups and, while the
/// `[output]` section wants one, its CSV copy appended. Under `auto` the
/// copy is dropped (its file removed) as soon as the table passes
/// `csv_max_rows`, so a national table costs at most that many CSV rows.
struct Parts {
    parquet: warehouse::TableWriter,
    csv: Option<std::io::BufWriter<std::fs::File>>,
    csv_path: PathBuf,
    rows: usize,
    output: crate::config::Output,
    /// The copy was dropped: the table passed the limit.
    csv_skipped: bool,
}

impl Parts {
    /// Appends `df` to the table `name`, creating it on the first call.
    fn write(
        slot: &mut Option<Parts>,
        dir: &std::path::Path,
        name: &str,
        df: DataFrame,
        metadata: &[(String, String)],
        output: crate::config::Output,
    ) -> Result<(), CompareError> {
        let first = slot.is_none();
        if first {
            let csv_path = dir.join(format!("{name}.csv"));
            let csv = if output.csv == crate::config::CsvCopies::None {
                None
            } else {
                let f = std::fs::File::create(&csv_path).map_err(|source| WarehouseError::Io {
                    path: csv_path.clone(),
                    source,
                })?;
                Some(std::io::BufWriter::with_capacity(1 << 20, f))
            };
            *slot = Some(Parts {
                parquet: warehouse::TableWriter::at(
                    &dir.join(format!("{name}.parquet")),
                    df.schema(),
                    metadata,
                )?,
                csv,
                csv_path,
                rows: 0,
                output,
                csv_skipped: false,
            });
        }
        let w = slot.as_mut().expect("created above");
        w.rows += df.height();
        w.parquet.write(&df)?;
        if w.csv.is_some() && !w.output.csv_for(w.rows) {
            w.csv = None;
            w.csv_skipped = true;
            std::fs::remove_file(&w.csv_path).map_err(|source| WarehouseError::Io {
                path: w.csv_path.clone(),
                source,
            })?;
        }
        let Some(csv) = w.csv.as_mut() else {
            return Ok(());
        };
        CsvWriter::new(csv)
            .include_header(first)
            .finish(&mut warehouse::csv_safe(&df))
            .map_err(|source| CompareError::Write {
                path: w.csv_path.display().to_string(),
                source,
            })
    }

    /// Finishes the files; true when the CSV copy was left out for size.
    fn finish(self) -> Result<bool, CompareError> {
        self.parquet.finish()?;
        let io = |source| WarehouseError::Io {
            path: self.csv_path.clone(),
            source,
        };
        if let Some(csv) = self.csv {
            let f = csv.into_inner().map_err(|e| io(e.into_error()))?;
            f.sync_all().map_err(io)?;
        }
        Ok(self.csv_skipped)
    }
}

/// Writes a whole table: Parquet, and its CSV copy when `[output]` wants
/// one for its size; true when the copy was left out for size.
fn write_table(
    dir: &std::path::Path,
    name: &str,
    df: &mut DataFrame,
    metadata: &[(String, String)],
    output: crate::config::Output,
) -> Result<bool, CompareError> {
    warehouse::write_frame(&dir.join(format!("{name}.parquet")), df, metadata)?;
    if output.csv_for(df.height()) {
        warehouse::write_csv_copy(&dir.join(format!("{name}.csv")), df)?;
        return Ok(false);
    }
    Ok(output.csv == crate::config::CsvCopies::Auto)
}

/// The id of the run compare would make: a hash of the program version, the
/// warehouse's run id, the config sections compare reads, and `period`.
pub fn run_id(config: &Config, wm: &Manifest, period: Option<&str>) -> String {
    let mut h = blake3::Hasher::new();
    h.update(
        format!(
            "govlens {} compare\n{}\n",
            env!("CARGO_PKG_VERSION"),
            wm.run_id
        )
        .as_bytes(),
    );
    h.update(
        config
            .section_key(&["run", "metrics", "compare", "index", "privacy", "qca"])
            .as_bytes(),
    );
    // `[output]` as compare reads it: its CSV copies, not `export` (which
    // only `run` reads, after compare).
    h.update(
        format!(
            "\n[output]\ncsv = {:?}\ncsv_max_rows = {}\n",
            config.copies.csv, config.copies.csv_max_rows
        )
        .as_bytes(),
    );
    h.update(period.unwrap_or("").as_bytes());
    h.finalize().to_hex()[..16].to_string()
}

/// Runs compare for a checked config and points `latest` at the new run;
/// `period` restricts the model statistics and the index to one analysis
/// period (adoption effects always use every year).
pub fn run(config: &Config, period: Option<&str>) -> Result<CompareOutcome, CompareError> {
    let out = compute(config, period)?;
    warehouse::write_latest(&config.output, &out.manifest.run_id)?;
    Ok(out)
}

/// [`run`] without moving `latest`: `govlens run` moves it only once the
/// run's charts and reports are in place, so that `latest` never names a run
/// a kill left without its report.
pub fn compute(config: &Config, period: Option<&str>) -> Result<CompareOutcome, CompareError> {
    compute_from(config, period, &UnitSource::Warehouse)
}

/// Where compare's unit metrics come from.
pub enum UnitSource<'a> {
    /// Computed from the warehouse's facts, a batch of periods at a time.
    Warehouse,
    /// Read from the unit-metric partials of a sharded run's shards
    /// (`govlens combine`): every shard's `unit_metrics.parquet` and
    /// `member_bands.parquet`, and the union of the shards' periods. A unit's
    /// metrics come from one shard only (shards follow the region tree), so
    /// the partials sorted into the metrics' order are the one-machine rows.
    Partials {
        periods: Vec<String>,
        dirs: &'a [PathBuf],
    },
}

impl UnitSource<'_> {
    fn periods(&self, config: &Config, tree: &metrics::Tree) -> Result<Vec<String>, CompareError> {
        Ok(match self {
            UnitSource::Warehouse => metrics::periods(config, tree)?,
            UnitSource::Partials { periods, .. } => periods.clone(),
        })
    }

    /// A batch of periods' unit metrics and member-age bands.
    fn batch(
        &self,
        config: &Config,
        tree: &metrics::Tree,
        batch: &[String],
    ) -> Result<(DataFrame, DataFrame), CompareError> {
        let dirs = match self {
            UnitSource::Warehouse => {
                return Ok(metrics::period_metrics(config, tree, Some(batch))?)
            }
            UnitSource::Partials { dirs, .. } => dirs,
        };
        let read = |file: &str, order: &[&str]| -> PolarsResult<DataFrame> {
            let wanted = Series::new("wanted".into(), batch);
            let parts = dirs
                .iter()
                .map(|d| {
                    Ok(LazyFrame::scan_parquet(
                        PlRefPath::try_from_path(&d.join(file))?,
                        ScanArgsParquet::default(),
                    )?
                    .filter(col("period").is_in(lit(wanted.clone()).implode(false), false)))
                })
                .collect::<PolarsResult<Vec<_>>>()?;
            concat(parts, UnionArgs::default())?
                .sort(
                    order.to_vec(),
                    SortMultipleOptions::default().with_nulls_last(false),
                )
                .collect()
        };
        let err = |table: &'static str| {
            move |source| CompareError::Polars {
                table: table.into(),
                source,
            }
        };
        Ok((
            read(PARTIAL_METRICS, &metrics::METRICS_ORDER).map_err(err("unit_metrics"))?,
            read(PARTIAL_BANDS, &metrics::BANDS_ORDER).map_err(err("member_bands"))?,
        ))
    }
}

/// A shard's unit-metric partials: the file names in its folder.
pub const PARTIAL_METRICS: &str = "unit_metrics.parquet";
pub const PARTIAL_BANDS: &str = "member_bands.parquet";

/// How many periods a batch takes: about [`BATCH_ROWS`] fact rows.
pub fn periods_per_batch(wm: &Manifest, periods: usize) -> usize {
    let fact_rows: u64 = ["member_ages", "disputes", "service_usage"]
        .iter()
        .filter_map(|t| wm.tables.get(*t))
        .sum();
    let per_period = (fact_rows / periods.max(1) as u64).max(1);
    (BATCH_ROWS / per_period).clamp(1, periods.max(1) as u64) as usize
}

/// [`compute`] with the unit metrics from `source`.
pub fn compute_from(
    config: &Config,
    period: Option<&str>,
    source: &UnitSource,
) -> Result<CompareOutcome, CompareError> {
    let wm = Manifest::read(&config.warehouse)?;
    let tree = metrics::tree(config)?;
    // The between-model tests are also made at the level models are
    // assigned at (the adoption effects' clusters), when there is one.
    let assigned = assigned(&tree);
    let periods = periods_of(config, source, &tree, period)?;

    let run_id = run_id(config, &wm, period);
    let (input_hashes, metadata) = run_metadata(config, &wm, &run_id);

    let target = config.output.join(&run_id);
    let staging = Staging::new(&target)?;
    let tables_dir = staging.dir.join("tables");
    std::fs::create_dir_all(&tables_dir).map_err(|source| WarehouseError::Io {
        path: tables_dir.clone(),
        source,
    })?;

    // Period by period: one period's unit metrics are what is held in memory
    // (at national scale the whole table would not fit). The adoption
    // effects need every year of their metrics only, kept aside.
    let wanted = super::adoption::wanted(config);
    let mut gathered = Gathered::default();
    let mut notes = Vec::new();
    let every = period.is_some()
        || config.index.uncertainty.every_period(
            tree.units.len(),
            periods.len(),
            config.index.draws,
        );
    let latest = periods.last().cloned();
    // fsQCA studies the units of one period: the one asked for, else the latest.
    let study_period = period.map(str::to_string).or_else(|| latest.clone());
    let unit_of: std::collections::HashMap<&str, &metrics::Unit> =
        tree.units.iter().map(|u| (u.code.as_str(), u)).collect();
    let plan = PeriodPlan {
        config,
        period,
        study_period: study_period.as_ref(),
        latest: latest.as_deref(),
        every,
        wanted: &wanted,
        assigned: assigned.as_ref(),
        unit_of: &unit_of,
    };
    if !every && config.index.draws > 0 {
        notes.push(format!(
            "index rank intervals for the latest period ({}) only: {} units × {} periods × {} draws is above the budget of {} (set [index] uncertainty = \"all\" for every period)",
            latest.as_deref().unwrap_or(""),
            tree.units.len(),
            periods.len(),
            config.index.draws,
            crate::config::Uncertainty::BUDGET
        ));
    }
    // Periods in batches of about BATCH_ROWS fact rows: one scan of the
    // warehouse a batch (all periods at once for small data; one a pass at
    // national scale, where a period's unit metrics are ~14M rows).
    let per_batch = periods_per_batch(&wm, periods.len());
    let bar = crate::progress::bar(
        periods.len() as u64,
        crate::progress::Unit::Steps,
        "compare",
    );
    let (um_out, bands_out) = compare_periods(
        source,
        &tree,
        &periods,
        per_batch,
        &bar,
        &Out {
            dir: &tables_dir,
            metadata: &metadata,
        },
        &plan,
        &mut gathered,
        &mut notes,
    )?;
    bar.finish_and_clear();
    check_models(config, &gathered.models)?;
    let tables = run_tables(config, gathered, &tree, study_period.as_deref(), &mut notes)?;
    let out = Out {
        dir: &tables_dir,
        metadata: &metadata,
    };
    let counts = write_tables(config, &out, [um_out, bands_out], tables, &mut notes)?;
    let manifest = RunManifest {
        run_id: run_id.clone(),
        govlens_version: env!("CARGO_PKG_VERSION").into(),
        schema_version: crate::contract::SCHEMA_VERSION,
        simulated: wm.simulated,
        warehouse_run_id: wm.run_id,
        input_hashes,
        config: config.text.clone(),
        seed: config.seed,
        bootstrap_draws: config.compare.did.draws,
        index_draws: config.index.draws,
        tables: counts,
        notes,
    };
    let json = serde_json::to_string_pretty(&manifest).expect("manifest serialises") + "\n";
    warehouse::write_text(&staging.dir.join("manifest.json"), &json)?;
    warehouse::write_text(&tables_dir.join("README.md"), &tables_readme(config))?;
    staging.publish()?;
    Ok(CompareOutcome {
        dir: target,
        manifest,
    })
}
/// Every table of the run but the streamed unit metrics and bands: the
/// per-period model statistics, the adoption effects over the whole panel,
/// data quality, the units, and the fsQCA and index studies of
/// `study_period`.
fn run_tables(
    config: &Config,
    gathered: Gathered,
    tree: &metrics::Tree,
    study_period: Option<&str>,
    notes: &mut Vec<String>,
) -> Result<Tables, CompareError> {
    let perr = |table: &str| {
        let table = table.to_string();
        move |source| CompareError::Polars { table, source }
    };
    let ta = std::time::Instant::now();
    let ad = adoption(&gathered.panel, config, &tree.units, &tree.clusters)
        .map_err(perr("adoption_effects"))?;
    tracing::debug!(seconds = ta.elapsed().as_secs_f64(), "adoption effects");
    notes.extend(ad.notes);
    let qca_tables = qca_study(config, gathered.qca_cases, study_period, notes)?;
    let ti = std::time::Instant::now();
    let index_tables = index_study(config, gathered.index_input, study_period, notes)?;
    tracing::debug!(seconds = ti.elapsed().as_secs_f64(), "index analysis");
    let tables: Tables = per_period_tables(
        gathered.summaries,
        gathered.tests,
        gathered.pairs,
        gathered.scores,
    )?
    .into_iter()
    .chain([
        ("adoption_effects", ad.effects),
        ("event_study", ad.events),
        ("adoption_tests", ad.tests),
        ("adoption_by_model", ad.by_model),
        ("honest_event_study", ad.honest),
        ("event_vcov", ad.vcov),
        ("adoption_panel", ad.panel),
        ("data_quality", data_quality(&config.warehouse)?),
        ("units", units_table(&tree.units).map_err(perr("units"))?),
    ])
    .chain(qca_tables)
    .chain(index_tables)
    .collect();
    Ok(tables)
}

/// Each unit's cluster at the level models are assigned at (the adoption
/// effects' clusters), when there is one.
fn assigned(tree: &metrics::Tree) -> Option<super::tables::Assigned<'_>> {
    tree.clusters.level.map(|l| super::tables::Assigned {
        of_code: tree
            .units
            .iter()
            .zip(&tree.clusters.of_unit)
            .map(|(u, c)| (u.code.as_str(), *c))
            .collect(),
        level: l.name(),
    })
}

/// Where the run's tables go: the staging folder's `tables/` and the
/// key-value metadata every Parquet file carries.
struct Out<'a> {
    dir: &'a std::path::Path,
    metadata: &'a [(String, String)],
}

/// Every period, in batches of `per_batch`: each batch's unit metrics made
/// on a second thread while this one compares the batch before (a
/// rendezvous channel, so at most one batch waits made), member_bands and
/// unit_metrics written as they come, each period gathered. Returns the
/// two tables' writers, to be finished.
#[allow(clippy::too_many_arguments)]
fn compare_periods(
    source: &UnitSource,
    tree: &metrics::Tree,
    periods: &[String],
    per_batch: usize,
    bar: &indicatif::ProgressBar,
    out: &Out,
    plan: &PeriodPlan,
    gathered: &mut Gathered,
    notes: &mut Vec<String>,
) -> Result<(Option<Parts>, Option<Parts>), CompareError> {
    let config = plan.config;
    let perr = |table: &str| {
        let table = table.to_string();
        move |source| CompareError::Polars { table, source }
    };
    // perf at 100k, 2026-12-01: the statistics and writes left one core
    // idle for ~5 s a run before the second thread.
    let (mut um_out, mut bands_out) = (None::<Parts>, None::<Parts>);
    std::thread::scope(|scope| -> Result<(), CompareError> {
        let (made_tx, made_rx) = std::sync::mpsc::sync_channel(0);
        let tree_ref = tree;
        let batches = periods.chunks(per_batch);
        scope.spawn(move || {
            for batch in batches {
                let t = std::time::Instant::now();
                let made = source
                    .batch(config, tree_ref, batch)
                    .map(|frames| (frames, t.elapsed().as_secs_f64()));
                let failed = made.is_err();
                if made_tx.send(made).is_err() || failed {
                    break;
                }
            }
        });
        for (batch, made) in periods.chunks(per_batch).zip(made_rx.iter()) {
            let t = std::time::Instant::now();
            bar.set_message(format!("periods {}…{}", batch[0], batch[batch.len() - 1]));
            let ((um, bands), t_metrics) = made?;
            let tw = std::time::Instant::now();
            let secondary = config.privacy.tables == TablesPrivacy::Suppressed;
            let bands = suppress(bands, &tree.units, config.privacy.min_count, secondary)
                .map_err(perr("member_bands"))?;
            let withheld = secondary.then(|| withheld_rows(&bands));
            Parts::write(
                &mut bands_out,
                out.dir,
                "member_bands",
                bands,
                out.metadata,
                config.copies,
            )?;
            tracing::debug!(seconds = tw.elapsed().as_secs_f64(), "member bands written");
            let tp = std::time::Instant::now();
            let slices = period_slices(&um).map_err(perr("unit_metrics"))?;
            for p in batch {
                let um_p = slices
                    .iter()
                    .find(|(q, _)| q == p)
                    .map_or_else(|| um.clear(), |(_, df)| df.clone());
                gathered.period(plan, p, um_p, notes)?;
                bar.inc(1);
            }
            tracing::debug!(seconds = tp.elapsed().as_secs_f64(), "periods compared");
            let tw = std::time::Instant::now();
            let um = match &withheld {
                Some(rows) => withhold_shares(um, rows).map_err(perr("unit_metrics"))?,
                None => um,
            };
            Parts::write(
                &mut um_out,
                out.dir,
                "unit_metrics",
                um,
                out.metadata,
                config.copies,
            )?;
            tracing::debug!(seconds = tw.elapsed().as_secs_f64(), "unit metrics written");
            tracing::info!(
                periods = format!("{}…{}", batch[0], batch[batch.len() - 1]),
                rows = um_out.as_ref().map_or(0, |w| w.rows),
                metrics = t_metrics,
                seconds = t.elapsed().as_secs_f64(),
                "periods compared"
            );
        }
        Ok(())
    })?;
    Ok((um_out, bands_out))
}

/// The per-period tables, each period's parts in the order of their keys,
/// as one pass over every period would give them.
fn per_period_tables(
    summaries: Vec<DataFrame>,
    tests: Vec<DataFrame>,
    pairs: Vec<DataFrame>,
    scores: Vec<DataFrame>,
) -> Result<Tables, CompareError> {
    let perr = |table: &str| {
        let table = table.to_string();
        move |source| CompareError::Polars { table, source }
    };
    let concat_all = |parts: Vec<DataFrame>, table: &str| -> Result<LazyFrame, CompareError> {
        concat(
            parts.into_iter().map(IntoLazy::lazy).collect::<Vec<_>>(),
            UnionArgs::default(),
        )
        .map_err(perr(table))
    };
    let by_key = |parts: Vec<DataFrame>, table: &str| -> Result<DataFrame, CompareError> {
        concat_all(parts, table)?
            .sort(
                ["metric", "breakdown", "period"],
                SortMultipleOptions::default()
                    .with_nulls_last(false)
                    .with_maintain_order(true),
            )
            .collect()
            .map_err(perr(table))
    };
    Ok(vec![
        ("model_summary", by_key(summaries, "model_summary")?),
        ("model_tests", by_key(tests, "model_tests")?),
        ("model_pairs", by_key(pairs, "model_pairs")?),
        (
            "index_scores",
            concat_all(scores, "index_scores")?
                .collect()
                .map_err(perr("index_scores"))?,
        ),
    ])
}

/// Finishes unit_metrics and member_bands (written period by period), writes
/// every other table, and says which have no CSV copy; each table's rows.
fn write_tables(
    config: &Config,
    out: &Out,
    writers: [Option<Parts>; 2],
    tables: Tables,
    notes: &mut Vec<String>,
) -> Result<BTreeMap<String, usize>, CompareError> {
    let mut counts = BTreeMap::new();
    let mut no_csv = Vec::new();
    for (name, parts) in ["unit_metrics", "member_bands"].into_iter().zip(writers) {
        let parts = parts.expect("at least one period");
        counts.insert(name.to_string(), parts.rows);
        if parts.finish()? {
            no_csv.push(name.to_string());
        }
    }
    for (name, mut df) in tables {
        counts.insert(name.to_string(), df.height());
        if write_table(out.dir, name, &mut df, out.metadata, config.copies)? {
            no_csv.push(name.to_string());
        }
    }
    if !no_csv.is_empty() {
        notes.push(format!(
            "no CSV copy of {} (above [output] csv_max_rows = {} rows; the Parquet files have every row; csv = \"all\" writes them)",
            no_csv.join(", "),
            config.copies.csv_max_rows
        ));
    }
    Ok(counts)
}

/// (name, value) pairs: the inputs' hashes, a file's key-value metadata.
type Pairs = Vec<(String, String)>;

/// The inputs' hashes, and the key-value metadata every table of the run
/// carries (run id, input hashes, simulated, seed).
fn run_metadata(config: &Config, wm: &Manifest, run_id: &str) -> (Pairs, Pairs) {
    let input_hashes: Vec<(String, String)> = wm
        .files
        .iter()
        .map(|f| (f.path.clone(), f.hash.clone()))
        .collect();
    let mut metadata = warehouse::file_metadata(
        run_id,
        &input_hashes
            .iter()
            .map(|(p, h)| format!("{p}={h}"))
            .collect::<Vec<_>>()
            .join(";"),
    );
    metadata.push(("govlens.simulated".into(), wm.simulated.to_string()));
    metadata.push(("govlens.seed".into(), config.seed.to_string()));
    (input_hashes, metadata)
}

/// Every model `[compare] models` names must have units in the run.
fn check_models(
    config: &Config,
    models: &std::collections::BTreeSet<String>,
) -> Result<(), CompareError> {
    for m in &config.compare.models {
        if !models.contains(m) {
            return Err(CompareError::NoModel {
                config: config.path.display().to_string(),
                model: m.clone(),
                available: models.iter().cloned().collect::<Vec<_>>().join(", "),
            });
        }
    }
    Ok(())
}

/// The run's periods, checked: some data, and the period asked for among them.
fn periods_of(
    config: &Config,
    source: &UnitSource,
    tree: &metrics::Tree,
    period: Option<&str>,
) -> Result<Vec<String>, CompareError> {
    let t = std::time::Instant::now();
    let periods = source.periods(config, tree)?;
    tracing::debug!(
        seconds = t.elapsed().as_secs_f64(),
        periods = periods.len(),
        "periods found"
    );
    if periods.is_empty() {
        return Err(CompareError::NoData {
            path: config.warehouse.display().to_string(),
            level: config.analysis_level.name().into(),
        });
    }
    if let Some(p) = period {
        if !periods.iter().any(|x| x == p) {
            return Err(CompareError::NoPeriod {
                period: p.to_string(),
                available: periods.join(", "),
            });
        }
    }
    Ok(periods)
}

/// What compare keeps of each period as it goes; the period's unit metrics
/// themselves are written and dropped.
#[derive(Default)]
struct Gathered {
    /// The adoption metrics of every period, for the DiD.
    panel: Grouped,
    models: std::collections::BTreeSet<String>,
    summaries: Vec<DataFrame>,
    tests: Vec<DataFrame>,
    pairs: Vec<DataFrame>,
    scores: Vec<DataFrame>,
    /// fsQCA's cases: the units of the study period.
    qca_cases: Option<(crate::methods::qca::Cases, Vec<String>)>,
    /// The index's analysis (treatment, diagnostics, sensitivity) of the same period.
    index_input: Option<IndexPeriod>,
    /// Each unit's latest values, for the next period's `latest` imputation.
    history: History,
}

/// What every period is compared with.
struct PeriodPlan<'a> {
    config: &'a Config,
    /// The period asked for (`--period`), if one.
    period: Option<&'a str>,
    /// fsQCA's and the index analysis's period: the one asked for, else the latest.
    study_period: Option<&'a String>,
    latest: Option<&'a str>,
    /// Index rank intervals for every period (else the latest only).
    every: bool,
    wanted: &'a std::collections::BTreeSet<(String, String)>,
    assigned: Option<&'a super::tables::Assigned<'a>>,
    unit_of: &'a std::collections::HashMap<&'a str, &'a metrics::Unit>,
}

impl Gathered {
    /// One period's unit metrics `um_p`: the model tables and index scores
    /// (of the period asked for, or every one), the adoption panel, the
    /// study period's cases and index input.
    fn period(
        &mut self,
        plan: &PeriodPlan,
        p: &String,
        um_p: DataFrame,
        notes: &mut Vec<String>,
    ) -> Result<(), CompareError> {
        let config = plan.config;
        let perr = |table: &str| {
            let table = table.to_string();
            move |source| CompareError::Polars { table, source }
        };
        let mut g = grouped(&um_p).map_err(perr("unit_metrics"))?;
        drop(um_p);
        if let Some(q) = config.qca.as_ref().filter(|_| plan.study_period == Some(p)) {
            self.qca_cases = Some(super::qca_cases::unit_cases(&g, q));
        }
        // The period's index input: for the analysis (the study period)
        // and for the `latest` history, built once.
        let this_input = (plan.study_period == Some(p) || History::needed(config))
            .then(|| index_run::index_input(&g, config, p, plan.unit_of, &self.history))
            .flatten();
        self.models
            .extend(g.values().flat_map(|m| m.keys().cloned()));
        for (k, v) in &g {
            if plan.wanted.contains(&(k.0.clone(), k.1.clone())) {
                self.panel.insert(k.clone(), v.clone());
            }
        }
        if plan.period.is_none_or(|sel| sel == p) {
            if !config.compare.models.is_empty() {
                for groups in g.values_mut() {
                    groups.retain(|m, _| config.compare.models.contains(m));
                }
            }
            let mt = model_tables(&g, config, plan.assigned).map_err(perr("model_summary"))?;
            self.summaries.push(mt.summary);
            self.tests.push(mt.tests);
            self.pairs.push(mt.pairs);
            notes.extend(mt.notes);
            let intervals = plan.every || plan.latest == Some(p.as_str());
            let (sc, n) =
                index_run::index_scores(&g, config, intervals, plan.unit_of, &self.history)
                    .map_err(perr("index_scores"))?;
            self.scores.push(sc);
            notes.extend(n);
        }
        // The unit's latest values, for the next period's `latest` imputation.
        if History::needed(config) {
            if let Some(ip) = &this_input {
                self.history.remember(&ip.input);
            }
        }
        if plan.study_period == Some(p) {
            self.index_input = this_input;
        }
        Ok(())
    }
}

/// A run's tables.
type Tables = Vec<(&'static str, DataFrame)>;

/// The run's fsQCA study of the units of `study_period`, when `[qca]` asks
/// for one: a bad section stops the run; what the units' data does not allow
/// (too few units at a coarse level, no row reaching the cuts) is a note, so
/// that a scheduled run still publishes everything else.
fn qca_study(
    config: &Config,
    qca_cases: Option<(crate::methods::qca::Cases, Vec<String>)>,
    study_period: Option<&str>,
    notes: &mut Vec<String>,
) -> Result<Tables, CompareError> {
    let mut qca_tables = Vec::new();
    if let (Some(q), Some((cases, qca_notes))) = (&config.qca, qca_cases) {
        let studied = cases.ids.len();
        let period = study_period.unwrap_or("");
        notes.extend(qca_notes);
        // The raw case table the study calibrates, in the order of the
        // config's conditions then the outcome (replication scripts read it).
        let mut columns = vec![Column::new("case".into(), cases.ids.clone())];
        for set in q.conditions.iter().chain(std::iter::once(&q.outcome)) {
            if let Some(v) = cases.columns.get(set) {
                columns.push(Column::new(set.as_str().into(), v.clone()));
            }
        }
        let raw =
            DataFrame::new(cases.ids.len(), columns).map_err(|source| CompareError::Polars {
                table: "qca_cases".into(),
                source,
            })?;
        match crate::methods::qca::analyse(&cases, q) {
            Ok(analysis) => {
                notes.extend(analysis.warnings.iter().map(|w| format!("qca: {w}")));
                qca_tables = analysis.tables;
                qca_tables.push(("qca_cases", raw));
            }
            Err(e @ crate::methods::qca::AnalysisError::Key { .. }) => {
                return Err(CompareError::Qca {
                    config: config.path.display().to_string(),
                    message: format!("[qca]: {e}"),
                })
            }
            Err(e) => notes.push(format!(
                "qca: the {studied} unit(s) of period {period} were not studied: {e}"
            )),
        }
    }

    Ok(qca_tables)
}

/// The index's analysis of `study_period` (treatment, diagnostics,
/// sensitivity): its tables beside index_scores, which the period-by-period
/// scores make.
fn index_study(
    config: &Config,
    index_input: Option<IndexPeriod>,
    study_period: Option<&str>,
    notes: &mut Vec<String>,
) -> Result<Tables, CompareError> {
    let mut index_tables = Vec::new();
    if let Some(ip) = index_input {
        let spec = super::index_run::study_of_run(&config.index, config.seed);
        match crate::methods::index::analyse(ip.input.units, ip.input.values, &ip.ctx, &spec) {
            Ok(a) => {
                if let Some((f, st)) = &a.strongest {
                    notes.push(format!(
                        "index sensitivity ({}): the choice that moves the ranks most is {f} (ST = {st:.3})",
                        study_period.unwrap_or("")
                    ));
                }
                notes.extend(a.notes.iter().map(|n| format!("index: {n}")));
                index_tables = a
                    .tables
                    .into_iter()
                    .filter(|(n, _)| *n != "index_scores")
                    .collect();
            }
            Err(e @ crate::methods::index::IndexError::Key { .. }) => {
                return Err(CompareError::Index {
                    config: config.path.display().to_string(),
                    message: format!("[index]: {e}"),
                })
            }
            Err(e) => notes.push(format!("index: the analysis was not made: {e}")),
        }
    }

    Ok(index_tables)
}
