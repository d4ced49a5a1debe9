//! What each exported column is: its label, unit and definition in Chinese
//! and English (the codebook's rows and the files' variable labels), and the
//! value labels of the coded columns — the one label table of the export.
//! A metric's column takes its name, unit and definition from the reports'
//! labels (render::labels), so a variable reads as its figure does.

use crate::config::Lang;
use crate::render::labels;

/// A column's description.
#[derive(Debug, Clone, PartialEq)]
pub struct Described {
    pub label_zh: String,
    pub label_en: String,
    pub unit_zh: String,
    pub unit_en: String,
    pub definition_zh: String,
    pub definition_en: String,
    /// The value-label set of a coded column.
    pub codes: Option<&'static str>,
}

impl Described {
    pub fn label(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.label_zh,
            Lang::En => &self.label_en,
        }
    }
}

/// (column, label zh, label en, unit zh, unit en, definition zh, definition en).
type Row = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

const COLUMNS: &[Row] = &[
    ("region_code", "区划代码", "region code", "", "", "统计用区划代码（12 位为村级，6 位为区县级）。", "The statistical division code (12 digits a village or community, 6 a county)."),
    ("region_name", "名称", "name", "", "", "单位名称（区划名称）。", "The unit's name."),
    ("level", "层级", "level", "", "", "区划层级。", "The level of the division."),
    ("parent_code", "上级代码", "parent code", "", "", "上级区划代码。", "The parent division's code."),
    ("governance_model", "治理模式", "governance model", "", "", "单位采用的党建引领社区治理模式；无模式为对照单位。", "The governance model the unit adopted; none: a comparison unit."),
    ("model_adopted", "模式采用年份", "year of adoption", "年", "year", "单位采用其治理模式的年份。", "The year the unit adopted its model."),
    ("population", "常住人口", "population", "人", "persons", "常住人口。", "Resident population."),
    ("households", "户数", "households", "户", "households", "户数。", "Households."),
    ("district", "所属区县代码", "district code", "", "", "单位所属区县（县级）的代码。", "The code of the unit's county-level district."),
    ("district_name", "所属区县", "district", "", "", "单位所属区县的名称。", "The name of the unit's district."),
    ("street", "所属街道代码", "street code", "", "", "单位所属乡镇街道的代码。", "The code of the unit's street or township."),
    ("street_name", "所属街道", "street", "", "", "单位所属乡镇街道的名称。", "The name of the unit's street or township."),
    ("period", "统计期", "period", "", "", "统计期：年度为数值（2024），季度、月为文本（2024-Q2、2024-06）。", "The period: a year as a number (2024); a quarter or month as text (2024-Q2, 2024-06)."),
    ("period_kind", "统计期类型", "kind of period", "", "", "year、quarter、month 或 half。", "year, quarter, month or half."),
    ("period_start", "统计期起始日", "start of period", "", "", "统计期第一天，年-月-日。", "The period's first day, YYYY-MM-DD."),
    ("role", "类别", "role", "", "", "党员或社区干部。", "Party members or community cadres."),
    ("age_band", "年龄段", "age band", "岁", "years", "年龄段，如 30-34；total 为合计。", "The age band, e.g. 30-34; total the group's total."),
    ("age_lo", "年龄段下限", "band's lowest age", "岁", "years", "年龄段包含的最小年龄。", "The band's lowest age."),
    ("age_hi", "年龄段上限", "band's highest age", "岁", "years", "年龄段包含的最大年龄；开放年龄段为空。", "The band's highest age; empty for an open band."),
    ("count", "人数", "persons", "人", "persons", "该年龄段的人数。", "Persons in the band."),
    ("count_rounding", "人数舍入", "rounding of count", "人", "persons", "原表人数的舍入单位（如以万人计时为 10000）。", "The rounding of the printed count (10000 when printed in 万)."),
    ("reported_share", "原表占比", "printed share", "", "", "原表印出的占比，照原表的写法（百分数如 14.58，或小数），用于核对。", "The share printed in the source, as printed (a percentage such as 14.58, or a fraction), kept for checking."),
    ("category", "纠纷类型", "dispute category", "", "", "矛盾纠纷的类型；total 为合计。", "The dispute category; total the total."),
    ("received", "受理数", "received", "件", "cases", "受理（排查）的纠纷件数。", "Disputes received."),
    ("resolved", "调解成功数", "resolved", "件", "cases", "调解成功的件数。", "Disputes resolved by mediation."),
    ("escalated", "上行数", "escalated", "件", "cases", "转诉讼、上访等上行的件数。", "Disputes escalated (to court, petitions)."),
    ("mean_days", "平均办结天数", "mean days to close", "天", "days", "平均办结天数。", "Mean days to close a case."),
    ("part_of", "所属项", "part of", "", "", "本行所属的上级项（分项之于合计）。", "The figure this row is a part of."),
    ("center_type", "中心类型", "centre type", "", "", "一有七中心的中心类型。", "The centre type of 一有七中心."),
    ("center_name", "中心名称", "centre name", "", "", "中心名称。", "The centre's name."),
    ("visits", "服务人次", "visits", "人次", "visits", "服务人次。", "Visits."),
    ("services", "服务件数", "services", "件", "services", "办理的服务件数。", "Services delivered."),
    ("staff", "工作人员数", "staff", "人", "persons", "中心工作人员数。", "Staff of the centre."),
    ("indicator", "指标", "indicator", "", "", "原表指标名称。", "The indicator as printed."),
    ("value", "数值", "value", "", "", "指标数值，以 unit 列的单位计。", "The figure, in the unit of column unit."),
    ("unit", "单位", "unit", "", "", "数值的计量单位（已换算）。", "The figure's unit (converted)."),
    ("unit_printed", "原表单位", "printed unit", "", "", "原表印出的计量单位。", "The unit as printed."),
    ("value_rounding", "数值舍入", "rounding of value", "", "", "原表数值的舍入单位。", "The rounding of the printed figure."),
    ("year", "年份", "year", "年", "year", "面板的年份。", "The panel's year."),
    ("cohort", "采用年份（队列）", "cohort (year adopted)", "年", "year", "单位首次采用模式的年份；0 为从未采用（R did 的 gname 约定）。", "The year the unit first adopted; 0 never (R did's gname convention)."),
    ("cluster", "聚类", "cluster", "", "", "标准误聚类单元的代码（模式分配所在层级，样本为区县）；为空时按单位聚类。", "The code of the unit's cluster for standard errors (the level models are assigned at; the county on the sample); empty: by unit."),
    ("score", "治理效能指数", "effectiveness index", "分，0–100", "points on 0–100", "治理效能指数（见 docs/index.md）。", "The effectiveness index (docs/index.md)."),
    ("rank", "排名", "rank", "", "", "指数排名（1 为最高）。", "The index rank (1 the highest)."),
    ("rank_median", "排名中位数", "median rank", "", "", "蒙特卡洛模拟中排名的中位数。", "The median rank over the Monte Carlo draws."),
    ("rank_p05", "排名 5% 分位", "rank, 5th percentile", "", "", "蒙特卡洛模拟中排名的 5% 分位数。", "The 5th percentile of the rank over the draws."),
    ("rank_p95", "排名 95% 分位", "rank, 95th percentile", "", "", "蒙特卡洛模拟中排名的 95% 分位数。", "The 95th percentile of the rank over the draws."),
    ("missing_indicators", "缺失指标", "missing indicators", "", "", "该单位缺失的指标（逗号分隔）。", "The indicators the unit lacks (comma-separated)."),
    ("imputed_indicators", "插补指标", "imputed indicators", "", "", "该单位经插补的指标。", "The indicators imputed for the unit."),
    ("treated_indicators", "处理指标", "treated indicators", "", "", "该单位经异常值处理的指标。", "The indicators treated for outliers."),
    ("case", "案例", "case", "", "", "案例（单位的区划代码）。", "The case (the unit's code)."),
    ("interpolated", "插值指标", "interpolated metrics", "", "", "本行中由相邻年份插值得到的指标列（空格分隔）。", "The metric columns of the row interpolated from neighbouring years (space-separated)."),
];

/// A column of one table described apart from the same name elsewhere:
/// (table, then a [`Row`]'s fields).
const IN_TABLE: &[(&str, Row)] = &[(
    "service_usage",
    (
        "satisfaction",
        "中心满意度",
        "centre satisfaction",
        "分，0–100 分制",
        "points on 0–100",
        "该中心本统计期的满意度（0–100 分制），如原表所报。",
        "The centre's satisfaction score this period (0–100), as reported.",
    ),
)];

/// A column of `table` described: [`describe`], but for a column whose
/// meaning in that table is its own.
pub fn describe_in(table: &str, column: &str) -> Described {
    match IN_TABLE.iter().find(|(t, r)| *t == table && r.0 == column) {
        Some((_, r)) => of_row(r, None),
        None => describe(column),
    }
}

fn of_row(r: &Row, codes: Option<&'static str>) -> Described {
    Described {
        label_zh: r.1.into(),
        label_en: r.2.into(),
        unit_zh: r.3.into(),
        unit_en: r.4.into(),
        definition_zh: r.5.into(),
        definition_en: r.6.into(),
        codes,
    }
}

/// A column's description: from the table above, else a metric's (with
/// its breakdown: `share_young:cadre`), a QCA model condition
/// (`model:embedded`), else its own name.
pub fn describe(column: &str) -> Described {
    if let Some(r) = COLUMNS.iter().find(|r| r.0 == column) {
        let codes = match column {
            "governance_model" => Some("model"),
            "level" => Some("level"),
            "role" => Some("role"),
            "center_type" => Some("center_type"),
            _ => None,
        };
        return of_row(r, codes);
    }
    if let Some(m) = column.strip_prefix("model:") {
        return Described {
            label_zh: format!("{}（是=1）", labels::model(Lang::Zh, m)),
            label_en: format!("{} (yes = 1)", labels::model(Lang::En, m)),
            unit_zh: String::new(),
            unit_en: String::new(),
            definition_zh: format!(
                "单位采用{}为 1，否则为 0（清晰集条件）。",
                labels::model(Lang::Zh, m)
            ),
            definition_en: format!(
                "1 when the unit adopted the {} model, else 0 (a crisp condition).",
                labels::model(Lang::En, m)
            ),
            codes: None,
        };
    }
    let (m, b) = column.split_once(':').unwrap_or((column, ""));
    if crate::config::METRICS.contains(&m) {
        let def = |lang| labels::label(lang, &format!("defm_{m}")).to_string();
        return Described {
            label_zh: labels::metric(Lang::Zh, m, b),
            label_en: labels::metric(Lang::En, m, b),
            unit_zh: metric_unit(Lang::Zh, m),
            unit_en: metric_unit(Lang::En, m),
            definition_zh: def(Lang::Zh),
            definition_en: def(Lang::En),
            codes: None,
        };
    }
    Described {
        label_zh: column.into(),
        label_en: column.into(),
        unit_zh: String::new(),
        unit_en: String::new(),
        definition_zh: String::new(),
        definition_en: String::new(),
        codes: None,
    }
}

/// The unit a metric's value is in (not its change's).
fn metric_unit(lang: Lang, m: &str) -> String {
    let zh = lang == Lang::Zh;
    match m {
        "share_young" | "share_old" | "resolution_rate" | "escalation_rate" | "center_coverage" => {
            if zh {
                "比例，0–1"
            } else {
                "proportion, 0–1"
            }
        }
        _ => labels::change_unit(lang, m),
    }
    .to_string()
}

/// A value-label set: (code, text as stored, label zh, label en), codes in
/// the contract's order; 0 is a model's `none`.
pub fn value_labels(set: &str) -> Vec<(i32, String, String, String)> {
    let from = |items: Vec<(&str, String, String)>, first: i32| {
        items
            .into_iter()
            .enumerate()
            .map(|(i, (v, zh, en))| (first + i as i32, v.to_string(), zh, en))
            .collect::<Vec<_>>()
    };
    match set {
        "model" => {
            let mut v = from(
                ["sinking", "collaborative", "embedded", "integrated"]
                    .into_iter()
                    .map(|m| (m, labels::model(Lang::Zh, m), labels::model(Lang::En, m)))
                    .collect(),
                1,
            );
            v.insert(
                0,
                (
                    0,
                    "none".into(),
                    labels::model(Lang::Zh, "none"),
                    labels::model(Lang::En, "none"),
                ),
            );
            v
        }
        "level" => from(
            [
                ("country", "全国", "country"),
                ("province", "省级", "province"),
                ("city", "地级", "city"),
                ("county", "县级", "county"),
                ("street", "乡镇街道", "street or township"),
                ("community", "村（社区）", "village or community"),
            ]
            .into_iter()
            .map(|(v, zh, en)| (v, zh.to_string(), en.to_string()))
            .collect(),
            1,
        ),
        "role" => from(
            vec![
                ("member", "党员".to_string(), "party members".to_string()),
                (
                    "cadre",
                    "社区干部".to_string(),
                    "community cadres".to_string(),
                ),
            ],
            1,
        ),
        "center_type" => from(
            crate::contract::CENTER_TYPES
                .iter()
                .map(|(id, zh)| (*id, zh.to_string(), labels::centre(Lang::En, id)))
                .collect(),
            1,
        ),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_label_fits_stata_s_eighty_characters() {
        for r in COLUMNS {
            for l in [r.1, r.2] {
                assert!(l.chars().count() <= 80, "{l}");
            }
        }
        for m in crate::config::METRICS {
            for b in ["", "cadre", "member", "health"] {
                let d = describe(&format!("{m}:{b}"));
                assert!(d.label_zh.chars().count() <= 80 && d.label_en.chars().count() <= 80);
            }
        }
    }

    #[test]
    fn metrics_and_model_conditions_are_described_as_the_reports_name_them() {
        let d = describe("share_young:cadre");
        assert_eq!(d.label_zh, "干部青年占比");
        assert!(d.definition_zh.contains("30 岁"));
        assert_eq!(describe("model:embedded").label_zh, "嵌入型（是=1）");
        assert_eq!(describe("governance_model").codes, Some("model"));
        let models = value_labels("model");
        assert_eq!(
            models[0],
            (0, "none".into(), "无模式".into(), "No model".into())
        );
        assert_eq!(models[3].2, "嵌入型");
    }
}
