//! A table as Stata and SPSS hold it: named, labelled variables of one
//! storage kind each, value labels for coded columns, and the limits both
//! programs put on them — checked once, before any byte is written, so that
//! a file either opens or is not written (docs/export.md, "Limits").

/// A variable's values.
#[derive(Debug, Clone, PartialEq)]
pub enum Values {
    /// UTF-8 text (Stata `strN`, SPSS `A`); `None` is the empty string.
    Text(Vec<Option<String>>),
    /// Numbers (Stata `double`, SPSS `F`); `None` and non-finite values are
    /// missing (Stata `.`, SPSS system-missing).
    Number(Vec<Option<f64>>),
    /// Whole numbers in Stata's `long` range (±2,147,483,620); `None` missing.
    Integer(Vec<Option<i32>>),
    /// Codes of a value-label set (`Variable::value_labels`).
    Coded(Vec<Option<i32>>),
}

impl Values {
    pub fn len(&self) -> usize {
        match self {
            Values::Text(v) => v.len(),
            Values::Number(v) => v.len(),
            Values::Integer(v) | Values::Coded(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The share of missing values (0 for no rows).
    pub fn missing_share(&self) -> f64 {
        let n = self.len();
        if n == 0 {
            return 0.0;
        }
        let missing = match self {
            Values::Text(v) => v
                .iter()
                .filter(|x| x.as_deref().unwrap_or("").is_empty())
                .count(),
            Values::Number(v) => v.iter().filter(|x| !x.is_some_and(f64::is_finite)).count(),
            Values::Integer(v) | Values::Coded(v) => v.iter().filter(|x| x.is_none()).count(),
        };
        missing as f64 / n as f64
    }

    /// The longest text in bytes (at least 1: Stata has no `str0`).
    pub fn text_width(&self) -> usize {
        match self {
            Values::Text(v) => v
                .iter()
                .flatten()
                .map(String::len)
                .max()
                .unwrap_or(0)
                .max(1),
            _ => 0,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Variable {
    /// The legal name (export::names).
    pub name: String,
    /// The column it came from.
    pub column: String,
    /// Its label, in the export's language.
    pub label: String,
    pub values: Values,
    /// The value-label set of a `Coded` variable.
    pub value_labels: Option<String>,
}

/// A named set of code → label.
#[derive(Debug, Clone, PartialEq)]
pub struct ValueLabelSet {
    pub name: String,
    pub entries: Vec<(i32, String)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    /// The table's name (the file's stem).
    pub table: String,
    /// The dataset label: the table's title and the run.
    pub label: String,
    pub variables: Vec<Variable>,
    pub sets: Vec<ValueLabelSet>,
    pub rows: usize,
}

/// The limits of Stata 14+ (format 118) and of SPSS system files.
pub mod limits {
    /// Stata/MP's and /SE's variables (the 118 format's K is 16 bits; MP
    /// allows 120,000 only in format 119).
    pub const STATA_VARIABLES: usize = 32_767;
    /// Stata/BE's variables: a wider table is written, and the codebook says
    /// it needs Stata/SE or MP.
    pub const STATA_BE_VARIABLES: usize = 2_048;
    /// Characters of a variable label, and of a dataset label.
    pub const LABEL_CHARS: usize = 80;
    /// Bytes of a `strN` value.
    pub const STATA_STR: usize = 2_045;
    /// Bytes of an SPSS short string (longer ones would need the very-long-
    /// string segments this writer does not make).
    pub const SPSS_STR: usize = 255;
    /// Bytes of an SPSS value label.
    pub const SPSS_VALUE_LABEL: usize = 120;
    /// Bytes of an SPSS variable label.
    pub const SPSS_LABEL: usize = 255;
}

/// Why a table cannot be written as Stata or SPSS would read it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LimitError {
    #[error("table {table} has {count} columns: a Stata file holds at most {max} variables (export it as Parquet or CSV, or choose its columns with --tables)")]
    TooWide {
        table: String,
        count: usize,
        max: usize,
    },
    #[error("table {table}, column {column}: its label '{label}' is {chars} characters long; Stata allows {max}")]
    LongLabel {
        table: String,
        column: String,
        label: String,
        chars: usize,
        max: usize,
    },
    #[error("table {table}, column {column}, row {row}: a text of {bytes} bytes; {program} holds at most {max} bytes in a string variable (export it as Parquet or CSV)")]
    LongText {
        table: String,
        column: String,
        row: usize,
        bytes: usize,
        program: &'static str,
        max: usize,
    },
    #[error("table {table}, column {column}: value label '{label}' of code {code} is {bytes} bytes; SPSS allows {max}")]
    LongValueLabel {
        table: String,
        column: String,
        code: i32,
        label: String,
        bytes: usize,
        max: usize,
    },
    #[error("table {table}, column {column}: {value} at row {row} is outside Stata's long range")]
    OutOfRange {
        table: String,
        column: String,
        row: usize,
        value: i64,
    },
}

/// Which program a check is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Program {
    Stata,
    Spss,
}

impl Dataset {
    /// Every limit of `program`, in column order: the first broken is the
    /// error.
    pub fn check(&self, program: Program) -> Result<(), LimitError> {
        let table = || self.table.clone();
        if program == Program::Stata && self.variables.len() > limits::STATA_VARIABLES {
            return Err(LimitError::TooWide {
                table: table(),
                count: self.variables.len(),
                max: limits::STATA_VARIABLES,
            });
        }
        for v in &self.variables {
            let chars = v.label.chars().count();
            let too_long = match program {
                Program::Stata => chars > limits::LABEL_CHARS,
                Program::Spss => v.label.len() > limits::SPSS_LABEL,
            };
            if too_long {
                return Err(LimitError::LongLabel {
                    table: table(),
                    column: v.column.clone(),
                    label: v.label.clone(),
                    chars,
                    max: limits::LABEL_CHARS,
                });
            }
            if let Values::Text(t) = &v.values {
                let (max, name) = match program {
                    Program::Stata => (limits::STATA_STR, "Stata"),
                    Program::Spss => (limits::SPSS_STR, "SPSS"),
                };
                if let Some((row, s)) = t
                    .iter()
                    .enumerate()
                    .find_map(|(i, s)| s.as_ref().filter(|s| s.len() > max).map(|s| (i, s)))
                {
                    return Err(LimitError::LongText {
                        table: table(),
                        column: v.column.clone(),
                        row: row + 1,
                        bytes: s.len(),
                        program: name,
                        max,
                    });
                }
            }
            if program == Program::Spss {
                let set = v
                    .value_labels
                    .as_ref()
                    .and_then(|n| self.sets.iter().find(|s| &s.name == n));
                for (code, label) in set.map(|s| s.entries.as_slice()).unwrap_or_default() {
                    if label.len() > limits::SPSS_VALUE_LABEL {
                        return Err(LimitError::LongValueLabel {
                            table: table(),
                            column: v.column.clone(),
                            code: *code,
                            label: label.clone(),
                            bytes: label.len(),
                            max: limits::SPSS_VALUE_LABEL,
                        });
                    }
                }
            }
        }
        Ok(())
    }
}

/// At most `bytes` bytes of `s`, cut at a character boundary.
pub fn cut_bytes(s: &str, bytes: usize) -> &str {
    if s.len() <= bytes {
        return s;
    }
    let mut i = bytes;
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    &s[..i]
}

/// Whole numbers as `long`, or the row where one is out of its range.
pub fn longs(
    table: &str,
    column: &str,
    values: &[Option<i64>],
) -> Result<Vec<Option<i32>>, LimitError> {
    values
        .iter()
        .enumerate()
        .map(|(i, v)| match v {
            None => Ok(None),
            Some(x) if (-2_147_483_647..=2_147_483_620).contains(x) => Ok(Some(*x as i32)),
            Some(x) => Err(LimitError::OutOfRange {
                table: table.into(),
                column: column.into(),
                row: i + 1,
                value: *x,
            }),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(values: Values, label: &str) -> Dataset {
        Dataset {
            table: "t".into(),
            label: "t".into(),
            variables: vec![Variable {
                name: "x".into(),
                column: "x".into(),
                label: label.into(),
                values,
                value_labels: None,
            }],
            sets: vec![],
            rows: 1,
        }
    }

    #[test]
    fn a_label_longer_than_stata_allows_is_refused_naming_the_column() {
        let d = one(Values::Integer(vec![Some(1)]), &"长".repeat(81));
        let e = d.check(Program::Stata).unwrap_err();
        assert!(e.to_string().contains("column x"), "{e}");
        assert!(e.to_string().contains("81 characters"), "{e}");
        assert!(one(Values::Integer(vec![Some(1)]), &"长".repeat(80))
            .check(Program::Stata)
            .is_ok());
    }

    #[test]
    fn a_text_longer_than_a_string_variable_holds_is_refused_with_its_row() {
        let d = one(
            Values::Text(vec![Some("a".into()), Some("字".repeat(100))]),
            "x",
        );
        assert!(d.check(Program::Stata).is_ok());
        let e = d.check(Program::Spss).unwrap_err().to_string();
        assert!(
            e.contains("row 2") && e.contains("300 bytes") && e.contains("SPSS"),
            "{e}"
        );
    }

    #[test]
    fn a_table_wider_than_stata_allows_is_refused() {
        let mut d = one(Values::Integer(vec![Some(1)]), "x");
        d.variables = vec![d.variables[0].clone(); limits::STATA_VARIABLES + 1];
        assert!(matches!(
            d.check(Program::Stata),
            Err(LimitError::TooWide { .. })
        ));
    }

    #[test]
    fn a_whole_number_beyond_stata_s_long_range_is_refused_as_a_long() {
        assert_eq!(
            longs("t", "c", &[Some(3), None]).unwrap(),
            vec![Some(3), None]
        );
        let e = longs("t", "c", &[Some(1), Some(3_000_000_000)]).unwrap_err();
        assert!(e.to_string().contains("row 2"), "{e}");
    }
}
