//! The data contract (`docs/contract.md`) as code: the four input tables, their
//! canonical columns, the built-in Chinese header aliases, the rule ids, and
//! the schema version written into every warehouse file.
//!
//! Nothing here does I/O. Keeping the contract in one table-driven place means
//! header mapping, validation messages and the docs all name the same columns,
//! and a change to the contract is a change to this file plus a version bump.

pub mod grammar;

use std::fmt;

/// Bumped whenever a warehouse table changes shape or meaning. Written into
/// every Parquet file's key-value metadata and into `_manifest.json`.
pub const SCHEMA_VERSION: u32 = 3;

/// The input tables of contract §1, and the indicators of B.20.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Table {
    Regions,
    MemberAges,
    Disputes,
    ServiceUsage,
    /// Extension (contract B.20): published indicators, one row per figure.
    Indicators,
}

impl Table {
    /// Ingest order: regions first, because facts are checked against the tree.
    pub const ALL: [Table; 5] = [
        Table::Regions,
        Table::MemberAges,
        Table::Disputes,
        Table::ServiceUsage,
        Table::Indicators,
    ];

    /// The fact tables, in ingest order.
    pub const FACTS: [Table; 4] = [
        Table::MemberAges,
        Table::Disputes,
        Table::ServiceUsage,
        Table::Indicators,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Table::Regions => "regions",
            Table::MemberAges => "member_ages",
            Table::Disputes => "disputes",
            Table::ServiceUsage => "service_usage",
            Table::Indicators => "indicators",
        }
    }

    pub fn from_name(name: &str) -> Option<Table> {
        Table::ALL.into_iter().find(|t| t.name() == name)
    }

    /// The columns a file of this table may carry, in canonical order.
    pub fn columns(self) -> &'static [Column] {
        match self {
            Table::Regions => REGIONS,
            Table::MemberAges => MEMBER_AGES,
            Table::Disputes => DISPUTES,
            Table::ServiceUsage => SERVICE_USAGE,
            Table::Indicators => INDICATORS,
        }
    }

    pub fn column(self, name: &str) -> Option<&'static Column> {
        self.columns().iter().find(|c| c.name == name)
    }

    /// Columns that make a row's identity for E_DUPLICATE (contract §2).
    pub fn key(self) -> &'static [&'static str] {
        match self {
            Table::Regions => &["region_code"],
            Table::MemberAges => &["region_code", "period", "role", "age_band"],
            Table::Disputes => &["region_code", "period", "category"],
            Table::ServiceUsage => &["region_code", "period", "center_type"],
            Table::Indicators => &["region_code", "period", "indicator"],
        }
    }
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One canonical input column. `required` means a blank cell is E_REQUIRED.
#[derive(Debug)]
pub struct Column {
    pub name: &'static str,
    pub required: bool,
    pub aliases: &'static [&'static str],
}

const fn col(name: &'static str, required: bool, aliases: &'static [&'static str]) -> Column {
    Column {
        name,
        required,
        aliases,
    }
}

const CODE_ALIASES: &[&str] = &["区划代码", "代码", "行政区划代码", "统计用区划代码"];
const PERIOD_ALIASES: &[&str] = &["时期", "年份", "统计期"];

pub static REGIONS: &[Column] = &[
    col("region_code", true, CODE_ALIASES),
    col(
        "region_name",
        true,
        &["名称", "区划名称", "社区名称", "单位名称"],
    ),
    // Blank level is inferred from the code's length (documented choice).
    col("level", false, &["层级"]),
    col("parent_code", false, &["上级代码", "上级区划代码"]),
    col("governance_model", false, &["治理模式", "模式"]),
    col("model_adopted", false, &["采用年份", "模式采用年份"]),
    col("population", false, &["常住人口", "人口"]),
    col("households", false, &["户数"]),
];

pub static MEMBER_AGES: &[Column] = &[
    col("region_code", true, CODE_ALIASES),
    col("period", true, PERIOD_ALIASES),
    col("role", false, &["类别", "身份"]),
    col("age_band", true, &["年龄段", "年龄"]),
    col("count", true, &["人数", "数量"]),
    col("reported_share", false, &["占比", "比例"]),
    // Each row's group total as a column (long layout): stored once a group
    // as its published `total` band (contract A.1).
    col(
        "total",
        false,
        &["党员总数", "干部总数", "总人数", "总数", "合计"],
    ),
];

/// Person-record layout of member_ages: one row per person, binned by ingest.
pub static MEMBER_PERSONS: &[Column] = &[
    col("region_code", true, CODE_ALIASES),
    col("period", true, PERIOD_ALIASES),
    col("role", false, &["类别", "身份"]),
    col("birth_year", false, &["出生年份", "出生年"]),
    col("age", false, &["年龄", "周岁"]),
];

pub static DISPUTES: &[Column] = &[
    col("region_code", true, CODE_ALIASES),
    col("period", true, PERIOD_ALIASES),
    col("category", false, &["纠纷类型", "类别"]),
    col("received", true, &["受理数", "受理", "排查纠纷数"]),
    col("resolved", false, &["调解成功数", "化解数", "成功数"]),
    col("escalated", false, &["升级数", "转诉讼数", "上访数"]),
    col("mean_days", false, &["平均办结天数"]),
    col(
        "reported_share",
        false,
        &["占比", "比重", "所占比重", "各类纠纷所占比重", "Percentage"],
    ),
    // Read, not stored: a row's place in a printed outline (ingest/outline.rs).
    col("outline", false, &["缩进层级"]),
];

pub static SERVICE_USAGE: &[Column] = &[
    col("region_code", true, CODE_ALIASES),
    col("period", true, PERIOD_ALIASES),
    col("center_type", true, &["中心类型", "服务中心"]),
    col("visits", true, &["服务人次", "人次", "接待人次"]),
    col("services", false, &["服务件数", "办件数"]),
    col("satisfaction", false, &["满意度"]),
    col("staff", false, &["工作人员数"]),
];

/// Published indicators (contract B.20): one figure a row, as a bulletin or
/// a press release gives it, with its unit, what it is (a figure of its
/// own, a part of one, a rate) and the share printed beside it.
pub static INDICATORS: &[Column] = &[
    col("region_code", true, CODE_ALIASES),
    col("period", true, PERIOD_ALIASES),
    col("indicator", true, &["指标", "指标名称", "项目"]),
    col("value", true, &["数值", "数量", "数据"]),
    col("unit", false, &["单位", "计量单位"]),
    col("level", false, &["层级", "指标层级"]),
    col("part_of", false, &["所属指标", "上级指标"]),
    col("reported_share", false, &["占比", "比重", "比例"]),
];

/// Row-level rules (the row goes to quarantine) and group-level findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rule {
    Parse,
    Required,
    Range,
    Code,
    Order,
    Duplicate,
    Band,
    Total,
    Share,
    Coverage,
    /// Extension: a county-or-above code absent from the GB/T 2260 reference list.
    Reference,
    /// Extension: a row's region code and its region name disagree.
    Name,
    /// Extension: a stock published as at a day that does not end its
    /// period, stored as the period that holds the day.
    AsAt,
    /// Extension: a part, or a rate's figures, in a unit other than the
    /// figure it is checked against (not compared).
    Unit,
}

impl Rule {
    /// Every rule, row rules first.
    pub const ALL: [Rule; 14] = [
        Rule::Parse,
        Rule::Required,
        Rule::Range,
        Rule::Code,
        Rule::Order,
        Rule::Duplicate,
        Rule::Band,
        Rule::Total,
        Rule::Share,
        Rule::Coverage,
        Rule::Reference,
        Rule::Name,
        Rule::AsAt,
        Rule::Unit,
    ];

    /// The rule an id (`E_PARSE`) names.
    pub fn from_id(id: &str) -> Option<Rule> {
        Rule::ALL.into_iter().find(|r| r.id() == id)
    }

    pub fn id(self) -> &'static str {
        match self {
            Rule::Parse => "E_PARSE",
            Rule::Required => "E_REQUIRED",
            Rule::Range => "E_RANGE",
            Rule::Code => "E_CODE",
            Rule::Order => "E_ORDER",
            Rule::Duplicate => "E_DUPLICATE",
            Rule::Band => "E_BAND",
            Rule::Total => "W_TOTAL",
            Rule::Share => "W_SHARE",
            Rule::Coverage => "W_COVERAGE",
            Rule::Reference => "W_REFERENCE",
            Rule::Name => "W_NAME",
            Rule::AsAt => "W_ASAT",
            Rule::Unit => "W_UNIT",
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// Levels of the region tree, coarse to fine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Country,
    Province,
    City,
    County,
    Street,
    Community,
}

impl Level {
    pub const ALL: [Level; 6] = [
        Level::Country,
        Level::Province,
        Level::City,
        Level::County,
        Level::Street,
        Level::Community,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Level::Country => "country",
            Level::Province => "province",
            Level::City => "city",
            Level::County => "county",
            Level::Street => "street",
            Level::Community => "community",
        }
    }

    pub fn from_name(s: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.name() == s)
    }
}

/// The four governance models plus `none` (the never-treated comparison units).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Model {
    Sinking,
    Collaborative,
    Embedded,
    Integrated,
    None,
}

impl Model {
    pub const ALL: [Model; 5] = [
        Model::Sinking,
        Model::Collaborative,
        Model::Embedded,
        Model::Integrated,
        Model::None,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Model::Sinking => "sinking",
            Model::Collaborative => "collaborative",
            Model::Embedded => "embedded",
            Model::Integrated => "integrated",
            Model::None => "none",
        }
    }

    pub fn chinese(self) -> &'static str {
        match self {
            Model::Sinking => "下沉型",
            Model::Collaborative => "协同型",
            Model::Embedded => "嵌入型",
            Model::Integrated => "融合型",
            Model::None => "无",
        }
    }
}

/// The seven centres of 一有七中心, plus `other`.
pub const CENTER_TYPES: [(&str, &str); 8] = [
    ("convenience", "便民服务中心"),
    ("governance", "综治服务中心"),
    ("culture_sports", "文体活动中心"),
    ("health", "卫生服务中心"),
    ("elderly_care", "老年人日间照料中心"),
    ("children", "儿童服务中心"),
    ("volunteer", "志愿服务中心"),
    ("other", "其他"),
];

/// The columns of `_quarantine.parquet`, in order.
pub const QUARANTINE_COLUMNS: [&str; 7] = [
    "table", "source", "row", "column", "value", "rule", "message",
];

/// The columns of `_findings.parquet`, in order.
pub const FINDINGS_COLUMNS: [&str; 9] = [
    "table",
    "rule",
    "region_code",
    "period",
    "role",
    "band",
    "expected",
    "actual",
    "message",
];

/// A row-level rejection before the file and row are known: the rule it
/// breaks, the column, the raw value and the message a clerk reads. Ingest
/// adds the file and row (`ingest::quarantine`); the region tree's checks
/// (`regions`) make them too.
#[derive(Debug, Clone, PartialEq)]
pub struct Reject {
    pub rule: Rule,
    pub column: String,
    pub value: Option<String>,
    pub message: String,
    /// E_DUPLICATE: the row kept instead (its file as shown, its row).
    pub kept: Option<(String, u64)>,
}

impl Reject {
    pub fn new(rule: Rule, column: &str, value: Option<&str>, message: impl Into<String>) -> Self {
        Reject {
            rule,
            column: column.to_string(),
            value: value.map(str::to_string),
            message: message.into(),
            kept: None,
        }
    }

    /// The same rejection, naming the row kept instead of this one.
    pub fn keeping(mut self, file: &str, row: u64) -> Self {
        self.kept = Some((file.to_string(), row));
        self
    }
}
