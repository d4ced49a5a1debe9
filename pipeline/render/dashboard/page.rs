//! The dashboard's HTML: its text, the data as JSON inside a script
//! element that is never run (`type="application/json"`), ECharts and the
//! page's script inlined, the font subset, and the open-source licences.

use std::collections::BTreeMap;

use base64::Engine;

use super::super::font;
use super::super::html::{escape, HtmlError};
use super::super::labels::{label, Lang};
use super::super::RenderError;
use super::data::Data;

const ECHARTS: &str = include_str!("../../../vendor/echarts/echarts.min.js");
const ECHARTS_LICENSE: &str = include_str!("../../../vendor/echarts/LICENSE");
const ECHARTS_NOTICE: &str = include_str!("../../../vendor/echarts/NOTICE");
const ZRENDER_LICENSE: &str = include_str!("../../../vendor/echarts/licenses/LICENSE-zrender");
const D3_LICENSE: &str = include_str!("../../../vendor/echarts/licenses/LICENSE-d3");
const TSLIB_LICENSE: &str = include_str!("../../../vendor/echarts/licenses/LICENSE-tslib");
const APP: &str = include_str!("app.js");
const CSS: &str = include_str!("app.css");

/// What the page's code is (ECharts, the script, the style): a changed
/// one makes a run's render stale.
pub fn code_key() -> String {
    let mut h = blake3::Hasher::new();
    for part in [ECHARTS, APP, CSS] {
        h.update(part.as_bytes());
    }
    h.finalize().to_hex()[..16].to_string()
}

/// The font family the page's text and charts are drawn in.
const FACE: &str = "govlens-dash";

/// JSON that can sit inside `<script type="application/json">`: `<`, `>`
/// and `&` as `\u003c`, `\u003e`, `\u0026` (no `</script>` or `<!--` can
/// end or change the element), and U+2028, U+2029 as `\u2028`, `\u2029`
/// (the page's script reads it with `JSON.parse`; older parsers of
/// JavaScript took them for line ends). The value read back is the same.
pub fn json_in_script(json: &str) -> String {
    let mut out = String::with_capacity(json.len() + json.len() / 32);
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// The labels of the page's controls and messages.
pub fn ui_text(lang: Lang) -> BTreeMap<&'static str, String> {
    const T: &[(&str, &str, &str)] = &[
        ("period", "时期", "Period"),
        ("metric", "指标", "Metric"),
        ("model", "治理模式", "Model"),
        ("all_models", "全部模式", "All models"),
        ("district", "区县", "District"),
        ("all_districts", "全部区县", "All districts"),
        ("street", "街道", "Street"),
        ("all_streets", "全部街道", "All streets"),
        ("level", "排名对象", "Rank by"),
        ("level_units", "单位", "units"),
        ("level_districts", "区县", "districts"),
        ("clear", "清除筛选", "Clear filters"),
        ("region", "地区", "Region"),
        ("whole", "全部", "all"),
        ("search", "搜索名称或代码", "Search a name or code"),
        ("found", "找到", "found"),
        (
            "not_found",
            "没有名称或代码含此内容的单位",
            "No unit's name or code contains this",
        ),
        ("cards", "关键指标", "Key figures"),
        ("on_previous", "较上期", "Change on previous period:"),
        ("no_previous", "无上期可比", "no previous period to compare"),
        ("units_n", "个单位", "units"),
        ("based_on", "基于", "from"),
        ("tied", "并列", "tied:"),
        ("darker", "颜色越深越好", "darker is better"),
        ("mean_of_units", "各单位平均", "mean of units"),
        ("weighted", "加权", "weighted"),
        ("districts_n", "个区县", "districts"),
        ("ranking", "排名", "Ranking"),
        ("first", "第 1 名", "First"),
        ("trend", "各模式逐年变化", "By model over the years"),
        ("tiles", "省级方块图", "Provinces (tile map)"),
        ("tiles_hint", "点击省份筛选", "click a province to filter"),
        ("map", "分区地图", "Choropleth"),
        ("map_hint", "点击地区筛选", "click a region to filter"),
        ("no_value", "无数据", "no data"),
        ("alerts", "预警（按类型）", "Alerts by kind"),
        ("alerts_list", "预警明细", "Alerts"),
        ("boxes", "模式比较", "Models compared"),
        (
            "no_data",
            "本期没有该指标的数据。",
            "No data for this metric in this period.",
        ),
        (
            "no_rows",
            "没有符合筛选条件的单位。",
            "No unit matches the filters.",
        ),
        (
            "no_alerts",
            "本期筛选范围内没有预警。",
            "No alerts in this period for these filters.",
        ),
        (
            "no_test",
            "本次运行未对该指标做模式间检验。",
            "The run made no between-model test of this metric.",
        ),
        (
            "test_scope",
            "检验针对本期全部单位，不随筛选变化。",
            "The tests are on all of the period's units; filters do not change them.",
        ),
        (
            "significant",
            "模式间差异在 5% 水平上显著",
            "the models differ at the 5% level",
        ),
        (
            "not_significant",
            "未见模式间的显著差异",
            "no significant difference between the models",
        ),
        ("boxes_of", "箱线图", "Boxes"),
        (
            "failed",
            "此图无法绘制：",
            "This chart could not be drawn: ",
        ),
        ("home", "本区县", "this district"),
        ("more_alerts", "另有", "and"),
        ("more_alerts_tail", "条未列出", "more not listed"),
        ("licences", "开源许可", "Open-source licences"),
        ("notes", "说明", "Notes"),
        ("filters", "当前筛选", "Filters"),
        (
            "simulated",
            "模拟数据，不代表任何真实地区",
            "Simulated data: no real place is described",
        ),
        ("n", "n", "n"),
        ("year", "年份", "year"),
        ("rank", "名次", "rank"),
        ("colon", "：", ": "),
        ("open", "（", " ("),
        ("close", "）", ")"),
        ("comma", "，", ", "),
    ];
    T.iter()
        .map(|(k, zh, en)| (*k, if lang == Lang::Zh { zh } else { en }.to_string()))
        .collect()
}

/// The licences section: what is inlined, under which licence, in full.
fn licences(lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    let intro = if zh {
        format!("本页内嵌 Apache ECharts {}（Apache-2.0 许可），其中包含 ZRender（BSD-3-Clause）、d3.js 的部分代码（BSD-3-Clause）和 tslib（0BSD）；字体为文泉驿微米黑的子集（Apache-2.0 / GPLv3）。各许可全文如下。", super::ECHARTS_VERSION)
    } else {
        format!("This page inlines Apache ECharts {} (Apache-2.0), which includes ZRender (BSD-3-Clause), parts of d3.js (BSD-3-Clause) and tslib (0BSD); its font is a subset of WenQuanYi Micro Hei (Apache-2.0 / GPLv3). The licences in full:", super::ECHARTS_VERSION)
    };
    let mut s = format!(
        "<section id=\"licences\"><h2>{}</h2><p>{}</p>",
        escape(label_or(lang, "licences")),
        escape(&intro)
    );
    for (name, text) in [
        (
            format!("Apache ECharts {} — NOTICE", super::ECHARTS_VERSION),
            ECHARTS_NOTICE,
        ),
        (
            format!(
                "Apache ECharts {} — LICENSE (Apache-2.0)",
                super::ECHARTS_VERSION
            ),
            ECHARTS_LICENSE,
        ),
        ("ZRender — BSD-3-Clause".to_string(), ZRENDER_LICENSE),
        ("d3.js — BSD-3-Clause".to_string(), D3_LICENSE),
        ("tslib — 0BSD".to_string(), TSLIB_LICENSE),
    ] {
        s.push_str(&format!(
            "<details><summary>{}</summary><pre>{}</pre></details>",
            escape(&name),
            escape(text)
        ));
    }
    s.push_str("</section>");
    s
}

fn label_or(lang: Lang, key: &str) -> &'static str {
    match (key, lang) {
        ("licences", Lang::Zh) => "开源许可",
        ("licences", Lang::En) => "Open-source licences",
        _ => label(lang, key),
    }
}

/// Each character of `texts` once, in order of first use: the font is cut
/// for these (the data is mostly digits: a set of a million characters
/// took a debug build half a second).
fn distinct_chars(texts: &[&str]) -> String {
    let mut ascii = [false; 128];
    let mut other = std::collections::BTreeSet::new();
    for t in texts {
        for b in t.bytes().filter(|b| b.is_ascii()) {
            ascii[b as usize] = true;
        }
        if !t.is_ascii() {
            other.extend(t.chars().filter(|c| !c.is_ascii()));
        }
    }
    (0u8..128)
        .filter(|b| ascii[*b as usize])
        .map(char::from)
        .chain(other)
        .collect()
}

/// The page.
pub fn write(d: &Data, lang: Lang) -> Result<String, RenderError> {
    let json = serde_json::to_string(d).expect("the dashboard's data is JSON");
    let zh = lang == Lang::Zh;
    let banner = if d.simulated {
        format!("<p class=\"banner\">{}</p>", escape(&d.text["simulated"]))
    } else {
        String::new()
    };
    let noscript = if zh {
        "本看板需要浏览器运行 JavaScript（页面自带，不联网）。"
    } else {
        "This dashboard needs JavaScript in the browser (it is inside the page; nothing is fetched)."
    };
    let notes: String = d
        .notes
        .iter()
        .map(|n| format!("<li>{}</li>", escape(n)))
        .collect();
    let body = format!(
        "<header><h1>{title}</h1><p class=\"subtitle\">{subtitle}</p>{banner}</header>\
<noscript><p class=\"banner\">{noscript}</p></noscript>\
<nav id=\"filters\"></nav>\
<section id=\"cards\" class=\"cards\"></section>\
<main class=\"grid\">\
<section class=\"panel wide\" id=\"p-ranking\"><h2></h2><div class=\"tools\"><input id=\"search\" type=\"search\"><span id=\"search-result\"></span></div><p id=\"rank-first\" class=\"first\"></p><div class=\"chart tall\" id=\"c-ranking\"></div></section>\
<section class=\"panel\" id=\"p-trend\"><h2></h2><div class=\"chart\" id=\"c-trend\"></div></section>\
<section class=\"panel\" id=\"p-boxes\"><h2></h2><div class=\"chart\" id=\"c-boxes\"></div><p class=\"test\" id=\"t-boxes\"></p></section>\
<section class=\"panel\" id=\"p-tiles\"><h2></h2><div class=\"chart\" id=\"c-tiles\"></div></section>\
<section class=\"panel\" id=\"p-map\"><h2></h2><div class=\"chart\" id=\"c-map\"></div><p class=\"source\" id=\"s-map\"></p></section>\
<section class=\"panel wide\" id=\"p-alerts\"><h2></h2><div class=\"chart short\" id=\"c-alerts\"></div><ol id=\"l-alerts\"></ol></section>\
</main>\
<section id=\"notes\"><h2>{notes_title}</h2><ul>{notes}</ul></section>\
{licences}",
        title = escape(&d.title),
        subtitle = escape(&d.subtitle),
        notes_title = escape(&d.text["notes"]),
        licences = licences(lang),
    );
    // The characters the page may draw: its data (names, labels, notes),
    // its markup's text, and what numbers are written with.
    let shown = distinct_chars(&[
        &json,
        &body,
        noscript,
        " 0123456789.,+-−–—%()（）：:·/…↑↓=<>≥≤*#&'\"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    ]);
    font::check_glyphs(&d.title, &d.title).map_err(HtmlError::from)?;
    let woff2 = font::web_font(&shown).map_err(HtmlError::from)?;
    let face = format!(
        "@font-face{{font-family:'{FACE}';src:url(data:font/woff2;base64,{}) format('woff2');font-display:block}}",
        base64::engine::general_purpose::STANDARD.encode(woff2)
    );
    let html_lang = if zh { "zh-CN" } else { "en" };
    Ok(format!(
        "<!DOCTYPE html>\n<html lang=\"{html_lang}\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; font-src data:; img-src data:\">\
<title>{title}</title><style>{face}{CSS}</style></head><body>{body}\
<script type=\"application/json\" id=\"govlens-data\">{data}</script>\
<script>{ECHARTS}</script><script>{APP}</script></body></html>\n",
        title = escape(&d.title),
        data = json_in_script(&json),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_in_script_cannot_end_its_element() {
        let v =
            serde_json::json!({"n": "</script><script>alert(1)</script><!-- & \u{2028}\u{2029}"});
        let s = json_in_script(&v.to_string());
        assert!(!s.contains('<') && !s.contains('>') && !s.contains('&'));
        assert!(!s.contains('\u{2028}') && !s.contains('\u{2029}'));
        // The same value read back.
        let back: serde_json::Value = serde_json::from_str(&s).unwrap();
        assert_eq!(back, v);
    }

    #[test]
    fn distinct_chars_are_each_once() {
        assert_eq!(distinct_chars(&["bab 平谷区", "平a"]), " ab区平谷");
    }

    #[test]
    fn vendored_scripts_cannot_end_their_element() {
        for (name, js) in [("echarts.min.js", ECHARTS), ("app.js", APP)] {
            let lower = js.to_ascii_lowercase();
            assert!(
                !lower.contains("</script") && !lower.contains("<!--"),
                "{name}"
            );
        }
    }

    #[test]
    fn vendored_echarts_is_the_release_its_readme_names() {
        use sha2::Digest;
        let readme = include_str!("../../../vendor/echarts/README.md");
        let sum: String = sha2::Sha256::digest(ECHARTS.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert!(
            readme.contains(&format!("| sha256 of echarts.min.js | {sum} |")),
            "{sum}"
        );
        let version = super::super::ECHARTS_VERSION;
        assert!(ECHARTS.contains(&format!("version=\"{version}\"")));
        assert!(readme.contains(&format!("# Apache ECharts {version}, vendored")));
    }
}
