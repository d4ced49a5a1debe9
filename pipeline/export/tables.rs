//! Each exported table as a [`Dataset`]: read from the run (or the
//! warehouse), shaped (unit_metrics made wide), and each column turned into
//! a labelled variable of one storage kind by one rule (docs/export.md,
//! "Types"):
//!
//! - text → `str` (Stata) / `A` (SPSS); a coded column (governance_model,
//!   level, role, center_type) → whole-number codes with a value-label set
//!   (codes in the contract's order, `none` = 0; a text the set lacks gets
//!   a code from 101 on, labelled with itself);
//! - whole numbers → `long`; a column beyond Stata's long range → `double`;
//! - booleans → codes 0/1 labelled 否/是;
//! - other numbers → `double`, NaN and infinities missing;
//! - dates → text `YYYY-MM-DD`.

use std::collections::BTreeMap;
use std::path::Path;

use polars::prelude::*;

use super::columns::{describe_in, value_labels};
use super::dataset::{self, Dataset, ValueLabelSet, Values, Variable};
use super::names::legal_all;
use super::ExportError;
use crate::config::{Lang, METRICS};
use crate::runs;

/// One table of [`super::TABLES`] as a dataset.
pub(super) fn dataset(
    name: &str,
    dir: &Path,
    warehouse: &Path,
    run_id: &str,
    lang: Lang,
) -> Result<Dataset, ExportError> {
    let df = match name {
        "unit_metrics" => wide_metrics(dir)?,
        n if super::FACTS.contains(&n) => crate::warehouse::read_table(warehouse, n)?,
        n => runs::table(dir, n)?,
    };
    let mut d = of_frame(name, &df, run_id, lang)?;
    if name == "qca_cases" {
        // The study's cross-section: the analysis period's units.
        let period = runs::latest_period(dir)?;
        d.label = format!(
            "{} {} (govlens {run_id})",
            title(name, lang),
            crate::render::labels::period_label(lang, &period)
        );
    }
    Ok(d)
}

fn terr(table: &str) -> impl Fn(PolarsError) -> ExportError + '_ {
    move |e| ExportError::Table {
        table: table.into(),
        message: e.to_string(),
    }
}

/// unit_metrics wide: region_code, region_name, period, governance_model,
/// a column per metric (and breakdown: `share_young:cadre`) in the
/// contract's order of metrics, and `interpolated` naming the metric
/// columns of a row filled in from neighbouring years (when any is).
fn wide_metrics(dir: &Path) -> Result<DataFrame, ExportError> {
    let um = runs::table(dir, "unit_metrics")?;
    let units = runs::table(dir, "units")?;
    let name_of: BTreeMap<&str, &str> = runs::str_refs(&units, "region_code")
        .into_iter()
        .zip(runs::str_refs(&units, "region_name"))
        .collect();
    let codes = runs::str_refs(&um, "region_code");
    let periods = runs::str_refs(&um, "period");
    let models = runs::str_refs(&um, "governance_model");
    let metrics = runs::str_refs(&um, "metric");
    let breakdowns = runs::str_refs(&um, "breakdown");
    let values = runs::floats(&um, "value");
    let interpolated: Vec<bool> = um
        .column("interpolated")
        .ok()
        .and_then(|c| {
            c.bool()
                .ok()
                .map(|b| b.iter().map(|x| x == Some(true)).collect())
        })
        .unwrap_or_else(|| vec![false; um.height()]);
    let order = |m: &str, b: &str| {
        let mi = METRICS
            .iter()
            .position(|x| *x == m)
            .unwrap_or(METRICS.len());
        let bi = match b {
            "" => 0,
            "cadre" => 1,
            "member" => 2,
            _ => 3,
        };
        (mi, bi, b.to_string())
    };
    let mut cols: BTreeMap<(usize, usize, String), String> = BTreeMap::new();
    let mut rows: BTreeMap<(&str, &str), WideRow> = BTreeMap::new();
    for i in 0..um.height() {
        let col = if breakdowns[i].is_empty() {
            metrics[i].to_string()
        } else {
            format!("{}:{}", metrics[i], breakdowns[i])
        };
        cols.entry(order(metrics[i], breakdowns[i]))
            .or_insert_with(|| col.clone());
        let row = rows
            .entry((codes[i], periods[i]))
            .or_insert_with(|| (models[i], BTreeMap::new(), Vec::new()));
        if let Some(v) = values[i] {
            row.1.insert(col.clone(), v);
        }
        if interpolated[i] {
            row.2.push(col);
        }
    }
    let n = rows.len();
    let mut out = vec![
        Column::new(
            "region_code".into(),
            rows.keys().map(|k| k.0).collect::<Vec<_>>(),
        ),
        Column::new(
            "region_name".into(),
            rows.keys()
                .map(|k| name_of.get(k.0).copied().unwrap_or(""))
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "period".into(),
            rows.keys().map(|k| k.1).collect::<Vec<_>>(),
        ),
        Column::new(
            "governance_model".into(),
            rows.values().map(|r| r.0).collect::<Vec<_>>(),
        ),
    ];
    for col in cols.values() {
        out.push(Column::new(
            col.as_str().into(),
            rows.values()
                .map(|r| r.1.get(col).copied())
                .collect::<Vec<_>>(),
        ));
    }
    if rows.values().any(|r| !r.2.is_empty()) {
        let legal = |c: &String| super::names::legal(c);
        out.push(Column::new(
            "interpolated".into(),
            rows.values()
                .map(|r| r.2.iter().map(legal).collect::<Vec<_>>().join(" "))
                .collect::<Vec<_>>(),
        ));
    }
    DataFrame::new(n, out).map_err(terr("unit_metrics"))
}

/// A unit-period of the wide table: model, values by column, the columns
/// interpolated.
type WideRow<'a> = (&'a str, BTreeMap<String, f64>, Vec<String>);

/// The title a dataset label starts with.
fn title(name: &str, lang: Lang) -> &'static str {
    match (name, lang) {
        ("units", Lang::Zh) => "分析单位",
        ("unit_metrics", Lang::Zh) => "单位指标（宽表）",
        ("adoption_panel", Lang::Zh) => "采用模式面板（双重差分）",
        ("index_scores", Lang::Zh) => "治理效能指数",
        ("qca_cases", Lang::Zh) => "QCA 案例表（校准前）",
        ("member_ages", Lang::Zh) => "党员干部年龄结构",
        ("disputes", Lang::Zh) => "矛盾纠纷调解",
        ("service_usage", Lang::Zh) => "服务中心使用",
        ("indicators", Lang::Zh) => "公开指标",
        ("units", Lang::En) => "Units of analysis",
        ("unit_metrics", Lang::En) => "Unit metrics (wide)",
        ("adoption_panel", Lang::En) => "Adoption panel (DiD)",
        ("index_scores", Lang::En) => "Effectiveness index",
        ("qca_cases", Lang::En) => "QCA case table (raw)",
        ("member_ages", Lang::En) => "Ages of members and cadres",
        ("disputes", Lang::En) => "Dispute mediation",
        ("service_usage", Lang::En) => "Service-centre usage",
        ("indicators", Lang::En) => "Published indicators",
        _ => "",
    }
}

/// A frame as a dataset (the module's rules).
pub(super) fn of_frame(
    name: &str,
    df: &DataFrame,
    run_id: &str,
    lang: Lang,
) -> Result<Dataset, ExportError> {
    let columns: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|c| c.to_string())
        .collect();
    let legal = legal_all(columns.iter().map(String::as_str));
    let mut sets: BTreeMap<String, ValueLabelSet> = BTreeMap::new();
    let mut variables = Vec::with_capacity(columns.len());
    for (column, name_legal) in columns.iter().zip(legal) {
        let c = df.column(column).map_err(terr(name))?;
        let d = describe_in(name, column);
        let (values, set) = values_of(name, column, c, d.codes, lang)?;
        if let Some(s) = set {
            sets.entry(s.name.clone()).or_insert(s);
        }
        variables.push(Variable {
            value_labels: match values {
                Values::Coded(_) => Some(coded_set_name(d.codes)),
                _ => None,
            },
            name: name_legal,
            column: column.clone(),
            label: d.label(lang).to_string(),
            values,
        });
    }
    Ok(Dataset {
        table: name.to_string(),
        label: format!("{} (govlens {run_id})", title(name, lang)),
        variables,
        sets: sets.into_values().collect(),
        rows: df.height(),
    })
}

/// The value-label set's name: the column's set, or `yesno`.
fn coded_set_name(codes: Option<&'static str>) -> String {
    codes.unwrap_or("yesno").to_string()
}

/// A column's values by the module's rules, and its value-label set when
/// coded.
fn values_of(
    table: &str,
    column: &str,
    c: &Column,
    codes: Option<&'static str>,
    lang: Lang,
) -> Result<(Values, Option<ValueLabelSet>), ExportError> {
    let label = |zh: &str, en: &str| match lang {
        Lang::Zh => zh.to_string(),
        Lang::En => en.to_string(),
    };
    let dtype = c.dtype().clone();
    // Years as numbers, so Stata's xtset and R's did take them as they are.
    if column == "period" && dtype.is_string() {
        let texts = text(c, table)?;
        let years: Option<Vec<Option<i32>>> = texts
            .iter()
            .map(|t| match t.as_deref() {
                None | Some("") => Some(None),
                Some(s) if s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit()) => {
                    s.parse().ok().map(Some)
                }
                Some(_) => None,
            })
            .collect();
        if let Some(y) = years {
            return Ok((Values::Integer(y), None));
        }
    }
    if let Some(set) = codes.filter(|_| dtype.is_string()) {
        let texts: Vec<Option<String>> = text(c, table)?;
        let mut entries: Vec<(i32, String, String)> = value_labels(set)
            .into_iter()
            .map(|(code, v, zh, en)| (code, v, label(&zh, &en)))
            .collect();
        let mut next = 101;
        let mut out = Vec::with_capacity(texts.len());
        for t in &texts {
            match t.as_deref().filter(|s| !s.is_empty()) {
                None => out.push(None),
                Some(s) => match entries.iter().find(|e| e.1 == s) {
                    Some(e) => out.push(Some(e.0)),
                    None => {
                        entries.push((next, s.to_string(), s.to_string()));
                        out.push(Some(next));
                        next += 1;
                    }
                },
            }
        }
        let set = ValueLabelSet {
            name: set.to_string(),
            entries: entries.into_iter().map(|(c, _, l)| (c, l)).collect(),
        };
        return Ok((Values::Coded(out), Some(set)));
    }
    let values = match &dtype {
        DataType::Boolean => {
            let b = c.bool().map_err(terr(table))?;
            let set = ValueLabelSet {
                name: "yesno".into(),
                entries: vec![(0, label("否", "no")), (1, label("是", "yes"))],
            };
            return Ok((
                Values::Coded(b.iter().map(|x| x.map(i32::from)).collect()),
                Some(set),
            ));
        }
        t if t.is_integer() => {
            let s = c.cast(&DataType::Int64).map_err(terr(table))?;
            let v: Vec<Option<i64>> = s.i64().map_err(terr(table))?.iter().collect();
            match dataset::longs(table, column, &v) {
                Ok(l) => Values::Integer(l),
                Err(_) => Values::Number(v.iter().map(|x| x.map(|x| x as f64)).collect()),
            }
        }
        t if t.is_float() || t.is_decimal() => {
            let s = c.cast(&DataType::Float64).map_err(terr(table))?;
            Values::Number(s.f64().map_err(terr(table))?.iter().collect())
        }
        _ => Values::Text(text(c, table)?),
    };
    Ok((values, None))
}

/// A column as text (dates as YYYY-MM-DD).
fn text(c: &Column, table: &str) -> Result<Vec<Option<String>>, ExportError> {
    let s = c.cast(&DataType::String).map_err(terr(table))?;
    Ok(s.str()
        .map_err(terr(table))?
        .iter()
        .map(|x| x.map(str::to_string))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_labels_go_only_on_codes_the_export_makes() {
        // A numeric column, even of a coded name, keeps its numbers and gets
        // no value labels: labels go on codes made from text or booleans.
        let df = df!("governance_model" => [Some(1.5), Some(2.0)]).unwrap();
        let d = of_frame("t", &df, "r", Lang::Zh).unwrap();
        assert_eq!(
            d.variables[0].values,
            Values::Number(vec![Some(1.5), Some(2.0)])
        );
        assert!(d.variables[0].value_labels.is_none() && d.sets.is_empty());
    }

    #[test]
    fn coded_integer_boolean_and_text_columns_take_their_kinds() {
        let df = df!(
            "region_code" => ["110117001001", "110117001002"],
            "governance_model" => [Some("embedded"), Some("other")],
            "count" => [Some(3i64), None],
            "big" => [Some(5_000_000_000i64), Some(1)],
            "share_young:cadre" => [Some(0.5), Some(f64::NAN)],
            "flag" => [true, false],
        )
        .unwrap();
        let d = of_frame("units", &df, "abc", Lang::Zh).unwrap();
        let names: Vec<&str> = d.variables.iter().map(|v| v.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "region_code",
                "governance_model",
                "count",
                "big",
                "share_young_cadre",
                "flag"
            ]
        );
        assert_eq!(
            d.variables[1].values,
            Values::Coded(vec![Some(3), Some(101)])
        );
        let model = d.sets.iter().find(|s| s.name == "model").unwrap();
        assert!(model.entries.contains(&(3, "嵌入型".into())));
        assert!(model.entries.contains(&(101, "other".into())));
        assert_eq!(d.variables[2].values, Values::Integer(vec![Some(3), None]));
        assert!(matches!(d.variables[3].values, Values::Number(_)));
        assert_eq!(d.variables[4].label, "干部青年占比");
        assert_eq!(d.variables[5].value_labels.as_deref(), Some("yesno"));
        assert_eq!(d.label, "分析单位 (govlens abc)");
    }
}
