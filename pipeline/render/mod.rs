//! `govlens render`: a run's tables in, charts out (SVG and PNG, labels in
//! Chinese or English), into `<output>/<run_id>/charts/`, published whole.
//! Render reads only the run's tables (the hand-off from compare).

/// Draws one chart as `<name>.svg` and `<name>.png` in a folder: the one
/// SVG+PNG helper every chart goes through. `$draw(&root, args…)` is any of
/// the charts' functions (generic over plotters' backend). The PNG is made
/// one of two ways, named at the call:
/// - `resvg`: the SVG rasterised with the report font (resvg), as the maps
///   are — plotters' own bitmap text spaces Chinese unevenly; the run's
///   charts;
/// - `bitmap`: drawn a second time on plotters' bitmap backend — the QCA,
///   index, treatment and event-study charts, as they have been drawn since
///   they were written (their PNGs are kept byte for byte).
///
/// Evaluates to `Result<(), String>`.
macro_rules! svg_png {
    ($dir:expr, $name:expr, $size:expr, $png:ident, $draw:path, $($arg:expr),* $(,)?) => {
        (|| -> Result<(), String> {
            use plotters::prelude::IntoDrawingArea;
            let name: &str = $name;
            let size: (u32, u32) = $size;
            let dir: &std::path::Path = $dir;
            let svg = dir.join(format!("{name}.svg"));
            {
                let root = plotters::prelude::SVGBackend::new(&svg, size).into_drawing_area();
                $draw(&root, $($arg),*).map_err(|e| e.to_string())?;
                root.present().map_err(|e| e.to_string())?;
            }
            let png = dir.join(format!("{name}.png"));
            $crate::render::svg_png!(@png $png, svg, png, size, $draw, $($arg),*);
            Ok(())
        })()
    };
    (@png resvg, $svg:ident, $png:ident, $size:ident, $draw:path, $($arg:expr),*) => {{
        let text = std::fs::read_to_string(&$svg).map_err(|e| e.to_string())?;
        let (font, _) = $crate::render::font::current();
        let bytes = $crate::render::maps::draw::png(&text, font)?;
        std::fs::write(&$png, bytes).map_err(|e| e.to_string())?;
    }};
    (@png bitmap, $svg:ident, $png:ident, $size:ident, $draw:path, $($arg:expr),*) => {{
        let root = plotters::prelude::BitMapBackend::new(&$png, $size).into_drawing_area();
        $draw(&root, $($arg),*).map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())?;
    }};
}
pub(crate) use svg_png;

/// A chart of the run's render through [`svg_png!`] (PNG from the SVG),
/// its failure a [`RenderError::Draw`] naming it, its name added to `$files`.
macro_rules! both {
    ($dir:expr, $name:expr, $opts:expr, $files:expr, $draw:path, $($arg:expr),* $(,)?) => {{
        let name: &str = $name;
        $crate::render::svg_png!($dir.as_ref(), name, ($opts.width, $opts.height), resvg, $draw, $($arg),*)
            .map_err(|message| RenderError::Draw { chart: name.to_string(), message })?;
        $files.push(name.to_string());
    }};
}

pub mod charts;
pub mod claims;
mod content;
pub mod counts;
pub mod dashboard;
mod data_content;
pub(crate) use data_content::one_province_each;
mod did_content;
pub mod disclosure;
pub mod district;
pub mod district_alerts;
pub mod district_charts;
pub mod document;
pub mod docx;
pub mod font;
pub mod format;
pub mod html;
pub mod index_charts;
mod index_content;
pub mod labels;
pub mod maps;
mod models_content;
pub mod notebook;
pub mod qca_charts;
pub(crate) mod qca_content;
pub mod returns;
pub mod treatment_chart;
pub mod xlsx;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use polars::prelude::*;

use crate::config::Config;
pub(crate) use crate::runs::{
    distinct, find_run, floats, latest_period, query, str_refs, strs, table,
};
use crate::warehouse::{self, Staging, WarehouseError};
use labels::{label, Lang};

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error(transparent)]
    Runs(#[from] crate::runs::RunsError),
    #[error(transparent)]
    Font(#[from] font::FontError),
    #[error("reading table {path}: {source}")]
    Table { path: String, source: PolarsError },
    #[error("drawing chart {chart}: {message}")]
    Draw { chart: String, message: String },
    #[error(transparent)]
    Warehouse(#[from] WarehouseError),
    #[error("district {district} {why} (districts with units in this run: {available})")]
    NoDistrict {
        district: String,
        why: String,
        available: String,
    },
    #[error("period {period} has no data in this run (periods: {available})")]
    NoPeriod { period: String, available: String },
    #[error("{0}")]
    Html(#[from] html::HtmlError),
    #[error("{0}")]
    Docx(#[from] docx::DocxError),
    #[error("writing the Excel file: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    #[error("writing the notebook: {0}")]
    Notebook(std::io::Error),
    #[error(transparent)]
    Boundaries(#[from] maps::geo::GeoError),
}

/// The four files of a report, in memory: written only when all four are
/// made, so a report is never half-written. `charts` holds the figures;
/// `charts_rel` is that folder as seen from where the files go.
pub fn documents(
    doc: &document::Document,
    charts: &Path,
    charts_rel: &str,
) -> Result<Vec<(&'static str, Vec<u8>)>, RenderError> {
    Ok(vec![
        ("report.html", html::write(doc, charts)?.into_bytes()),
        ("report.docx", docx::write(doc, charts)?),
        ("report.xlsx", xlsx::write(doc, charts)?),
        (
            "report.ipynb",
            notebook::write(doc, charts, charts_rel)
                .map_err(RenderError::Notebook)?
                .into_bytes(),
        ),
    ])
}

/// What to render.
#[derive(Debug, Clone)]
pub struct Options {
    /// A run id; default: the one `<output>/latest` names.
    pub run: Option<String>,
    pub lang: Lang,
    pub width: u32,
    pub height: u32,
    /// Units shown at each end of the index ranking.
    pub top_n: usize,
    /// A TrueType/OpenType font to use instead of the bundled one.
    pub font: Option<PathBuf>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            run: None,
            lang: Lang::Zh,
            width: 1000,
            height: 640,
            top_n: 15,
            font: None,
        }
    }
}

/// What the charts and reports depend on besides the run's tables: the
/// program version, the config sections render reads, and the options.
pub fn render_key(config: &Config, opts: &Options) -> String {
    let mut h = blake3::Hasher::new();
    h.update(format!("govlens {} render\n", env!("CARGO_PKG_VERSION")).as_bytes());
    h.update(format!("dashboard {}\n", dashboard::code_key()).as_bytes());
    h.update(
        config
            .section_key(&["render", "report", "privacy"])
            .as_bytes(),
    );
    h.update(
        format!(
            "{:?} {}x{} {} {:?}",
            opts.lang, opts.width, opts.height, opts.top_n, opts.font
        )
        .as_bytes(),
    );
    // A changed boundary file redraws the maps though the config is the same.
    for f in config.render.boundaries.iter().flat_map(|b| &b.files) {
        if let Ok(bytes) = std::fs::read(f) {
            h.update(blake3::hash(&bytes).as_bytes());
        }
    }
    h.finalize().to_hex()[..16].to_string()
}

/// Whether `run_dir` already has charts and reports for this key: the
/// `.rendered` marker is written last, after both reports are in place.
pub fn is_rendered(run_dir: &Path, key: &str) -> bool {
    std::fs::read_to_string(run_dir.join(".rendered")).is_ok_and(|k| k.trim() == key)
}

/// The run's model order in every chart.
const ORDER: [&str; 5] = ["sinking", "collaborative", "embedded", "integrated", "none"];

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len().max(1) as f64
}

/// What the charts of a run share: where they go, the run's language, the
/// latest period and its unit metrics grouped by (metric, breakdown,
/// model) in one pass (the charts ask for ~40 of these groups, and
/// filtering the ~2M rows afresh for each was most of a 100k-unit render),
/// and the charts drawn so far.
struct Charting<'a> {
    out: &'a Path,
    opts: &'a Options,
    lang: Lang,
    simulated: bool,
    latest: &'a str,
    grouped: HashMap<(&'a str, &'a str, &'a str), Vec<f64>>,
    files: Vec<String>,
    /// The adoption effects' `alpha` (their intervals' level).
    alpha: f64,
}

impl Charting<'_> {
    /// A metric's values by model, in the models' order.
    fn by_model(&self, metric: &str, breakdown: &str) -> Vec<(String, Vec<f64>)> {
        ORDER
            .iter()
            .filter_map(|m| {
                let v = self.grouped.get(&(metric, breakdown, *m))?;
                Some((m.to_string(), v.clone()))
            })
            .collect()
    }

    fn title(&self, key: &str) -> String {
        labels::titled(self.lang, key, self.simulated)
    }
}

/// (a) the age structure; (b) the resolution rate: boxes, then the models'
/// means over the years.
fn age_and_resolution(d: &mut Charting, summary: &DataFrame) -> Result<(), RenderError> {
    // (a) age structure.
    let mut bars = Vec::new();
    for role in ["cadre", "member"] {
        let young = d.by_model("share_young", role);
        let old: BTreeMap<String, Vec<f64>> = d.by_model("share_old", role).into_iter().collect();
        for (m, y) in young {
            let o = old.get(&m).map(|v| mean(v)).unwrap_or(0.0);
            bars.push(charts::AgeBar {
                model: m,
                role: role.into(),
                young: mean(&y),
                old: o,
                n: y.len(),
            });
        }
    }
    both!(
        d.out,
        "age_structure",
        d.opts,
        d.files,
        charts::age_structure,
        &bars,
        d.latest,
        d.simulated,
        d.lang
    );

    // (b) resolution rate: boxes, then model means over the years.
    let res = d.by_model("resolution_rate", "");
    both!(
        d.out,
        "resolution_rate",
        d.opts,
        d.files,
        charts::boxes,
        &res,
        &labels::period_title(d.lang, "resolution_title", d.latest, d.simulated),
        label(d.lang, "resolution_rate"),
        charts::Scale::level("resolution_rate"),
        d.lang
    );
    let (sp, sm, sb, smod) = (
        strs(summary, "period"),
        strs(summary, "metric"),
        strs(summary, "breakdown"),
        strs(summary, "governance_model"),
    );
    let smean = floats(summary, "mean");
    let lines: Vec<(String, Vec<(i32, f64)>)> = ORDER
        .iter()
        .map(|m| {
            let pts: Vec<(i32, f64)> = (0..summary.height())
                .filter(|&i| sm[i] == "resolution_rate" && sb[i].is_empty() && smod[i] == *m)
                .filter_map(|i| Some((sp[i].parse().ok()?, smean[i]?)))
                .collect();
            (m.to_string(), pts)
        })
        .filter(|(_, p)| !p.is_empty())
        .collect();
    both!(
        d.out,
        "resolution_trend",
        d.opts,
        d.files,
        charts::trend,
        &lines,
        &d.title("resolution_trend_title"),
        label(d.lang, "resolution_rate"),
        charts::Scale::level("resolution_rate"),
        d.lang
    );

    Ok(())
}

/// (c) the centres: the visits heat map and the coverage.
fn centres(
    d: &mut Charting,
    with_data: &std::collections::BTreeSet<String>,
) -> Result<(), RenderError> {
    // (c) centres: heatmap and coverage.
    let present: Vec<String> = ORDER
        .iter()
        .filter(|m| with_data.contains(**m))
        .map(|m| m.to_string())
        .collect();
    let centres: Vec<String> = crate::contract::CENTER_TYPES
        .iter()
        .take(7)
        .map(|(id, _)| id.to_string())
        .collect();
    let cells: Vec<Vec<Option<f64>>> = centres
        .iter()
        .map(|c| {
            present
                .iter()
                .map(|m| {
                    let v: Vec<f64> = d
                        .by_model("visits_per_1k", c)
                        .into_iter()
                        .filter(|(x, _)| x == m)
                        .flat_map(|(_, v)| v)
                        .collect();
                    (!v.is_empty()).then(|| mean(&v))
                })
                .collect()
        })
        .collect();
    both!(
        d.out,
        "centre_visits",
        d.opts,
        d.files,
        charts::heatmap,
        &present,
        &centres,
        &cells,
        &labels::period_title(d.lang, "heatmap_title", d.latest, d.simulated),
        d.lang
    );
    let cov: Vec<(String, f64, usize)> = d
        .by_model("center_coverage", "")
        .into_iter()
        .map(|(m, v)| (m, mean(&v), v.len()))
        .collect();
    both!(
        d.out,
        "centre_coverage",
        d.opts,
        d.files,
        charts::model_bars,
        &cov,
        &labels::period_title(d.lang, "coverage_title", d.latest, d.simulated),
        label(d.lang, "coverage"),
        charts::Scale::level("center_coverage"),
        d.lang
    );

    Ok(())
}

/// (d) the index: top and bottom units with rank intervals, the models' means.
fn index_ranks(
    d: &mut Charting,
    scores: &DataFrame,
    name_of: &BTreeMap<&str, &str>,
    model_of: &BTreeMap<&str, &str>,
) -> Result<(), RenderError> {
    // (d) the index: top and bottom units with rank intervals, model means.
    let (ic, ip) = (strs(scores, "region_code"), strs(scores, "period"));
    let isc = floats(scores, "score");
    let (shown, n_units) = rank_rows(
        scores,
        "region_code",
        |i| ip[i] == d.latest,
        name_of,
        model_of,
        d.lang,
        d.opts.top_n,
    );
    both!(
        d.out,
        "index_ranks",
        d.opts,
        d.files,
        charts::ranks,
        &shown,
        n_units,
        &labels::period_title(d.lang, "index_title", d.latest, d.simulated),
        d.lang
    );
    let imeans: Vec<(String, f64, usize)> = ORDER
        .iter()
        .filter_map(|m| {
            let v: Vec<f64> = (0..scores.height())
                .filter(|&i| ip[i] == d.latest && model_of.get(ic[i].as_str()) == Some(m))
                .filter_map(|i| isc[i])
                .collect();
            (!v.is_empty()).then(|| (m.to_string(), mean(&v), v.len()))
        })
        .collect();
    both!(
        d.out,
        "index_models",
        d.opts,
        d.files,
        charts::model_bars,
        &imeans,
        &labels::period_title(d.lang, "index_models_title", d.latest, d.simulated),
        label(d.lang, "score_axis"),
        charts::Scale::Plain,
        d.lang
    );

    Ok(())
}

/// (e) the event study of the resolution rate; (f) data quality.
fn events_and_quality(
    d: &mut Charting,
    events: &DataFrame,
    quality: &DataFrame,
) -> Result<(), RenderError> {
    // (e) the event study of the resolution rate.
    let em = strs(events, "metric");
    let ev = charts::event_points(events, |i| em[i] == "resolution_rate", d.alpha);
    both!(
        d.out,
        "event_study",
        d.opts,
        d.files,
        charts::event_study,
        &ev,
        &labels::at_level(&d.title("event_chart_title"), d.alpha),
        label(d.lang, "resolution_rate"),
        charts::Scale::change("resolution_rate"),
        d.lang,
        d.alpha
    );

    // (f) data quality.
    let (qt, qr) = (strs(quality, "table"), strs(quality, "rule"));
    let qn = floats(quality, "rows");
    let q: Vec<(String, String, u64)> = (0..quality.height())
        .map(|i| (qt[i].clone(), qr[i].clone(), qn[i].unwrap_or(0.0) as u64))
        .collect();
    both!(
        d.out,
        "data_quality",
        d.opts,
        d.files,
        charts::quality,
        &q,
        &d.title("quality_title"),
        d.lang
    );

    Ok(())
}

/// A rank-interval chart's rows from a table with `unit_col`, rank,
/// rank_p05 and rank_p95 (rows where `keep` holds): each unit named with its
/// model, sorted by rank, the `top_n` at each end when there are more, best
/// at the top; and how many units there were.
/// Units' names and models for the index charts (empty for a table a
/// researcher brings: units are shown by their id).
pub struct IndexNames<'a> {
    pub name_of: &'a BTreeMap<&'a str, &'a str>,
    pub model_of: &'a BTreeMap<&'a str, &'a str>,
}

/// The index analysis's charts from its tables (`get` returns a table the
/// analysis wrote, None otherwise), for both doors: the run's render and
/// `govlens index`. Returns the charts drawn.
pub fn index_figures(
    out: &Path,
    get: &dyn Fn(&str) -> Option<DataFrame>,
    names: &IndexNames,
    opts: &Options,
    simulated: bool,
) -> Result<Vec<String>, RenderError> {
    let lang = opts.lang;
    let mut files = Vec::new();
    let derr = |chart: &str| {
        let chart = chart.to_string();
        move |message: String| RenderError::Draw { chart, message }
    };
    let shown = |s: &str| labels::set_label(lang, s);
    if let (Some(d), Some(c)) = (get("index_diagnostics"), get("index_correlations")) {
        treatment_chart::draw(
            out,
            &treatment_chart::moved(&d, &shown),
            &labels::titled(lang, "distributions_title", simulated),
            (
                label(lang, "skewness"),
                label(lang, "kurtosis"),
                Some(label(lang, "check_fails")),
            ),
        )
        .map_err(derr("index_distributions"))?;
        files.push("index_distributions".into());
        // The indicators' correlations, in the diagnostics' order.
        index_charts::draw_correlations(
            out,
            &c,
            &strs(&d, "indicator"),
            &shown,
            &labels::titled(lang, "correlations_title", simulated),
        )
        .map_err(derr("index_correlations"))?;
        files.push("index_correlations".into());
    }
    if let Some(t) = get("index_sensitivity") {
        index_charts::draw_sensitivity(
            out,
            &t,
            &labels::titled(lang, "sensitivity_title", simulated),
            &|f| label(lang, &format!("factor_{f}")).to_string(),
        )
        .map_err(derr("sensitivity"))?;
        files.push("sensitivity".into());
    }
    if let Some(ri) = get("index_rank_intervals") {
        // Each unit's rank interval over the sensitivity's evaluations.
        let (shown, n_units) = rank_rows(
            &ri,
            "unit",
            |_| true,
            names.name_of,
            names.model_of,
            lang,
            opts.top_n,
        );
        both!(
            out,
            "sensitivity_ranks",
            opts,
            files,
            charts::ranks,
            &shown,
            n_units,
            &labels::titled(lang, "sensitivity_ranks_title", simulated),
            lang
        );
    }
    Ok(files)
}

fn rank_rows(
    t: &DataFrame,
    unit_col: &str,
    keep: impl Fn(usize) -> bool,
    name_of: &BTreeMap<&str, &str>,
    model_of: &BTreeMap<&str, &str>,
    lang: Lang,
    top_n: usize,
) -> (Vec<charts::RankRow>, usize) {
    let (units, rank, p05, p95) = (
        strs(t, unit_col),
        floats(t, "rank"),
        floats(t, "rank_p05"),
        floats(t, "rank_p95"),
    );
    let mut rows: Vec<charts::RankRow> = (0..t.height())
        .filter(|&i| keep(i))
        .filter_map(|i| {
            let code = units[i].as_str();
            let name = name_of.get(code).copied().unwrap_or(code);
            let m = model_of.get(code).copied().unwrap_or("");
            let shown_m = labels::model(lang, m);
            Some(charts::RankRow {
                // A table a researcher brings has no models: the name alone.
                label: match lang {
                    _ if m.is_empty() => labels::short(name, 16),
                    Lang::Zh => format!("{}（{shown_m}）", labels::short(name, 10)),
                    Lang::En => format!("{} ({shown_m})", labels::short(name, 16)),
                },
                model: m.to_string(),
                rank: rank[i]?,
                p05: p05[i]?,
                p95: p95[i]?,
            })
        })
        .collect();
    rows.sort_by(|a, b| a.rank.total_cmp(&b.rank).then(a.label.cmp(&b.label)));
    let n = rows.len();
    let shown: Vec<charts::RankRow> = if n > 2 * top_n {
        rows[..top_n]
            .iter()
            .chain(&rows[n - top_n..])
            .cloned()
            .collect()
    } else {
        rows
    };
    (shown.into_iter().rev().collect(), n)
}

/// The fsQCA study's configuration table and XY plot, when the run made one.
fn qca_figures(
    dir: &Path,
    out: &Path,
    lang: Lang,
    simulated: bool,
) -> Result<Vec<String>, RenderError> {
    if !qca_content::has_study(dir) {
        return Ok(Vec::new());
    }
    let mut figures = qca_charts::Figures::from_tables(
        &table(dir, "qca_calibrated")?,
        &table(dir, "qca_solutions")?,
        &table(dir, "qca_configurations")?,
        &|s| labels::set_label(lang, s),
    )
    .ok_or_else(|| RenderError::Draw {
        chart: "configuration_table".into(),
        message: "the qca tables lack the shown solution".into(),
    })?;
    figures.simulated = simulated;
    figures
        .draw(out, lang)
        .map_err(|message| RenderError::Draw {
            chart: "configuration_table".into(),
            message,
        })
}

/// The reports beside the run's tables, each renamed into place, then
/// `.rendered` (the render's key), last.
fn publish_reports(dir: &Path, written: &[(&str, Vec<u8>)], key: &str) -> Result<(), RenderError> {
    let ioerr = |path: PathBuf| move |source| WarehouseError::Io { path, source };
    // A render killed between writing a report and renaming it left
    // `.<name>.<pid>`: removed once that process is gone.
    let names: Vec<&str> = written
        .iter()
        .map(|(n, _)| *n)
        .chain(["rendered"])
        .collect();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let file = e.file_name().to_string_lossy().to_string();
        let Some((name, pid)) = file.strip_prefix('.').and_then(|f| f.rsplit_once('.')) else {
            continue;
        };
        let dead = pid
            .parse::<u32>()
            .is_ok_and(|p| p != std::process::id() && !Path::new(&format!("/proc/{p}")).exists());
        if dead && names.contains(&name) {
            let _ = std::fs::remove_file(e.path());
        }
    }
    for (name, bytes) in written {
        let tmp = dir.join(format!(".{name}.{}", std::process::id()));
        warehouse::write_bytes(&tmp, bytes)?;
        std::fs::rename(&tmp, dir.join(name)).map_err(ioerr(dir.join(name)))?;
    }
    let tmp = dir.join(format!(".rendered.{}", std::process::id()));
    warehouse::write_text(&tmp, &(key.to_string() + "\n"))?;
    std::fs::rename(&tmp, dir.join(".rendered")).map_err(ioerr(dir.join(".rendered")))?;
    Ok(())
}

/// Renders every chart of a run; returns the run folder and the charts.
pub fn run(config: &Config, opts: &Options) -> Result<(PathBuf, Vec<String>), RenderError> {
    font::register(opts.font.as_deref())?;
    let dir = find_run(&config.output, opts.run.as_deref())?;
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).map_err(
            |source| WarehouseError::Io {
                path: dir.join("manifest.json"),
                source,
            },
        )?)
        .unwrap_or_default();
    let simulated = manifest["simulated"].as_bool().unwrap_or(false);
    let lang = opts.lang;
    // The charts show the latest period: only its unit metrics are read (at
    // national scale the whole table, ~130M rows, took over 20 GB as text).
    let latest = latest_period(&dir)?;
    let um = query(&dir, "unit_metrics", |lf| {
        lf.filter(col("period").eq(lit(latest.as_str()))).select([
            col("governance_model"),
            col("metric"),
            col("breakdown"),
            col("value"),
        ])
    })?;
    let units = table(&dir, "units")?;
    // The boundaries are checked before anything is drawn.
    let unit_level = maps::values::unit_level(&strs(&units, "region_code"));
    let (boundaries, mut map_notes) = maps::read_boundaries(config, unit_level, lang)?;
    let summary = table(&dir, "model_summary")?;
    let scores = table(&dir, "index_scores")?;
    let events = table(&dir, "event_study")?;
    let quality = table(&dir, "data_quality")?;

    let (models, metrics, breakdowns) = (
        str_refs(&um, "governance_model"),
        str_refs(&um, "metric"),
        str_refs(&um, "breakdown"),
    );
    let values = floats(&um, "value");
    let (unit_codes, unit_models) = (
        strs(&units, "region_code"),
        strs(&units, "governance_model"),
    );
    let unit_names = strs(&units, "region_name");
    let name_of: BTreeMap<&str, &str> = unit_codes
        .iter()
        .zip(&unit_names)
        .map(|(c, n)| (c.as_str(), n.as_str()))
        .collect();
    let model_of: BTreeMap<&str, &str> = unit_codes
        .iter()
        .zip(&unit_models)
        .map(|(c, m)| (c.as_str(), m.as_str()))
        .collect();
    // Models with unit metrics in any period (the heatmap's columns).
    let with_data = distinct(&dir, "governance_model")?;
    // The latest period's values by metric, breakdown and model (Charting).
    let mut grouped: HashMap<(&str, &str, &str), Vec<f64>> = HashMap::new();
    for i in 0..um.height() {
        if let Some(v) = values[i] {
            grouped
                .entry((metrics[i], breakdowns[i], models[i]))
                .or_default()
                .push(v);
        }
    }
    let staging = Staging::new(&dir.join("charts"))?;
    let mut d = Charting {
        out: &staging.dir,
        opts,
        lang,
        simulated,
        latest: &latest,
        grouped,
        files: Vec::new(),
        alpha: did_content::alpha(&dir)?,
    };
    age_and_resolution(&mut d, &summary)?;
    centres(&mut d, &with_data)?;
    index_ranks(&mut d, &scores, &name_of, &model_of)?;
    events_and_quality(&mut d, &events, &quality)?;
    let (out, mut files, alpha) = (d.out, d.files, d.alpha);

    // (g) fsQCA: the configuration table and the XY plot, from the study's tables.
    files.extend(qca_figures(&dir, out, lang, simulated)?);

    // (h) The index's analysis: the indicators' distributions and
    // correlations, and the sensitivity when the run made it.
    let index_tables = |name: &str| -> Option<DataFrame> {
        dir.join(format!("tables/{name}.parquet"))
            .is_file()
            .then(|| table(&dir, name).ok())
            .flatten()
    };
    files.extend(index_figures(
        out,
        &index_tables,
        &IndexNames {
            name_of: &name_of,
            model_of: &model_of,
        },
        opts,
        simulated,
    )?);

    // (i) Maps: the province tiles, and choropleths from the boundaries
    // the config supplies.
    let (map_figures, tile_note) =
        maps::research(&dir, out, config, &boundaries, lang, simulated, &latest)?;
    map_notes.extend(tile_note);
    files.extend(map_figures.iter().map(|m| m.chart.clone()));

    let m = serde_json::json!({
        "key": render_key(config, opts),
        "charts": files,
        "lang": if lang == Lang::Zh { "zh" } else { "en" },
        "size": [opts.width, opts.height],
        "period": latest,
        "notes": map_notes,
        "font": opts.font.as_ref().map(|p| p.display().to_string()).unwrap_or_else(|| "bundled wqy-microhei.ttf".into()),
    });
    warehouse::write_text(
        &out.join("manifest.json"),
        &(serde_json::to_string_pretty(&m).expect("json") + "\n"),
    )?;

    // The reports read the charts from the staging folder, then all is published.
    let content = content::report_content(
        &dir,
        &manifest,
        &latest,
        simulated,
        lang,
        &content::Drawn {
            maps: &map_figures,
            map_notes: &map_notes,
            top_n: opts.top_n,
            alpha,
        },
    )?;
    let mut written = documents(&content, out, "charts")?;
    written.push((
        "dashboard.html",
        dashboard::build(&dir, config, dashboard::Scope::Run, lang)?.into_bytes(),
    ));
    staging.publish()?;
    publish_reports(&dir, &written, &render_key(config, opts))?;
    Ok((dir, files))
}
