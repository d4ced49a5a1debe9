//! A collection round's documents for the office (contract B.21): one
//! correction list per filing office that has something to fix
//! (`<office>-退回修改清单.xlsx` and `.html`: a summary sheet, then one row per
//! problem in the office's own words), and the round's filing status
//! (`报送情况.xlsx` and `.html`), written to `<dir>/returns/<period>/` from a
//! warehouse's (or validation report's) `_filing.parquet`,
//! `_corrections.parquet`, `_collection.json` and `_manifest.json`. Every
//! text is a string cell (never a formula) and escaped HTML.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::document::{Block, Card, Cell, Column, Document, Meta, Table};
use super::format::Kind;
use super::labels::Lang;
use super::RenderError;
use crate::config::Config;
use crate::contract::Table as Fact;
use crate::ingest::collection::{self, Filing};
use crate::ingest::corrections::{self, Correction};
use crate::warehouse::{self, Manifest, Staging};

/// A fact table as a clerk names the return.
pub fn table_zh(t: Fact) -> &'static str {
    match t {
        Fact::Disputes => "人民调解情况",
        Fact::MemberAges => "党员干部年龄结构",
        Fact::ServiceUsage => "服务中心使用情况",
        Fact::Indicators => "公开指标",
        Fact::Regions => "区划",
    }
}

fn table_named(t: Fact, lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => table_zh(t),
        Lang::En => t.name(),
    }
}

/// What the documents are made from.
pub struct Round {
    pub filing: Vec<Filing>,
    pub lines: Vec<Correction>,
    pub manifest: Manifest,
    /// The district's name (from `_collection.json`), else its code.
    pub district: String,
    /// The round's period (`2024-03`; `本期` without one), and as a clerk
    /// writes it (`2024年3月`).
    pub period: String,
    pub period_shown: String,
    pub due: Option<String>,
    pub resubmit_by: Option<String>,
}

impl Round {
    /// A warehouse's or validation report's round.
    pub fn read(from: &Path, config: &Config) -> Result<Round, RenderError> {
        let table_err = |name: &str| {
            let path = from.join(name).display().to_string();
            move |source| RenderError::Table { path, source }
        };
        let filing = collection::read_status(from).map_err(table_err("_filing.parquet"))?;
        // An earlier version's lines (other columns) are no lines to show.
        let lines = corrections::read(&from.join("_corrections.parquet"))
            .map(|(lines, _)| lines)
            .unwrap_or_default();
        let manifest = Manifest::read(from)?;
        let c = config.collection.as_ref();
        let named: Option<String> = std::fs::read_to_string(from.join("_collection.json"))
            .ok()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
            .and_then(|v| v["district_name"].as_str().map(String::from));
        let period = c.and_then(|c| c.period).map(|p| p.canonical());
        Ok(Round {
            filing,
            lines,
            manifest,
            district: named
                .or_else(|| c.map(|c| c.district.clone()))
                .unwrap_or_default(),
            period_shown: period
                .as_deref()
                .map(crate::contract::grammar::period_zh)
                .unwrap_or_else(|| "本期".into()),
            period: period.unwrap_or_else(|| "本期".into()),
            due: c.and_then(|c| c.due).map(|d| d.text()),
            resubmit_by: c.and_then(|c| c.resubmit_by).map(|d| d.text()),
        })
    }

    /// Each office's lines (those already fixed among them), by office code.
    fn by_office(&self) -> BTreeMap<&str, Vec<&Correction>> {
        let mut out: BTreeMap<&str, Vec<&Correction>> = BTreeMap::new();
        for l in &self.lines {
            out.entry(l.office_code.as_str()).or_default().push(l);
        }
        out
    }

    /// Rows stored from an office's files (read this run).
    fn stored(&self, office: &str) -> u64 {
        self.manifest
            .files
            .iter()
            .filter(|f| f.filed_by.as_ref().is_some_and(|b| b.code == office))
            .map(|f| f.rows_stored)
            .sum()
    }

    /// The units expected to file, in code order.
    fn units(&self) -> Vec<(&str, &str)> {
        let mut units: Vec<(&str, &str)> = self
            .filing
            .iter()
            .filter_map(|f| Some((f.unit_code.as_deref()?, f.unit_name.as_deref()?)))
            .collect();
        units.dedup();
        units
    }

    /// The units with a table they sent nothing of.
    fn units_missing(&self) -> usize {
        let mut units: Vec<&str> = self
            .filing
            .iter()
            .filter(|f| f.status == "缺报")
            .filter_map(|f| f.unit_code.as_deref())
            .collect();
        units.dedup();
        units.len()
    }

    /// The tables collected, in order.
    fn tables(&self) -> Vec<Fact> {
        let mut out: Vec<Fact> = Vec::new();
        for f in &self.filing {
            if !out.contains(&f.table) {
                out.push(f.table);
            }
        }
        out
    }
}

/// A name fit for a file name: no separators or characters Windows refuses.
fn file_safe(name: &str) -> String {
    name.chars()
        .map(|c| {
            if "/\\:*?\"<>|".contains(c) || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect()
}

/// A file as its office knows it: its name, without the folder.
fn name_of(shown: &str) -> String {
    Path::new(shown)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or(shown)
        .to_string()
}

/// The documents' date and issuer: `[report] date` (else SOURCE_DATE_EPOCH,
/// else today) and `[report] issuer` (else the district's name).
fn meta(config: &Config, round: &Round) -> Meta {
    Meta {
        author: config
            .report
            .issuer
            .clone()
            .unwrap_or_else(|| round.district.clone()),
        date: super::document::report_date(config.report.date.as_deref()),
    }
}

/// Writes the round's documents to `<dir>/returns/<period>/` (replacing
/// what an earlier run wrote there, whole); the files written.
pub fn write(from: &Path, dir: &Path, config: &Config) -> Result<Vec<PathBuf>, RenderError> {
    let round = Round::read(from, config)?;
    let target = dir.join("returns").join(file_safe(&round.period));
    let staging = Staging::new(&target)?;
    let meta = meta(config, &round);
    let mut written = Vec::new();
    let charts = staging.dir.clone();
    // An office whose name another unit shares has its code in its files'
    // names, whichever of them has a list this time.
    let mut seen = BTreeSet::new();
    let shared: BTreeSet<&str> = round
        .units()
        .iter()
        .filter(|(_, n)| !seen.insert(*n))
        .map(|(_, n)| *n)
        .collect();
    let mut docs: Vec<(String, Document)> = Vec::new();
    for (office, lines) in round.by_office() {
        // An office with nothing left to fix gets no list.
        let Some(first) = lines.iter().find(|l| l.round != Some("已改正")) else {
            continue;
        };
        let name = &first.office_name;
        let stem = if shared.contains(name.as_str()) {
            format!("{}（{office}）-退回修改清单", file_safe(name))
        } else {
            format!("{}-退回修改清单", file_safe(name))
        };
        docs.push((stem, office_document(&round, office, &lines, &meta)));
    }
    docs.push(("报送情况".into(), status_document(&round, &meta)));
    for (stem, doc) in &docs {
        for (ext, bytes) in [
            ("html", super::html::write(doc, &charts)?.into_bytes()),
            ("xlsx", super::xlsx::write(doc, &charts)?),
        ] {
            let file = format!("{stem}.{ext}");
            warehouse::write_bytes(&staging.dir.join(&file), &bytes)?;
            written.push(target.join(file));
        }
    }
    let names: Vec<String> = written
        .iter()
        .filter_map(|p| p.file_name()?.to_str().map(String::from))
        .collect();
    let m = serde_json::json!({
        "run_id": round.manifest.run_id,
        "district": round.district,
        "period": round.period,
        "date": meta.date,
        "files": names,
    });
    warehouse::write_text(
        &staging.dir.join("manifest.json"),
        &(serde_json::to_string_pretty(&m).expect("json") + "\n"),
    )?;
    staging.publish()?;
    Ok(written)
}

/// The terminal's line for what [`write`] wrote.
pub fn said(written: &[PathBuf]) -> String {
    let lists = written
        .iter()
        .filter(|p| {
            p.extension().is_some_and(|e| e == "xlsx")
                && p.to_string_lossy().contains("退回修改清单")
        })
        .count();
    let dir = written
        .first()
        .and_then(|p| p.parent())
        .map(|d| d.display().to_string())
        .unwrap_or_default();
    format!("returns: {lists} correction list(s) (退回修改清单) and 报送情况 written to {dir}")
}

/// A table without the text columns no row fills (a round without sheets,
/// without repeated files), so what is left fits the page.
fn pruned(mut t: Table) -> Table {
    let empty = |i: usize| {
        t.columns[i].kind.is_none()
            && t.rows
                .iter()
                .all(|r| matches!(&r[i], Cell::Text(s) if s.is_empty()))
    };
    let keep: Vec<bool> = (0..t.columns.len()).map(|i| !empty(i)).collect();
    let mut k = keep.iter();
    t.columns.retain(|_| *k.next().unwrap_or(&true));
    for r in &mut t.rows {
        let mut k = keep.iter();
        r.retain(|_| *k.next().unwrap_or(&true));
    }
    t
}

/// Counts of an office's lines: (须修改, 请核实, 已改正).
fn counts(lines: &[&Correction]) -> (usize, usize, usize) {
    let open = |s: &str| {
        lines
            .iter()
            .filter(|l| l.severity == s && l.round != Some("已改正"))
            .count()
    };
    let fixed = lines.iter().filter(|l| l.round == Some("已改正")).count();
    (open("须修改"), open("请核实"), fixed)
}

fn card(label: &str, n: usize, alert: bool) -> Card {
    Card {
        label: label.into(),
        value: n.to_string(),
        lines: vec![],
        alert,
        number: Some((n as f64, Kind::Count)),
    }
}

/// The tables an office's open lines are about, as its returns are
/// called, in the round's order.
fn returns_named(round: &Round, lines: &[&Correction]) -> String {
    round
        .tables()
        .into_iter()
        .filter(|t| {
            lines
                .iter()
                .any(|l| l.table == *t && l.round != Some("已改正"))
        })
        .map(table_zh)
        .collect::<Vec<_>>()
        .join("、")
}

/// One office's correction list.
fn office_document(round: &Round, office: &str, lines: &[&Correction], meta: &Meta) -> Document {
    let name = lines
        .first()
        .map(|l| l.office_name.clone())
        .unwrap_or_default();
    let (must, check, fixed) = counts(lines);
    let second = lines.iter().any(|l| l.round.is_some());
    let still = lines
        .iter()
        .filter(|l| l.round == Some("上轮已指出"))
        .count();
    let mut cards = vec![
        card("须修改（该行未采用）", must, must > 0),
        card("请核实（已采用，数字不一致）", check, false),
        card("已采用的行", round.stored(office) as usize, false),
    ];
    if second {
        cards.push(card("上轮已改正", fixed, false));
        cards.push(card("上轮指出、仍未改正", still, still > 0));
    }
    let by = round
        .resubmit_by
        .as_deref()
        .map(|d| format!("于{d}前"))
        .unwrap_or_default();
    let returns = returns_named(round, lines);
    let mut blocks = vec![
        Block::Cards(cards),
        // A bullet, not a paragraph: the workbook's summary sheet shows it.
        Block::Bullets(vec![format!(
            "{name}：你单位报送的{}{returns}报表经审核，有以下{}处需要处理。“须修改”的行未被采用，请按“正确写法”改正原表；“请核实”的行已采用，但数字前后不一致，请核对台账后改正或说明。行号是你们原表中的行号（与 Excel/WPS 左侧的行号相同，含标题行）。请改正后{by}将整个表重新报送。",
            round.period_shown,
            must + check
        )]),
    ];
    let mut columns = vec![
        Column::number("序号", Kind::Rank),
        Column::text("文件"),
        Column::text("工作表"),
        Column::text("行号"),
        Column::text("社区/单位"),
        Column::text("栏目"),
        Column::text("填写内容"),
        Column::text("问题"),
        Column::text("正确写法"),
        Column::text("处理"),
    ];
    if second {
        columns.push(Column::text("本轮情况"));
    }
    let mut t = Table::new("问题清单", "问题清单（每行一处问题）", columns);
    for (i, l) in lines
        .iter()
        .filter(|l| l.round != Some("已改正"))
        .enumerate()
    {
        let mut row = vec![
            Cell::Num(Some((i + 1) as f64)),
            Cell::text(&l.file),
            Cell::text(l.sheet.clone().unwrap_or_default()),
            Cell::text(l.rows_shown()),
            Cell::text(l.region.clone().unwrap_or_default()),
            Cell::text(&l.column),
            Cell::text(l.value.clone().unwrap_or_default()),
            Cell::text(&l.problem),
            Cell::text(&l.example),
            Cell::text(l.severity),
        ];
        if second {
            row.push(Cell::text(l.round.unwrap_or_default()));
        }
        t.rows.push(row);
    }
    blocks.push(Block::Heading("问题清单".into()));
    blocks.push(Block::Table(pruned(t)));
    if fixed > 0 {
        let mut t = Table::new(
            "上轮已改正",
            "上轮已改正（本轮未再发现）",
            vec![
                Column::text("文件"),
                Column::text("行号"),
                Column::text("栏目"),
                Column::text("原填写内容"),
                Column::text("原问题"),
            ],
        );
        for l in lines.iter().filter(|l| l.round == Some("已改正")) {
            t.rows.push(vec![
                Cell::text(&l.file),
                Cell::text(l.rows_shown()),
                Cell::text(&l.column),
                Cell::text(l.value.clone().unwrap_or_default()),
                Cell::text(&l.problem),
            ]);
        }
        blocks.push(Block::Heading("上轮已改正".into()));
        blocks.push(Block::Table(pruned(t)));
    }
    let mut definitions = vec![
        ("须修改", "该行未被采用（无法识别、必填项为空、超出范围、重复或找不到社区），改正后重新报送才能计入。"),
        ("请核实", "该行已采用，但与合计、占比或其他行不一致；请核对原始台账，改正或书面说明。"),
        ("行号", "原表中的行号，与 Excel/WPS 左侧显示的行号相同（含标题行和表头行）；“8—11”指第8至11行。"),
    ];
    if second {
        definitions.push((
            "上轮已指出",
            "上一次审核已列出、本次重新报送后仍存在的问题。",
        ));
    }
    Document {
        lang: Lang::Zh,
        title: format!("{name}{}{returns}报表退回修改清单", round.period_shown),
        subtitle: format!(
            "{}（{office}）· 报送期：{} · 审核单位：{} · 日期：{}",
            name, round.period_shown, meta.author, meta.date
        ),
        banner: round
            .manifest
            .simulated
            .then(|| "模拟数据：本清单由 govlens 生成的样例数据得出".to_string()),
        blocks,
        definitions: definitions
            .into_iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect(),
        provenance: vec![
            ("数据批次（run id）".into(), round.manifest.run_id.clone()),
            (
                "生成工具".into(),
                format!("govlens {}", env!("CARGO_PKG_VERSION")),
            ),
        ],
        config: None,
        notebook_code: vec![],
        meta: meta.clone(),
    }
}

/// A status as the reader's language says it.
fn status_word(s: &str, lang: Lang) -> &str {
    if lang == Lang::Zh {
        return s;
    }
    match s {
        "已报" => "filed",
        "逾期" => "late",
        "缺报" => "not filed",
        "部分" => "partial",
        "重复" => "sent twice",
        _ => "filer unknown",
    }
}

/// Text in the reader's language.
fn tr(lang: Lang, zh: &str, en: &str) -> String {
    match lang {
        Lang::Zh => zh.into(),
        Lang::En => en.into(),
    }
}

/// A unit-table's communities left out, each `name（code）`, and those of
/// them whose rows are there under a name typed wrong (a correction line
/// suggests them).
fn left_out(f: &Filing, round: &Round) -> Vec<(String, bool)> {
    f.missing
        .iter()
        .map(|m| {
            let (code, name) = m.split_once(' ').unwrap_or((m.as_str(), ""));
            let misnamed = round.lines.iter().any(|l| {
                l.round != Some("已改正")
                    && l.table == f.table
                    && f.unit_code.as_deref() == Some(l.office_code.as_str())
                    && l.suggests.as_deref() == Some(code)
            });
            (format!("{name}（{code}）"), misnamed)
        })
        .collect()
}

/// The round's key figures: units expected, returns received, not filed,
/// and on time — of every return expected (a unit that sent nothing is not
/// on time).
fn status_cards(round: &Round, lang: Lang) -> Vec<Card> {
    let units = round.units();
    let expected: Vec<&Filing> = round
        .filing
        .iter()
        .filter(|f| f.unit_code.is_some())
        .collect();
    let missing = round.units_missing();
    let sent = units
        .iter()
        .filter(|u| {
            expected
                .iter()
                .any(|f| f.unit_code.as_deref() == Some(u.0) && !f.files.is_empty())
        })
        .count();
    let one = round.tables().len() == 1;
    let mut received = card(&tr(lang, "已收到", "Received"), sent, false);
    if !units.is_empty() {
        let rate = 100.0 * sent as f64 / units.len() as f64;
        received.lines = vec![tr(
            lang,
            &format!("{rate:.1}% 的单位有报送"),
            &format!("{rate:.1}% of units sent"),
        )];
    }
    let mut cards = vec![
        card(&tr(lang, "应报单位", "Units expected"), units.len(), false),
        received,
        card(
            &tr(lang, "缺报单位", "Units not filed"),
            missing,
            missing > 0,
        ),
    ];
    if round.due.is_some() && !expected.is_empty() {
        let on_time = expected.iter().filter(|f| f.on_time == Some(true)).count();
        let of = expected.len();
        let what = if one { "个单位" } else { "份应报报表" };
        cards.push(Card {
            label: tr(lang, "按时报送率", "Filed on time"),
            value: format!("{:.1}%", 100.0 * on_time as f64 / of as f64),
            lines: vec![tr(
                lang,
                &format!("{on_time} / {of} {what}按时报送（缺报计为未按时）"),
                &format!("{on_time} of {of} expected returns (not filed counts as late)"),
            )],
            alert: on_time < of,
            number: Some((on_time as f64 / of as f64, Kind::Share)),
        });
    }
    cards
}

/// Who is missing, late, partial or sent twice; files of no known filer;
/// the offices with the most problems.
fn status_bullets(round: &Round, lang: Lang) -> Vec<String> {
    let zh = lang == Lang::Zh;
    let one = round.tables().len() == 1;
    let named = |f: &Filing, more: String| {
        let name = f.unit_name.as_deref().unwrap_or_default();
        match (one, more.is_empty()) {
            (true, true) => name.to_string(),
            (true, false) => format!("{name}（{more}）"),
            (false, true) => format!("{name}（{}）", table_named(f.table, lang)),
            (false, false) => format!("{name}（{}，{more}）", table_named(f.table, lang)),
        }
    };
    let mut bullets = Vec::new();
    let mut say = |label: &str, says: String, who: Vec<String>| {
        if !who.is_empty() {
            let sep = if zh { "、" } else { ", " };
            let colon = if zh { "：" } else { ": " };
            bullets.push(format!("{label}{colon}{}——{says}", who.join(sep)));
        }
    };
    let known = || round.filing.iter().filter(|f| f.unit_code.is_some());
    say(
        &tr(lang, "缺报", "Not filed"),
        tr(lang, "尚未报送，请催报", "nothing came: chase them"),
        known()
            .filter(|f| f.status == "缺报")
            .map(|f| named(f, String::new()))
            .collect(),
    );
    // Late whatever else is said of it (sent twice, partial).
    say(
        &tr(lang, "逾期", "Late"),
        tr(lang, "在截止日期之后收到", "came after the due day"),
        known()
            .filter(|f| f.on_time == Some(false))
            .map(|f| named(f, f.received_at.clone().unwrap_or_default()))
            .collect(),
    );
    // Left out whatever else is said of it (sent twice).
    for f in known().filter(|f| !f.missing.is_empty()) {
        let out = left_out(f, round);
        let (typo, gone): (Vec<_>, Vec<_>) = out.iter().partition(|(_, m)| *m);
        if !gone.is_empty() {
            let names: Vec<&str> = gone.iter().map(|(n, _)| n.as_str()).collect();
            say(
                &tr(lang, "部分", "Partial"),
                tr(lang, "只报了部分社区（村）", "some communities left out"),
                vec![named(f, format!("缺{}", names.join("、")))],
            );
        }
        if !typo.is_empty() {
            let names: Vec<&str> = typo.iter().map(|(n, _)| n.as_str()).collect();
            say(
                &tr(lang, "村名写错", "Name typed wrong"),
                tr(
                    lang,
                    "数据已报，但名称写错未采用，见其退回修改清单",
                    "its rows came under a wrong name and were not taken: see its correction list",
                ),
                vec![named(f, names.join("、"))],
            );
        }
    }
    say(
        &tr(lang, "报送两份", "Sent twice"),
        tr(
            lang,
            "采用最后收到的一份，先收到的未读取",
            "the last one used, the earlier not read",
        ),
        known()
            .filter(|f| !f.superseded.is_empty())
            .map(|f| {
                let used: Vec<String> = f
                    .files
                    .iter()
                    .filter(|x| !f.superseded.contains(x))
                    .map(|s| name_of(s))
                    .collect();
                named(
                    f,
                    tr(lang, &format!("采用{}", used.join("、")), &used.join(", ")),
                )
            })
            .collect(),
    );
    let unknown: Vec<String> = round
        .filing
        .iter()
        .filter(|f| f.unit_code.is_none())
        .flat_map(|f| f.files.iter().map(|s| name_of(s)))
        .collect();
    if !unknown.is_empty() {
        bullets.push(tr(
            lang,
            &format!(
                "未识别：{} 个文件看不出是哪个单位报送的（{}），未计入任何单位；请在文件名或“填报单位”中写明单位，或在配置的 [collection.filed_by] 中指定",
                unknown.len(),
                unknown.join("、")
            ),
            &format!(
                "Filer unknown: {} file(s) say no unit ({}) and count for none; name the unit in the file name or its 填报单位 line, or in [collection.filed_by]",
                unknown.len(),
                unknown.join(", ")
            ),
        ));
    }
    bullets.push(most_problems(round, lang));
    bullets
}

/// The offices with the most problems still open.
fn most_problems(round: &Round, lang: Lang) -> String {
    let mut most: Vec<(usize, &str, &str)> = round
        .by_office()
        .iter()
        .map(|(code, lines)| {
            let (m, c, _) = counts(lines);
            (m + c, *code, lines[0].office_name.as_str())
        })
        .filter(|(n, _, _)| *n > 0)
        .collect();
    most.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
    if most.is_empty() {
        return tr(
            lang,
            "各单位报送的报表均无需退回修改",
            "No return needs sending back",
        );
    }
    let named: Vec<String> = most
        .iter()
        .take(3)
        .map(|(n, _, name)| tr(lang, &format!("{name} {n} 处"), &format!("{name} {n}")))
        .collect();
    tr(
        lang,
        &format!(
            "问题最多：{}（共 {} 个单位需退回修改，清单已按单位生成）",
            named.join("、"),
            most.len()
        ),
        &format!(
            "Most problems: {} ({} unit(s) to send back; a correction list each)",
            named.join(", "),
            most.len()
        ),
    )
}

/// One row per unit and table; a column that says the same of every row
/// (one table, every time from the receipt log) is said in the caption.
fn status_table(round: &Round, lang: Lang) -> Table {
    let by_office = round.by_office();
    let t = |zh: &str, en: &str| tr(lang, zh, en);
    let mut table = Table::new(
        &t("报送情况", "Filing"),
        &t("各单位报送情况", "Filing status by unit"),
        vec![
            Column::text(t("单位", "Unit")),
            Column::text(t("报表", "Table")),
            Column::text(t("状态", "Status")),
            Column::text(t("收到时间", "Received")),
            Column::text(t("时间依据", "Time from")),
            Column::text(t("是否按时", "On time")),
            Column::text(t("社区覆盖", "Communities")),
            Column::text(t("缺少的社区", "Missing")),
            Column::text(t("采用的文件", "File used")),
            Column::text(t("被替换的文件", "Replaced")),
            Column::number(t("须修改", "To fix"), Kind::Count),
            Column::number(t("请核实", "To check"), Kind::Count),
            Column::text(t("退回修改清单", "Correction list")),
        ],
    );
    for f in &round.filing {
        let lines: Vec<&Correction> = f
            .unit_code
            .as_deref()
            .and_then(|c| by_office.get(c))
            .map(|v| v.iter().copied().filter(|l| l.table == f.table).collect())
            .unwrap_or_default();
        let (m, c, fixed) = counts(&lines);
        let unit = match (&f.unit_code, &f.unit_name) {
            (Some(code), Some(name)) => Cell::Named {
                name: name.clone(),
                code: code.clone(),
            },
            _ => Cell::text(t("（未识别）", "(unknown)")),
        };
        let files = |list: &mut dyn Iterator<Item = &String>| {
            list.map(|s| name_of(s)).collect::<Vec<_>>().join("、")
        };
        let list_says = match (m + c, fixed) {
            _ if f.unit_code.is_none() => t("未识别单位，未生成清单", "no unit: no list"),
            (0, 0) if f.files.is_empty() => String::new(),
            (0, 0) => t("无需修改", "none needed"),
            (0, n) => t(&format!("已全部改正（{n} 处）"), &format!("all {n} fixed")),
            (n, 0) => t(&format!("有，{n} 处"), &format!("{n} problem(s)")),
            (n, k) => t(
                &format!("有，{n} 处（已改正 {k} 处）"),
                &format!("{n} problem(s) ({k} fixed)"),
            ),
        };
        let missing: Vec<String> = left_out(f, round)
            .into_iter()
            .map(|(n, typo)| {
                if typo {
                    n + &t("，名称写错", ", misnamed")
                } else {
                    n
                }
            })
            .collect();
        table.rows.push(vec![
            unit,
            Cell::text(table_named(f.table, lang)),
            Cell::text(status_word(f.status, lang)),
            Cell::text(f.received_at.clone().unwrap_or_default()),
            Cell::text(match f.received_from.as_deref() {
                Some("receipts") => t("收文登记", "receipt log"),
                Some("mtime") => t("文件修改时间", "file time"),
                _ => String::new(),
            }),
            Cell::text(match f.on_time {
                Some(true) => t("按时", "yes"),
                Some(false) => t("逾期", "late"),
                None => String::new(),
            }),
            Cell::text(
                f.covered
                    .map(|(a, b)| format!("{a} / {b}"))
                    .unwrap_or_default(),
            ),
            Cell::text(missing.join("、")),
            Cell::text(files(
                &mut f.files.iter().filter(|x| !f.superseded.contains(x)),
            )),
            Cell::text(files(&mut f.superseded.iter())),
            Cell::Num((f.unit_code.is_some() && !f.files.is_empty()).then_some(m as f64)),
            Cell::Num((f.unit_code.is_some() && !f.files.is_empty()).then_some(c as f64)),
            Cell::text(list_says),
        ]);
    }
    let mut said = Vec::new();
    for (col, what) in [(1, t("报表", "table")), (4, t("时间依据", "times from"))] {
        let first = table
            .rows
            .iter()
            .map(|r| r[col].clone())
            .find(|c| *c != Cell::text(""));
        let same = table
            .rows
            .iter()
            .all(|r| Some(&r[col]) == first.as_ref() || r[col] == Cell::text(""));
        if let (true, Some(Cell::Text(v))) = (same, first) {
            if !v.is_empty() {
                said.push(format!(
                    "{what}{}{v}",
                    if lang == Lang::Zh { "：" } else { ": " }
                ));
                for r in &mut table.rows {
                    r[col] = Cell::text("");
                }
            }
        }
    }
    if !said.is_empty() {
        let sep = if lang == Lang::Zh { "；" } else { "; " };
        let (open, close) = if lang == Lang::Zh {
            ("（", "）")
        } else {
            (" (", ")")
        };
        table.caption = format!("{}{open}{}{close}", table.caption, said.join(sep));
    }
    pruned(table)
}

/// The round's status as blocks: key figures, who is missing, late,
/// partial or sent twice, files of no known filer, the offices with the
/// most problems, and a row per unit and table. The office's 报送情况 and
/// the district report's section.
pub fn status_blocks(round: &Round, lang: Lang) -> Vec<Block> {
    vec![
        Block::Cards(status_cards(round, lang)),
        Block::Bullets(status_bullets(round, lang)),
        Block::Table(status_table(round, lang)),
    ]
}

/// Whether the round is still open: the units not filed and the lists
/// not yet answered, when either is any.
pub fn still_open(round: &Round) -> Option<(usize, usize)> {
    let missing = round.units_missing();
    let lists = round
        .by_office()
        .values()
        .filter(|l| l.iter().any(|l| l.round != Some("已改正")))
        .count();
    (missing + lists > 0).then_some((missing, lists))
}

/// The round's filing status for the office.
fn status_document(round: &Round, meta: &Meta) -> Document {
    let mut blocks = status_blocks(round, Lang::Zh);
    blocks.insert(2, Block::Heading("各单位报送情况".into()));
    let due = round
        .due
        .as_deref()
        .map(|d| format!(" · 截止日期：{d}"))
        .unwrap_or_default();
    let tables: Vec<&str> = round.tables().into_iter().map(table_zh).collect();
    Document {
        lang: Lang::Zh,
        title: format!(
            "{}{}{}报表报送情况",
            round.district,
            round.period_shown,
            tables.join("、")
        ),
        subtitle: format!(
            "报送期：{}{due} · 审核单位：{} · 日期：{}",
            round.period_shown, meta.author, meta.date
        ),
        banner: round
            .manifest
            .simulated
            .then(|| "模拟数据：本表由 govlens 生成的样例数据得出".to_string()),
        blocks,
        definitions: vec![
            ("已报".into(), "按时报送了该表。".into()),
            ("逾期".into(), "最后一份在截止日期之后收到。".into()),
            ("缺报".into(), "应报而未收到任何文件。".into()),
            ("部分".into(), "收到了，但缺少部分社区（村）的数据（见“缺少的社区”）；名称写错而未采用的，标“名称写错”。".into()),
            ("重复".into(), "同一单位同一报表收到两份以上：采用最后收到的一份，其余列在“被替换的文件”中，未读取。".into()),
            ("按时报送率".into(), "按时收到的报表 ÷ 应报的报表；缺报的计为未按时。".into()),
            ("时间依据".into(), "收文登记：收文登记表所记时间；文件修改时间：未登记时用文件的修改时间（北京时间）。".into()),
        ],
        provenance: vec![
            ("数据批次（run id）".into(), round.manifest.run_id.clone()),
            ("生成工具".into(), format!("govlens {}", env!("CARGO_PKG_VERSION"))),
        ],
        config: None,
        notebook_code: vec![],
        meta: meta.clone(),
    }
}
