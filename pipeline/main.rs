//! The `govlens` binary: parses arguments, calls the library, and turns
//! errors into one message and a non-zero exit. No logic lives here.

mod cli;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Parser;

use govlens::config::Config;
use govlens::{generate, ingest, study};

use cli::{Cli, Command, ConfigArgs, GenerateArgs};

/// mimalloc instead of glibc's malloc: ingest allocates a few small strings
/// per cell, and at national scale (130M rows) the allocator was a fifth of
/// the profile.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Exit codes (documented in docs/operations.md).
const EXIT_ERROR: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let filter = tracing_subscriber::EnvFilter::try_from_env("GOVLENS_LOG").unwrap_or_else(|_| {
        // The map rasteriser's own warnings (an empty polyline skipped)
        // are not the user's business (GOVLENS_LOG=tiny_skia=warn shows them).
        tracing_subscriber::EnvFilter::new(format!(
            "{},tiny_skia=error,usvg=error,resvg=error",
            cli.log_level
        ))
    });
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(govlens::progress::LogWriter);
    if cli.no_progress || cli.log_format == cli::LogFormat::Json {
        govlens::progress::disable();
    }
    match cli.log_format {
        cli::LogFormat::Json => logs.json().init(),
        cli::LogFormat::Text => logs.init(),
    }
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {}", govlens::progress::one_line(&message(&e)));
            ExitCode::from(EXIT_ERROR)
        }
    }
}

/// The error and its causes on one line, each cause only once (library
/// errors already quote their source in their own message).
fn message(e: &anyhow::Error) -> String {
    let mut msg = e.to_string();
    for cause in e.chain().skip(1) {
        let c = cause.to_string();
        if !msg.contains(&c) {
            msg.push_str(": ");
            msg.push_str(&c);
        }
    }
    msg
}

fn load_config(args: &ConfigArgs) -> Result<Config> {
    if let Some(path) = &args.config {
        return Ok(Config::load(path)?);
    }
    let local = Path::new("configs/sample.toml");
    if local.is_file() {
        return Ok(Config::load(local)?);
    }
    // Outside a checkout: the embedded sample, its paths resolved against
    // the checkout the binary was built from.
    let base = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("configs");
    Ok(Config::embedded(&base)?)
}

/// `run` and `combine`'s closing summary; returns their exit code.
fn print_summary(s: &govlens::run::Summary) -> ExitCode {
    for (stage, what, detail) in &s.stages {
        println!("{stage:<8} {what:<7} {detail}");
    }
    println!(
        "rows: read {}, stored {}, quarantined {}; findings {}",
        s.rows_read, s.rows_stored, s.rows_quarantined, s.findings
    );
    if let Some(f) = &s.filing {
        println!("{f}");
    }
    for n in &s.notes {
        println!("note: {n}");
    }
    if let Some(r) = &s.report {
        println!("report: {}", r.display());
        let dashboard = r.with_file_name("dashboard.html");
        if dashboard.is_file() {
            println!("dashboard: {}", dashboard.display());
        }
    }
    ExitCode::from(s.exit)
}

/// `run --shard I/N`: exit 0 whenever the shard is written, whatever was
/// quarantined (a scheduler's `afterok` must let `combine` start; combine's
/// exit code reports the whole run's quarantine).
fn run_shard(
    config: &Config,
    shard: govlens::cluster::spec::Shard,
    force: bool,
) -> Result<ExitCode> {
    let out = govlens::cluster::shard::run(config, shard, force)?;
    let m = &out.manifest;
    if !out.ran {
        println!(
            "shard {shard} skipped: {} is up to date (same config, inputs and version)",
            out.dir.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let (read, stored, quarantined) = m
        .files
        .iter()
        .filter(|f| shard.index == 0 || f.table != "regions")
        .fold((0, 0, 0), |(r, s, q), f| {
            (r + f.rows_read, s + f.rows_stored, q + f.rows_quarantined)
        });
    println!(
        "shard {shard}: rows read {read}, stored {stored}, quarantined {quarantined}{}; {} periods, {} unit-metric rows",
        if shard.index == 0 { "" } else { " (regions are read by every shard, counted by shard 0)" },
        m.periods.len(),
        m.unit_metrics
    );
    println!("written to {}", out.dir.display());
    Ok(ExitCode::SUCCESS)
}

/// `ingest` and `validate`: under the lock of what they publish; exit 4 when
/// another process kept it past `run.lock_timeout`.
fn ingest_command(config: &Config, mode: &ingest::Mode, examples: usize) -> Result<ExitCode> {
    let mut notes = Vec::new();
    // A collection round: the office's lists and status, beside the
    // warehouse or report they come from, written under its lock.
    let outcome = ingest::run_locked_then(config, mode, &mut notes, |o| {
        config
            .collection
            .as_ref()
            .map(|_| govlens::render::returns::write(&o.written_to, &o.written_to, config))
    });
    for n in &notes {
        eprintln!("note: {}", govlens::progress::one_line(n));
    }
    match outcome {
        Ok((outcome, returns)) => {
            print!("{}", ingest::summary(&outcome, examples));
            if let Some(written) = returns.transpose()? {
                println!("{}", govlens::render::returns::said(&written));
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(ingest::IngestError::Lock(e @ govlens::lock::LockError::Locked { .. })) => {
            eprintln!("error: {}", govlens::progress::one_line(&e.to_string()));
            Ok(ExitCode::from(govlens::run::EXIT_LOCKED))
        }
        Err(e) => Err(e.into()),
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Run(r) => run_cmd(r),
        Command::Combine(c) => combine_cmd(c),
        Command::Slurm(cli::SlurmCommand::Submit(a)) => slurm_cmd(a),
        Command::Ingest(args) => {
            let config = load_config(&args)?;
            ingest_command(&config, &ingest::Mode::Ingest, args.examples)
        }
        Command::Validate(args) => validate_cmd(args),
        Command::Compare(cargs) => compare_cmd(cargs),
        Command::Render(r) => render_cmd(r),
        Command::Index(a) => study(study::index::run(&a.config, a.out.as_deref(), a.lang)?),
        Command::Did(a) => study(study::did::run(&a.try_into().map_err(anyhow::Error::msg)?)?),
        Command::Qca(q) => study(study::qca::run(
            &q.config,
            q.out.as_deref(),
            q.run.as_deref(),
            q.period.as_deref(),
        )?),
        Command::Report(r) => report_cmd(r),
        Command::Export(e) => export_cmd(e),
        Command::Generate(args) => generate_cmd(args),
    }
}

fn generate_cmd(args: GenerateArgs) -> Result<ExitCode> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let (first_year, last_year) = generate::parse_years(&args.years)?;
    let spec = generate::Spec {
        out: args.out.clone(),
        seed: args.seed,
        communities: args.communities,
        first_year,
        last_year,
        tree: args
            .tree
            .unwrap_or_else(|| root.join("datasets/reference/sample-areas.csv")),
        reference: args
            .reference
            .unwrap_or_else(|| root.join("datasets/reference/gbt2260-2023.csv")),
        placebo: args.placebo,
    };
    let prov = generate::generate(&spec).context("generate")?;
    println!(
        "wrote {} simulated communities, {}, seed {} to {}",
        prov.communities,
        prov.years,
        prov.seed,
        args.out.display()
    );
    if let Some(messy) = &args.messy {
        generate::messy::generate_messy(&spec, messy).context("generate --messy")?;
        println!("wrote the messy variant to {}", messy.display());
    }
    Ok(ExitCode::SUCCESS)
}

fn run_cmd(r: cli::RunArgs) -> Result<ExitCode> {
    let config = load_config(&r.config)?;
    if let Some(shard) = r.shard {
        return run_shard(&config, shard, r.stages.force);
    }
    let opts = r.stages.options();
    match govlens::run::run(&config, &opts) {
        Ok(s) => Ok(print_summary(&s)),
        Err(e @ govlens::run::RunError::Locked { .. }) => {
            eprintln!("error: {e}");
            Ok(ExitCode::from(govlens::run::EXIT_LOCKED))
        }
        Err(e) => Err(e.into()),
    }
}

fn combine_cmd(c: cli::CombineArgs) -> Result<ExitCode> {
    let config = load_config(&c.config)?;
    if c.check {
        let shards = govlens::cluster::combine::shards(&config)?;
        for (dir, m) in &shards {
            println!(
                "shard {}/{}: {} periods, {} unit-metric rows, {} quarantined ({})",
                m.shard,
                m.shards,
                m.periods.len(),
                m.unit_metrics,
                m.quarantined,
                dir.display()
            );
        }
        govlens::cluster::combine::check(&config, &shards)?;
        println!("all {} shards present and consistent", shards.len());
        return Ok(ExitCode::SUCCESS);
    }
    let opts = c.stages.options();
    match govlens::cluster::combine::run(&config, &opts) {
        Ok(s) => Ok(print_summary(&s)),
        Err(govlens::cluster::ClusterError::Run(e @ govlens::run::RunError::Locked { .. })) => {
            eprintln!("error: {e}");
            Ok(ExitCode::from(govlens::run::EXIT_LOCKED))
        }
        Err(e) => Err(e.into()),
    }
}

fn slurm_cmd(a: cli::SubmitArgs) -> Result<ExitCode> {
    let config = Config::load(&a.config)?;
    let exe = match a.govlens {
        Some(p) => p,
        None => std::env::current_exe().context("finding this govlens binary")?,
    };
    let opts = govlens::cluster::slurm::Submit {
        shards: govlens::cluster::spec::Shard::parse(&format!("0/{}", a.shards))
            .map_err(|e| anyhow::anyhow!("--shards: {e}"))?
            .count,
        partition: a.partition,
        only: a.only,
        time: a.time,
        mem: a.mem,
        cpus: a.cpus,
        exe,
        dry_run: a.dry_run,
    };
    if let Some(bad) = opts.only.iter().flatten().find(|i| **i >= opts.shards) {
        anyhow::bail!("--only {bad}: shards are numbered 0 to {}", opts.shards - 1);
    }
    let done = govlens::cluster::slurm::submit(&config, &opts)?;
    println!("scripts: {}", done.dir.display());
    if let Some(old) = &done.cancelled {
        println!("cancelled combine job {old} (it waited on failed shards)");
    }
    match (&done.array, &done.combine) {
        (Some(a), Some(c)) => {
            println!("shards job {a}");
            println!("combine job {c} (starts when every shard succeeded)");
            println!(
                "watch: squeue -j {a},{c}   logs: {}",
                done.dir.join("logs").display()
            );
        }
        _ => println!(
            "not submitted (--dry-run): sh {}",
            done.dir.join("submit.sh").display()
        ),
    }
    Ok(ExitCode::SUCCESS)
}

fn validate_cmd(args: cli::ValidateArgs) -> Result<ExitCode> {
    let config = load_config(&args.config)?;
    let report = args
        .report
        .unwrap_or_else(|| config.output.join("validation"));
    ingest_command(
        &config,
        &ingest::Mode::Validate { report },
        args.config.examples,
    )
}

fn compare_cmd(cargs: cli::CompareArgs) -> Result<ExitCode> {
    let args = &cargs.config;
    let config = load_config(args)?;
    let out = govlens::compare::stage::run(&config, cargs.period.as_deref())?;
    let m = &out.manifest;
    println!(
        "run {}{}: {}",
        m.run_id,
        if m.simulated { " (simulated data)" } else { "" },
        m.tables
            .iter()
            .map(|(t, n)| format!("{t} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    for n in m.notes.iter().take(args.examples.max(1) * 3) {
        println!("  note: {n}");
    }
    if m.notes.len() > args.examples.max(1) * 3 {
        println!("  … {} notes in all (manifest.json)", m.notes.len());
    }
    println!("written to {}", out.dir.display());
    Ok(ExitCode::SUCCESS)
}

fn render_cmd(r: cli::RenderArgs) -> Result<ExitCode> {
    let config = load_config(&r.config)?;
    let lang = r.lang.unwrap_or(config.render.lang);
    let (width, height) = match &r.size {
        Some(s) => govlens::config::parse_size(s).ok_or_else(|| {
            anyhow::anyhow!("--size '{s}' is not WIDTHxHEIGHT in 200..8000 pixels")
        })?,
        None => (config.render.width, config.render.height),
    };
    let opts = govlens::render::Options {
        run: r.run,
        lang,
        width,
        height,
        top_n: r.top.unwrap_or(config.render.top_n),
        font: r.font.or_else(|| config.render.font.clone()),
    };
    let (dir, charts) = govlens::render::run(&config, &opts)?;
    println!(
        "{} charts (SVG + PNG), report.html, report.docx, report.xlsx, report.ipynb and dashboard.html in {}",
        charts.len(),
        dir.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// A study's summary on the terminal.
fn study(summary: impl std::fmt::Display) -> Result<ExitCode> {
    print!("{summary}");
    Ok(ExitCode::SUCCESS)
}

fn export_cmd(e: cli::ExportArgs) -> Result<ExitCode> {
    let config = load_config(&e.config)?;
    let opts = govlens::export::Options {
        run: e.run,
        formats: govlens::export::Format::parse_list(&e.format)
            .map_err(|m| anyhow::anyhow!("--format: {m}"))?,
        tables: e.tables,
        lang: e.lang,
    };
    print!("{}", govlens::export::run(&config, &opts)?);
    Ok(ExitCode::SUCCESS)
}

fn report_cmd(r: cli::ReportArgs) -> Result<ExitCode> {
    let config = load_config(&r.config)?;
    let (dir, alerts) =
        govlens::render::district::run(&config, r.run.as_deref(), &r.district, &r.period, r.lang)?;
    println!(
        "{} alert(s); report and dashboard.html in {}",
        alerts.len(),
        dir.display()
    );
    for a in alerts.iter().take(r.config.examples * 3) {
        println!("  {} {} [{}]: {}", a.name, a.unit, a.kind, a.message);
    }
    Ok(ExitCode::SUCCESS)
}
