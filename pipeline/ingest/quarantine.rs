//! Where rows that were not stored go, and group-level findings about rows
//! that were. The model is qsv's valid / invalid / errors split: a row is in
//! the warehouse or here, never both, never neither.

use polars::prelude::*;

use crate::contract::{Rule, Table};

/// Why one input row was not stored (contract §2). One record per row: the
/// first problem found, checking columns in canonical order.
#[derive(Debug, Clone, PartialEq)]
pub struct QuarantineRecord {
    pub table: Table,
    pub source: String,
    pub row: u64,
    pub column: String,
    pub value: Option<String>,
    pub rule: Rule,
    pub message: String,
    /// E_DUPLICATE: the row kept instead (file as shown, row); not in the
    /// Parquet (the message says it), kept for the correction lists.
    pub kept: Option<(String, u64)>,
}

impl QuarantineRecord {
    /// A row's rejection, with its table, file and row.
    pub fn of(table: Table, source: &str, row: u64, r: Reject) -> Self {
        QuarantineRecord {
            table,
            source: source.to_string(),
            row,
            column: r.column,
            value: r.value,
            rule: r.rule,
            message: r.message,
            kept: r.kept,
        }
    }
}

/// A group-level finding: the rows are kept, the finding is reported.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub table: Table,
    pub rule: Rule,
    pub region_code: Option<String>,
    pub period: Option<String>,
    pub role: Option<String>,
    pub band: Option<String>,
    pub expected: Option<f64>,
    pub actual: Option<f64>,
    pub message: String,
    /// Where in a file the finding is, when one row says it (a published
    /// total row, a row whose name and code disagree): the file as the
    /// manifest shows it and its row. Not in `_findings.parquet` (its
    /// message says both); kept for the correction lists.
    pub source: Option<String>,
    pub row: Option<u64>,
    /// A published total's rows: the first and last it should sum.
    pub covers: Option<(u64, u64)>,
}

/// A row-level rejection before the file and row are known (the
/// contract's vocabulary, shared with the region tree's checks).
pub use crate::contract::Reject;

pub fn quarantine_frame(records: &[QuarantineRecord]) -> PolarsResult<DataFrame> {
    DataFrame::new(
        records.len(),
        vec![
            Column::new(
                "table".into(),
                records.iter().map(|r| r.table.name()).collect::<Vec<_>>(),
            ),
            Column::new(
                "source".into(),
                records
                    .iter()
                    .map(|r| r.source.as_str())
                    .collect::<Vec<_>>(),
            ),
            Column::new(
                "row".into(),
                records.iter().map(|r| r.row).collect::<Vec<_>>(),
            ),
            Column::new(
                "column".into(),
                records
                    .iter()
                    .map(|r| r.column.as_str())
                    .collect::<Vec<_>>(),
            ),
            Column::new(
                "value".into(),
                records
                    .iter()
                    .map(|r| r.value.as_deref())
                    .collect::<Vec<_>>(),
            ),
            Column::new(
                "rule".into(),
                records.iter().map(|r| r.rule.id()).collect::<Vec<_>>(),
            ),
            Column::new(
                "message".into(),
                records
                    .iter()
                    .map(|r| r.message.as_str())
                    .collect::<Vec<_>>(),
            ),
        ],
    )
}

pub fn findings_frame(findings: &[Finding]) -> PolarsResult<DataFrame> {
    let opt = |f: fn(&Finding) -> Option<&str>| findings.iter().map(f).collect::<Vec<_>>();
    DataFrame::new(
        findings.len(),
        vec![
            Column::new(
                "table".into(),
                findings.iter().map(|f| f.table.name()).collect::<Vec<_>>(),
            ),
            Column::new(
                "rule".into(),
                findings.iter().map(|f| f.rule.id()).collect::<Vec<_>>(),
            ),
            Column::new("region_code".into(), opt(|f| f.region_code.as_deref())),
            Column::new("period".into(), opt(|f| f.period.as_deref())),
            Column::new("role".into(), opt(|f| f.role.as_deref())),
            Column::new("band".into(), opt(|f| f.band.as_deref())),
            Column::new(
                "expected".into(),
                findings.iter().map(|f| f.expected).collect::<Vec<_>>(),
            ),
            Column::new(
                "actual".into(),
                findings.iter().map(|f| f.actual).collect::<Vec<_>>(),
            ),
            Column::new(
                "message".into(),
                findings
                    .iter()
                    .map(|f| f.message.as_str())
                    .collect::<Vec<_>>(),
            ),
        ],
    )
}
