//! What a correction line says, in plain Chinese: the problem of a
//! quarantined row or a finding in the office's own words, and what a
//! correct value looks like. Pure.

use crate::contract::grammar::period_zh;
use crate::contract::{Rule, Table};
use crate::ingest::quarantine::{Finding, QuarantineRecord};
use crate::regions::Region;
use crate::warehouse::FileEntry;

/// A column as the file's header names it, else as the contract's first
/// Chinese alias does.
pub(super) fn header(f: &FileEntry, table: Table, column: &str) -> String {
    f.headers
        .get(column)
        .cloned()
        .unwrap_or_else(|| header_default(table, column))
}

pub(super) fn header_default(table: Table, column: &str) -> String {
    let aliases = |cols: &[crate::contract::Column]| {
        cols.iter()
            .find(|c| c.name == column)
            .and_then(|c| c.aliases.iter().find(|a| !a.is_ascii()).copied())
    };
    let named = aliases(table.columns()).or_else(|| aliases(crate::contract::REGIONS));
    match (named, column) {
        (Some(a), _) => a.to_string(),
        (None, "total") => "合计".into(),
        (None, "count") => "人数".into(),
        (None, c) if c.starts_with('<') || c.ends_with('+') || c.contains('-') => {
            format!("{c}岁")
        }
        (None, c) => c.to_string(),
    }
}

/// A number as a clerk writes it: no trailing zeros.
pub(super) fn number(v: f64) -> String {
    let s = format!("{v:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.to_string()
    }
}

/// Rows as a clerk reads them: `8`, `8—11`, `8、10、12`.
pub fn rows_text(rows: &[u64]) -> String {
    match rows {
        [] => "—".into(),
        [one] => one.to_string(),
        [first, .., last] if rows.windows(2).all(|w| w[1] == w[0] + 1) => {
            format!("{first}—{last}")
        }
        _ => rows
            .iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join("、"),
    }
}

/// [`rows_text`] read back: `8—11` → 8, 9, 10, 11.
pub fn rows_parsed(text: &str) -> Vec<u64> {
    if let Some((a, b)) = text.split_once('—') {
        if let (Ok(a), Ok(b)) = (a.parse::<u64>(), b.parse::<u64>()) {
            return (a..=b).collect();
        }
    }
    text.split('、').filter_map(|r| r.parse().ok()).collect()
}

/// What a correct value of a column looks like.
fn example_of(column: &str) -> String {
    match column {
        "period" => "2024-03、2024年3月、2024年第一季度 或 2024年".into(),
        "region_code" => "12位统计用区划代码，如 110117001001".into(),
        "role" => "党员 或 干部".into(),
        "age_band" => "30岁以下、30至44岁、45至59岁、60岁及以上（各段不重叠）".into(),
        "center_type" => crate::contract::CENTER_TYPES
            .iter()
            .map(|(_, zh)| *zh)
            .collect::<Vec<_>>()
            .join("、"),
        "mean_days" => "不带单位的数字，如 3.5".into(),
        "satisfaction" => "0 到 100 之间的数字，如 92.5".into(),
        "reported_share" => "百分数，如 35.2% 或 35.2".into(),
        _ => "不带单位的非负整数，如 12（不写“12件”“约12”）".into(),
    }
}

/// What the office's unit is called in a sentence: 南独乐河镇.
pub(super) struct Place<'a> {
    pub name: &'a str,
}

/// A quarantined row's problem and example, in the office's words;
/// `near` the names under the office's unit nearest a name it could not
/// find, `meant` the one it most likely is (a community the return lacks).
pub(super) fn row_problem(
    q: &QuarantineRecord,
    column: &str,
    f: &FileEntry,
    office: Place,
    (near, meant): (&[String], Option<&str>),
) -> (String, String) {
    let value = q.value.as_deref().unwrap_or("");
    let example = example_of(&q.column);
    let not_taken = "；本行未采用";
    match q.rule {
        Rule::Required => (format!("“{column}”一栏是空的，此项必须填写{not_taken}"), example),
        Rule::Parse => (format!("“{column}”填的“{value}”无法识别{not_taken}"), example),
        Rule::Range => {
            let why = match q.column.as_str() {
                "period" => "不是有效的时期",
                "reported_share" | "satisfaction" => "不在0到100之间",
                _ => "超出合理范围（人数、件数不能为负，也不能比上一期的累计数少）",
            };
            (format!("“{column}”填的“{value}”{why}{not_taken}"), example)
        }
        Rule::Order => (
            format!("“{column}”的“{value}”与本行其他数字前后矛盾（如调解成功数、升级数大于受理数）{not_taken}"),
            "调解成功数、升级数都不大于受理数".into(),
        ),
        Rule::Band => (
            format!("年龄段“{value}”与同一社区、同一时期的其他年龄段重叠或无法识别{not_taken}"),
            example_of("age_band"),
        ),
        Rule::Duplicate => duplicate(q, f),
        Rule::Code if q.column == "region_name" => {
            let several = !q.message.starts_with("no region named");
            match (meant, several) {
                (Some(m), false) => (
                    format!(
                        "“{column}”填的“{value}”不在{}的社区（村）名单中；本表又缺少“{m}”的数据，这里应是“{m}”{not_taken}",
                        office.name
                    ),
                    format!("改为“{m}”"),
                ),
                (_, false) => (
                    format!(
                        "“{column}”填的“{value}”不在{}的社区（村）名单中{not_taken}",
                        office.name
                    ),
                    if near.is_empty() {
                        "写社区（村）的全称".into()
                    } else {
                        format!("{}的社区（村）中最接近的：{}", office.name, near.join("、"))
                    },
                ),
                (_, true) => (
                    format!("“{column}”填的“{value}”对应不止一个社区（村）{not_taken}"),
                    "写全称，或加上区划代码".into(),
                ),
            }
        }
        Rule::Code => (
            format!("“{column}”填的“{value}”不是本区的区划代码{not_taken}"),
            example,
        ),
        _ => (q.message.clone(), example),
    }
}

/// E_DUPLICATE: the row kept, named when it is in the same file; another
/// office's file is never named.
fn duplicate(q: &QuarantineRecord, f: &FileEntry) -> (String, String) {
    let same_file = q.kept.as_ref().filter(|(file, _)| *file == f.path);
    match (same_file, q.column.as_str()) {
        (Some((_, n)), "period") => (
            format!(
                "同一社区、同一时期的人数已有第{n}行（时点更晚或在期末），本行的较早时点未采用"
            ),
            "每个社区每期只填期末（或最新）时点的一组人数".into(),
        ),
        (Some((_, n)), _) => (
            format!(
                "与第{n}行重复：同一社区、同一时期（同一类别）填了两行；保留了第{n}行，本行未采用"
            ),
            "每个社区每期每个类别只填一行".into(),
        ),
        (None, _) => (
            "同一社区、同一时期（同一类别）的数据已由其他报表报送；本行未采用".into(),
            "每个社区每期每个类别只填一行".into(),
        ),
    }
}

/// The names under `office` nearest to `name` (most characters in common,
/// then by name), at most five, each with its code and how many characters
/// it shares.
pub(super) fn nearest<'r>(name: &str, under: &[&'r Region]) -> Vec<(usize, &'r Region)> {
    let want: Vec<char> = crate::ingest::names::normalise(name).chars().collect();
    let mut scored: Vec<(usize, &Region)> = under
        .iter()
        .map(|r| {
            let have: Vec<char> = crate::ingest::names::normalise(&r.row.name)
                .chars()
                .collect();
            (common(&want, &have), *r)
        })
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.row.name.cmp(&b.1.row.name)));
    scored.dedup_by(|a, b| a.1.row.name == b.1.row.name);
    scored.truncate(5);
    scored
}

/// The longest common subsequence of two names, in characters.
fn common(a: &[char], b: &[char]) -> usize {
    let mut prev = vec![0usize; b.len() + 1];
    for x in a {
        let mut cur = vec![0usize; b.len() + 1];
        for (j, y) in b.iter().enumerate() {
            cur[j + 1] = if x == y {
                prev[j] + 1
            } else {
                cur[j].max(prev[j + 1])
            };
        }
        prev = cur;
    }
    prev[b.len()]
}

/// A finding's problem and example; `region` as `name（code）`.
pub(super) fn group_problem(g: &Finding, column: &str, region: &str) -> (String, String) {
    let period = g.period.as_deref().map(period_zh).unwrap_or_default();
    let (published, sum) = (
        g.actual.map(number).unwrap_or_default(),
        g.expected.map(number).unwrap_or_default(),
    );
    // The total against its parts, as a clerk says it, and what to do.
    let (diff, fix) = match (g.actual, g.expected) {
        (Some(a), Some(e)) if a > e => (
            format!("合计多{}", number(a - e)),
            format!(
                "合计应为{sum}；如{published}无误，则是分项少填了{}",
                number(a - e)
            ),
        ),
        (Some(a), Some(e)) => (
            format!("合计少{}", number(e - a)),
            format!(
                "合计应为{sum}；如{published}无误，则是分项多填了{}",
                number(e - a)
            ),
        ),
        _ => (String::new(), "合计等于各分项之和".into()),
    };
    match g.rule {
        Rule::Total => match (g.row, g.covers) {
            (Some(row), Some((a, b))) => (
                format!(
                    "第{row}行的合计“{column}”填{published}，但第{a}至{b}行相加是{sum}，{diff}"
                ),
                format!("{fix}，请核对第{a}至{b}行和台账"),
            ),
            (Some(row), None) => (
                format!("第{row}行的“{column}”{published}与应有的合计{sum}不一致"),
                format!("{fix}，请核对台账"),
            ),
            _ => (
                format!(
                    "{region} {period}：各分项之和是{sum}，与填报的合计{published}不一致，{diff}"
                ),
                format!("{fix}，请核对台账"),
            ),
        },
        Rule::Share => (
            format!("{region} {period}：填报的占比与按人数算出的占比不一致"),
            "占比 = 该项人数 ÷ 合计 × 100".into(),
        ),
        Rule::Coverage => (
            format!("表中没有{region}{period}的数据"),
            format!("补上该社区（村）{period}的各行"),
        ),
        Rule::Name => (
            format!("区划代码对应的是{region}，与本行填的社区名称不一致"),
            "代码和名称写同一个社区".into(),
        ),
        Rule::AsAt => (
            format!("统计时点不是{period}的期末，已按{period}采用"),
            "时点数填期末（如 12月31日）".into(),
        ),
        _ => (
            format!("“{column}”的单位与合计的单位不同，未能核对"),
            "分项和合计用同一单位".into(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_read_as_a_clerk_writes_them() {
        assert_eq!(rows_text(&[8]), "8");
        assert_eq!(rows_text(&[8, 9, 10, 11]), "8—11");
        assert_eq!(rows_text(&[8, 10, 12]), "8、10、12");
        assert_eq!(rows_text(&[]), "—");
        for rows in [vec![8], vec![8, 9, 10, 11], vec![8, 10, 12], vec![]] {
            assert_eq!(rows_parsed(&rows_text(&rows)), rows);
        }
    }

    #[test]
    fn a_misnamed_village_is_nearest_to_its_own_name() {
        let v = |code: &str, name: &str| Region {
            row: crate::regions::RegionRow {
                code: code.into(),
                name: name.into(),
                level: crate::contract::Level::Community,
                parent: None,
                model: None,
                adopted: None,
                population: None,
                households: None,
            },
            effective_model: None,
            effective_adopted: None,
            model_from: None,
        };
        let (a, b) = (
            v("110117104200", "南独乐河村委会"),
            v("110117104208", "望马台村委会"),
        );
        let near = nearest("旺马台村", &[&a, &b]);
        assert_eq!(near[0].1.row.name, "望马台村委会");
        assert_eq!(near[0].0, 2);
        assert_eq!(near[1].0, 0);
    }
}
