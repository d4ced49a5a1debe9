//! Chart and report labels in Chinese (default) and English (`--lang en`).
//! Every label a chart can show comes from here, so the glyph-coverage test
//! can check them all against the bundled font.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "zh" | "zh-CN" | "cn" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }
}

/// A label key → (Chinese, English).
const LABELS: &[(&str, &str, &str)] = &[
    (
        "age_title",
        "党员与干部年龄结构（按治理模式）",
        "Age structure of members and cadres, by model",
    ),
    ("young", "青年", "young"),
    ("middle", "中年", "middle"),
    ("old", "年长", "old"),
    ("share", "占比", "share"),
    ("member", "党员", "members"),
    ("cadre", "干部", "cadres"),
    (
        "resolution_title",
        "矛盾纠纷调解成功率（按治理模式）",
        "Dispute resolution rate, by model",
    ),
    (
        "resolution_trend_title",
        "调解成功率逐年变化（模式均值）",
        "Resolution rate over the years (model means)",
    ),
    ("resolution_rate", "调解成功率", "resolution rate"),
    ("year", "年份", "year"),
    ("model", "治理模式", "model"),
    (
        "heatmap_title",
        "服务中心千人服务人次（中心类型 × 模式）",
        "Visits per 1,000 residents (centre type × model)",
    ),
    (
        "coverage_title",
        "七类服务中心覆盖率（按治理模式）",
        "Coverage of the seven centres, by model",
    ),
    ("coverage", "覆盖率", "coverage"),
    (
        "index_title",
        "治理效能指数排名及 5–95% 区间",
        "Effectiveness index ranks with 5–95% intervals",
    ),
    ("rank", "排名", "rank"),
    (
        "index_models_title",
        "治理效能指数（模式均值）",
        "Effectiveness index (model means)",
    ),
    ("score", "指数", "score"),
    (
        "event_title",
        "采用模式的效应（事件研究，95% 区间）",
        "Effect of adopting a model (event study, 95% intervals)",
    ),
    ("rel_year", "相对采用年份", "years since adoption"),
    ("effect", "效应", "effect"),
    ("adoption", "采用年", "adoption"),
    (
        "quality_title",
        "数据质量：隔离行与发现（按表与规则）",
        "Data quality: quarantined rows and findings, by table and rule",
    ),
    ("rows", "行数", "rows"),
    ("simulated", "模拟数据", "simulated data"),
    ("n", "单位数", "units"),
    ("report_title", "党建引领社区治理效能比较报告", "Party-building-led community governance: a comparison of models"),
    ("simulated_banner", "本报告基于模拟数据生成，数字不代表任何真实地区。", "This report is made from simulated data; its numbers describe no real place."),
    ("period", "统计期", "period"),
    ("key_findings", "主要发现", "Key findings"),
    ("provenance", "数据来源与可复现信息", "Provenance"),
    ("def_age", "share_young = 年龄低于 30 岁者占比，share_old = 45 岁及以上者占比；跨越界限的年龄段按覆盖年数比例拆分（标记为插值）；开放年龄段 [a,∞) 按 a..a+9 计。", "share_young = share aged below 30, share_old = share aged 45 or above; a band straddling a bound is split in proportion to the years it covers (marked interpolated); an open band [a,∞) counts as a..a+9."),
    ("def_resolution", "调解成功率 = 调解成功数 / 受理数（受理数为 0 时为空）。各模式间比较：Kruskal–Wallis 检验（含结校正）与 Dunn 两两比较（Holm 校正）；均值区间为自助法 95% 百分位区间。", "resolution_rate = resolved / received (null when received = 0). Across models: Kruskal–Wallis with tie correction and Dunn pairs with Holm-adjusted p; mean intervals are seeded bootstrap 95% percentile intervals."),
    ("def_visits", "千人服务人次 = 服务人次 / 常住人口 × 1000；覆盖率 = 有服务人次的七类中心数 / 7。", "visits_per_1k = visits / population × 1,000; coverage = the seven centre types with visits > 0, divided by 7."),
    ("def_index", "治理效能指数：指标经方向调整后按最小–最大法归一到 0–100，支柱内等权算术平均，再对三个支柱平均；排名区间来自对权重（±25%）、归一化与汇总方法的蒙特卡洛模拟。", "The index: indicators normalised min-max to 0..100 after directions, arithmetic means within and across the three pillars; rank intervals from a Monte Carlo over weights (±25%), normalisation and aggregation."),
    ("def_event", "采用模式的效应：交错双重差分（Callaway–Sant'Anna），以从未采用模式的单位为对照；标准误为按单位聚类的乘数自助法。", "Adoption effects: staggered difference-in-differences (Callaway–Sant'Anna) against never-treated units; standard errors from a multiplier bootstrap clustered by unit."),
    ("trend_note", "各模式均值逐年变化。", "Model means by year."),
];

pub fn label(lang: Lang, key: &str) -> &'static str {
    let (_, zh, en) = LABELS
        .iter()
        .find(|(k, _, _)| *k == key)
        .unwrap_or_else(|| panic!("no label {key}"));
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

/// A chart title, marked when the data is simulated.
pub fn titled(lang: Lang, key: &str, simulated: bool) -> String {
    let t = label(lang, key);
    match (simulated, lang) {
        (false, _) => t.to_string(),
        (true, Lang::Zh) => format!("{t}（{}）", label(lang, "simulated")),
        (true, Lang::En) => format!("{t} ({})", label(lang, "simulated")),
    }
}

/// A model's display name.
pub fn model(lang: Lang, m: &str) -> String {
    let zh = match m {
        "sinking" => "下沉型",
        "collaborative" => "协同型",
        "embedded" => "嵌入型",
        "integrated" => "融合型",
        "none" => "无模式",
        other => other,
    };
    match lang {
        Lang::Zh => zh.to_string(),
        Lang::En => m.to_string(),
    }
}

/// A centre type's display name.
pub fn centre(lang: Lang, c: &str) -> String {
    match lang {
        Lang::En => c.to_string(),
        Lang::Zh => crate::contract::CENTER_TYPES
            .iter()
            .find(|(id, _)| *id == c)
            .map(|(_, zh)| zh.trim_end_matches("中心").to_string())
            .unwrap_or_else(|| c.to_string()),
    }
}

/// Every fixed text a chart may draw, for the glyph-coverage test.
pub fn all_text() -> String {
    let mut s = String::new();
    for (_, zh, en) in LABELS {
        s.push_str(zh);
        s.push_str(en);
    }
    for m in ["sinking", "collaborative", "embedded", "integrated", "none"] {
        s.push_str(&model(Lang::Zh, m));
    }
    for (id, _) in crate::contract::CENTER_TYPES {
        s.push_str(&centre(Lang::Zh, id));
    }
    s.push_str("0123456789.,-–%+()（）×: ");
    s
}
