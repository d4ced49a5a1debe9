//! A collection round's documents for the office (contract B.21): one
//! correction list per filing office that has something to fix
//! (`<office>-退回修改清单.xlsx` and `.html`: a summary sheet, then one row per
//! problem in the office's own words), and the round's filing status
//! (`报送情况.xlsx` and `.html`), written to `<dir>/returns/<period>/` from a
//! warehouse's (or validation report's) `_filing.parquet`,
//! `_corrections.parquet` and `_manifest.json`. Every text is a string
//! cell (never a formula) and escaped HTML.

use std::collections::BTreeMap;
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

/// The round as the folder names it: its period, else 本期.
pub fn period_of(config: &Config) -> String {
    config
        .collection
        .as_ref()
        .and_then(|c| c.period)
        .map(|p| p.canonical())
        .unwrap_or_else(|| "本期".into())
}

/// What the documents are made from.
pub struct Round {
    pub filing: Vec<Filing>,
    pub lines: Vec<Correction>,
    pub manifest: Manifest,
    /// The district's name (from `_collection.json`), else its code.
    pub district: String,
    pub period: String,
    /// The period as a clerk writes it (`2024年3月`).
    pub period_shown: String,
    pub due: Option<String>,
}

impl Round {
    /// A warehouse's or validation report's round.
    pub fn read(from: &Path, config: &Config) -> Result<Round, RenderError> {
        let table_err = |name: &str| {
            let path = from.join(name).display().to_string();
            move |source| RenderError::Table { path, source }
        };
        let filing = collection::read_status(from).map_err(table_err("_filing.parquet"))?;
        let (lines, _) = corrections::read(&from.join("_corrections.parquet"))
            .map_err(table_err("_corrections.parquet"))?;
        let manifest = Manifest::read(from)?;
        let c = config.collection.as_ref();
        let named: Option<String> = std::fs::read_to_string(from.join("_collection.json"))
            .ok()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
            .and_then(|v| v["district_name"].as_str().map(String::from));
        Ok(Round {
            filing,
            lines,
            manifest,
            district: named
                .or_else(|| c.map(|c| c.district.clone()))
                .unwrap_or_default(),
            period: period_of(config),
            period_shown: match config.collection.as_ref().and_then(|c| c.period) {
                Some(p) => super::labels::period_label(Lang::Zh, &p.canonical()),
                None => "本期".into(),
            },
            due: c.and_then(|c| c.due).map(|d| d.text()),
        })
    }

    /// Each office's lines (fixed ones apart), by office code.
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

/// Writes the round's documents to `<dir>/returns/<period>/` (replacing
/// what an earlier run wrote there, whole); the files written.
pub fn write(from: &Path, dir: &Path, config: &Config) -> Result<Vec<PathBuf>, RenderError> {
    let round = Round::read(from, config)?;
    let target = dir.join("returns").join(file_safe(&round.period));
    let staging = Staging::new(&target)?;
    let date = super::document::report_date(config.report.date.as_deref());
    let issuer = config
        .report
        .issuer
        .clone()
        .unwrap_or_else(|| round.district.clone());
    let meta = Meta {
        author: issuer,
        date,
    };
    let mut written = Vec::new();
    let mut used_names = std::collections::BTreeSet::new();
    let charts = staging.dir.clone();
    for (office, lines) in round.by_office() {
        let open: Vec<&Correction> = lines
            .iter()
            .copied()
            .filter(|l| l.round != Some("已改正"))
            .collect();
        // An office with nothing left to fix gets no list.
        if open.is_empty() {
            continue;
        }
        let name = &open[0].office_name;
        let mut stem = format!("{}-退回修改清单", file_safe(name));
        if !used_names.insert(stem.clone()) {
            stem = format!("{}（{office}）-退回修改清单", file_safe(name));
            used_names.insert(stem.clone());
        }
        let doc = office_document(&round, office, &lines, &meta);
        for (ext, bytes) in [
            ("html", super::html::write(&doc, &charts)?.into_bytes()),
            ("xlsx", super::xlsx::write(&doc, &charts)?),
        ] {
            let file = format!("{stem}.{ext}");
            warehouse::write_bytes(&staging.dir.join(&file), &bytes)?;
            written.push(target.join(file));
        }
    }
    let doc = status_document(&round, &meta);
    for (ext, bytes) in [
        ("html", super::html::write(&doc, &charts)?.into_bytes()),
        ("xlsx", super::xlsx::write(&doc, &charts)?),
    ] {
        let file = format!("报送情况.{ext}");
        warehouse::write_bytes(&staging.dir.join(&file), &bytes)?;
        written.push(target.join(file));
    }
    let names: Vec<String> = written
        .iter()
        .filter_map(|p| p.file_name()?.to_str().map(String::from))
        .collect();
    let m = serde_json::json!({
        "run_id": round.manifest.run_id,
        "district": round.district,
        "period": round.period,
        "files": names,
    });
    warehouse::write_text(
        &staging.dir.join("manifest.json"),
        &(serde_json::to_string_pretty(&m).expect("json") + "\n"),
    )?;
    staging.publish()?;
    Ok(written)
}

/// A file as its office knows it: its name, without the folder (a sheet
/// after `!` kept).
fn name_of(shown: &str) -> String {
    shown.rsplit('/').next().unwrap_or(shown).to_string()
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

/// One office's correction list.
fn office_document(round: &Round, office: &str, lines: &[&Correction], meta: &Meta) -> Document {
    let name = lines
        .first()
        .map(|l| l.office_name.clone())
        .unwrap_or_default();
    let (must, check, fixed) = counts(lines);
    let second = lines.iter().any(|l| l.round.is_some());
    let mut blocks = vec![Block::Cards(vec![
        card("须修改（该行未采用）", must, must > 0),
        card("请核实（已采用，数字不一致）", check, false),
        card("已采用的行", round.stored(office) as usize, false),
    ])];
    if second {
        let still = lines
            .iter()
            .filter(|l| l.round == Some("上轮已指出"))
            .count();
        if let Some(Block::Cards(cards)) = blocks.first_mut() {
            cards.push(card("上轮已改正", fixed, false));
            cards.push(card("上轮指出、仍未改正", still, still > 0));
        }
    }
    let due = round
        .due
        .as_deref()
        .map(|d| format!("，并于{d}前重新报送"))
        .unwrap_or_default();
    // A bullet, not a paragraph: the workbook's summary sheet shows it too.
    blocks.push(Block::Bullets(vec![format!(
        "{name}：你单位报送的{}报表经审核有以下{}处需要处理。“须修改”的行未被采用，请按“正确写法”改正原表；“请核实”的行已采用，但数字前后不一致，请核对后改正或说明。行号是你们原表中的行号（含标题行）。请改正后将整个表重新报送{due}。",
        round.period_shown,
        must + check
    )]));
    let mut columns = vec![
        Column::text("序号"),
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
    let mut t = Table::new("问题清单", "问题清单（每行一处）", columns);
    for (i, l) in lines
        .iter()
        .filter(|l| l.round != Some("已改正"))
        .enumerate()
    {
        let mut row = vec![
            Cell::text((i + 1).to_string()),
            Cell::text(&l.file),
            Cell::text(l.sheet.clone().unwrap_or_default()),
            Cell::text(l.row.map(|r| r.to_string()).unwrap_or_else(|| "—".into())),
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
                Cell::text(l.row.map(|r| r.to_string()).unwrap_or_else(|| "—".into())),
                Cell::text(&l.column),
                Cell::text(l.value.clone().unwrap_or_default()),
                Cell::text(&l.problem),
            ]);
        }
        blocks.push(Block::Heading("上轮已改正".into()));
        blocks.push(Block::Table(pruned(t)));
    }
    Document {
        lang: Lang::Zh,
        title: format!("{name}{}报表退回修改清单", round.period_shown),
        subtitle: format!(
            "{}（{office}）· 报送期：{} · 审核单位：{} · 日期：{}",
            name, round.period_shown, meta.author, meta.date
        ),
        banner: round
            .manifest
            .simulated
            .then(|| "模拟数据：本清单由 govlens 生成的样例数据得出".to_string()),
        blocks,
        definitions: definitions(),
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

fn definitions() -> Vec<(String, String)> {
    [
        ("须修改", "该行未被采用（无法识别、必填项为空、超出范围、重复或找不到社区），改正后重新报送才能计入。"),
        ("请核实", "该行已采用，但与合计、占比或其他行不一致；请核对原始台账，改正或书面说明。"),
        ("行号", "原表中的行号，与 Excel/WPS 左侧显示的行号相同（含标题行和表头行）。"),
        ("上轮已指出", "上一次审核已列出、本次重新报送后仍存在的问题。"),
    ]
    .into_iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect()
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

/// The round's status as blocks: key figures (units, filed, missing, on
/// time), who is missing, late, partial or sent twice, the files no one is
/// known to have filed, the offices with the most problems, and a row per
/// unit and table. The office's 报送情况 and the district report's section.
pub fn status_blocks(round: &Round, lang: Lang) -> Vec<Block> {
    let zh = lang == Lang::Zh;
    let t = |a: &str, b: &str| if zh { a.to_string() } else { b.to_string() };
    let by_office = round.by_office();
    let mut units: Vec<(&str, &str)> = round
        .filing
        .iter()
        .filter_map(|f| Some((f.unit_code.as_deref()?, f.unit_name.as_deref()?)))
        .collect();
    units.dedup();
    let of = |code: &str, s: &str| {
        round
            .filing
            .iter()
            .any(|f| f.unit_code.as_deref() == Some(code) && f.status == s)
    };
    let missing = units.iter().filter(|u| of(u.0, "缺报")).count();
    let judged: Vec<bool> = round
        .filing
        .iter()
        .filter(|f| f.unit_code.is_some())
        .filter_map(|f| f.on_time)
        .collect();
    let unknown: Vec<&Filing> = round
        .filing
        .iter()
        .filter(|f| f.unit_code.is_none())
        .collect();
    let mut filed_card = card(&t("已报送", "Filed"), units.len() - missing, false);
    if !units.is_empty() {
        filed_card.lines = vec![t(
            &format!(
                "报送率 {:.1}%",
                100.0 * (units.len() - missing) as f64 / units.len() as f64
            ),
            &format!(
                "{:.1}% of units",
                100.0 * (units.len() - missing) as f64 / units.len() as f64
            ),
        )];
    }
    let mut cards = vec![
        card(&t("应报单位", "Units expected"), units.len(), false),
        filed_card,
        card(&t("缺报", "Not filed"), missing, missing > 0),
    ];
    if !judged.is_empty() {
        let on_time = judged.iter().filter(|x| **x).count();
        cards.push(Card {
            label: t("按时报送率", "Filed on time"),
            value: format!("{:.1}%", 100.0 * on_time as f64 / judged.len() as f64),
            lines: vec![t(
                &format!("{on_time} / {} 份按时", judged.len()),
                &format!("{on_time} of {} returns", judged.len()),
            )],
            alert: on_time < judged.len(),
            number: Some((on_time as f64 / judged.len() as f64, Kind::Share)),
        });
    }
    let mut bullets = Vec::new();
    let tables = round
        .filing
        .iter()
        .map(|f| f.table)
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    let list = |s: &str| -> Vec<String> {
        round
            .filing
            .iter()
            .filter(|f| f.status == s && f.unit_code.is_some())
            .map(|f| {
                let name = f.unit_name.as_deref().unwrap_or_default();
                let missing = if s == "部分" && !f.missing.is_empty() {
                    let names: Vec<&str> = f
                        .missing
                        .iter()
                        .map(|m| m.split_once(' ').map_or(m.as_str(), |(_, n)| n))
                        .collect();
                    t(
                        &format!("，缺{}", names.join("、")),
                        &format!(", missing {}", names.join(", ")),
                    )
                } else {
                    String::new()
                };
                match (tables > 1, missing.is_empty()) {
                    (false, true) => name.to_string(),
                    (false, false) => {
                        format!("{name}（{}）", missing.trim_start_matches(['，', ',']))
                    }
                    _ => format!("{name}（{}{missing}）", table_zh(f.table)),
                }
            })
            .collect()
    };
    for (s, says) in [
        ("缺报", t("尚未报送，请催报", "nothing came: chase them")),
        ("逾期", t("逾期报送", "came after the due day")),
        ("部分", t("只报了部分社区", "some communities left out")),
        (
            "重复",
            t(
                "报送了两份以上，采用最后收到的一份",
                "sent two or more: the last used",
            ),
        ),
    ] {
        let who = list(s);
        if !who.is_empty() {
            bullets.push(format!(
                "{}{}{}——{says}",
                if zh { s } else { status_word(s, lang) },
                if zh { "：" } else { ": " },
                who.join(if zh { "、" } else { ", " })
            ));
        }
    }
    if !unknown.is_empty() {
        let files = unknown
            .iter()
            .map(|f| {
                f.files
                    .iter()
                    .map(|s| name_of(s))
                    .collect::<Vec<_>>()
                    .join("、")
            })
            .collect::<Vec<_>>()
            .join("；");
        bullets.push(t(
            &format!(
                "未识别：{} 个文件看不出是哪个单位报送的（{files}），未计入任何单位；请在文件名或“填报单位”中写明单位，或在配置的 [collection.filed_by] 中指定",
                unknown.len()
            ),
            &format!(
                "Filer unknown: {} file(s) say no unit ({files}) and count for none; name the unit in the file name or its 填报单位 line, or in [collection.filed_by]",
                unknown.len()
            ),
        ));
    }
    // The offices with the most problems.
    let mut most: Vec<(usize, &str, &str)> = by_office
        .iter()
        .map(|(code, lines)| {
            let (m, c, _) = counts(lines);
            (m + c, *code, lines[0].office_name.as_str())
        })
        .filter(|(n, _, _)| *n > 0)
        .collect();
    most.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
    if !most.is_empty() {
        let named: Vec<String> = most
            .iter()
            .take(3)
            .map(|(n, _, name)| t(&format!("{name} {n} 处"), &format!("{name} {n}")))
            .collect();
        bullets.push(t(
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
        ));
    } else {
        bullets.push(t(
            "各单位报送的报表均无需退回修改",
            "No return needs sending back",
        ));
    }
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
        let used: Vec<&String> = f
            .files
            .iter()
            .filter(|x| !f.superseded.contains(x))
            .collect();
        let list_says = match (m + c, fixed) {
            (0, 0) if f.files.is_empty() => String::new(),
            (0, 0) => t("无需修改", "none needed"),
            (0, n) => t(&format!("已全部改正（{n} 处）"), &format!("all {n} fixed")),
            (n, 0) => t(&format!("有，{n} 处"), &format!("{n} problem(s)")),
            (n, k) => t(
                &format!("有，{n} 处（已改正 {k} 处）"),
                &format!("{n} problem(s) ({k} fixed)"),
            ),
        };
        let table_name = if zh {
            table_zh(f.table)
        } else {
            f.table.name()
        };
        table.rows.push(vec![
            unit,
            Cell::text(table_name),
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
            Cell::text(
                f.missing
                    .iter()
                    .map(|m| match m.split_once(' ') {
                        Some((code, name)) => format!("{name}（{code}）"),
                        None => m.clone(),
                    })
                    .collect::<Vec<_>>()
                    .join("、"),
            ),
            Cell::text(
                used.iter()
                    .map(|s| name_of(s))
                    .collect::<Vec<_>>()
                    .join("、"),
            ),
            Cell::text(
                f.superseded
                    .iter()
                    .map(|s| name_of(s))
                    .collect::<Vec<_>>()
                    .join("、"),
            ),
            Cell::Num((!f.files.is_empty()).then_some(m as f64)),
            Cell::Num((!f.files.is_empty()).then_some(c as f64)),
            Cell::text(list_says),
        ]);
    }
    // A column that says the same of every unit (one table collected,
    // every time from the receipt log) is said once, under the table.
    let mut said = Vec::new();
    for (col, what) in [
        (1, t("报表", "Table")),
        (4, t("时间依据", "Received times from")),
    ] {
        let first = table.rows.first().map(|r| r[col].clone());
        let same = table
            .rows
            .iter()
            .all(|r| Some(&r[col]) == first.as_ref() || r[col] == Cell::text(""));
        if let (true, Some(Cell::Text(v))) = (same, first) {
            if !v.is_empty() {
                said.push(format!("{what}{}{v}", if zh { "：" } else { ": " }));
                for r in &mut table.rows {
                    r[col] = Cell::text("");
                }
            }
        }
    }
    let mut blocks = vec![
        Block::Cards(cards),
        Block::Bullets(bullets),
        Block::Table(pruned(table)),
    ];
    if !said.is_empty() {
        blocks.push(Block::Note(said.join(if zh { "；" } else { "; " })));
    }
    blocks
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
    Document {
        lang: Lang::Zh,
        title: format!("{}{}报表报送情况", round.district, round.period_shown),
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
            ("部分".into(), "收到了，但缺少部分社区的数据（见“缺少的社区”）。".into()),
            ("重复".into(), "同一单位同一报表收到两份以上：采用最后收到的一份，其余列在“被替换的文件”中，未读取。".into()),
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
