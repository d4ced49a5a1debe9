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
