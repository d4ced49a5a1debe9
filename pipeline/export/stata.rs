//! Stata's `.dta` format 118 (Stata 14 and later; UTF-8 throughout), little-
//! endian, as Stata's own `help dta` describes it: the XML-like section tags,
//! a map of their offsets, `strN` text, `double` and `long` numbers with
//! Stata's missing values, variable labels and value-label tables. No time
//! stamp (its field is left empty, as the format allows), so the bytes
//! depend only on the data. Read back in tests by pandas.read_stata and
//! pyreadstat (tests/export.rs).
//!
//! Written here rather than by the `dta` crate (0.6, MIT): its value-label
//! sets cannot be made outside the crate (`ValueLabelSet::new` is private),
//! and value labels are what this export is for.

use super::dataset::{cut_bytes, LimitError};
use super::dataset::{Dataset, Program, Values};

/// Stata's type codes (format 117+).
const DOUBLE: u16 = 65526;
const LONG: u16 = 65528;

/// Stata's system missing value `.` for a double (2^1023) and a long.
const MISSING_DOUBLE: u64 = 0x7FE0_0000_0000_0000;
const MISSING_LONG: i32 = 2_147_483_621;

/// Field widths of format 118.
const NAME: usize = 129;
const FORMAT: usize = 57;
const LABEL: usize = 321;

/// The file's bytes, or the limit the table breaks.
pub fn dta(d: &Dataset) -> Result<Vec<u8>, LimitError> {
    d.check(Program::Stata)?;
    let k = d.variables.len();
    let mut b: Vec<u8> = Vec::new();
    let mut map = [0u64; 14];
    b.extend_from_slice(b"<stata_dta><header><release>118</release><byteorder>LSF</byteorder><K>");
    b.extend_from_slice(&(k as u16).to_le_bytes());
    b.extend_from_slice(b"</K><N>");
    b.extend_from_slice(&(d.rows as u64).to_le_bytes());
    b.extend_from_slice(b"</N><label>");
    let label = cut(&d.label, 80);
    b.extend_from_slice(&(label.len() as u16).to_le_bytes());
    b.extend_from_slice(label.as_bytes());
    b.extend_from_slice(b"</label><timestamp>");
    b.push(0);
    b.extend_from_slice(b"</timestamp></header>");
    map[1] = b.len() as u64;
    b.extend_from_slice(b"<map>");
    let map_at = b.len();
    b.extend_from_slice(&[0u8; 14 * 8]);
    b.extend_from_slice(b"</map>");

    map[2] = b.len() as u64;
    b.extend_from_slice(b"<variable_types>");
    let widths: Vec<usize> = d.variables.iter().map(|v| width(&v.values)).collect();
    for v in &d.variables {
        let code = match &v.values {
            Values::Text(_) => v.values.text_width() as u16,
            Values::Number(_) => DOUBLE,
            Values::Integer(_) | Values::Coded(_) => LONG,
        };
        b.extend_from_slice(&code.to_le_bytes());
    }
    b.extend_from_slice(b"</variable_types>");

    map[3] = b.len() as u64;
    b.extend_from_slice(b"<varnames>");
    for v in &d.variables {
        fixed(&mut b, &v.name, NAME);
    }
    b.extend_from_slice(b"</varnames>");

    map[4] = b.len() as u64;
    b.extend_from_slice(b"<sortlist>");
    b.extend_from_slice(&vec![0u8; (k + 1) * 2]);
    b.extend_from_slice(b"</sortlist>");

    map[5] = b.len() as u64;
    b.extend_from_slice(b"<formats>");
    for v in &d.variables {
        let f = match &v.values {
            Values::Text(_) => format!("%-{}s", v.values.text_width()),
            Values::Number(_) => "%10.0g".into(),
            Values::Integer(_) | Values::Coded(_) => "%12.0g".into(),
        };
        fixed(&mut b, &f, FORMAT);
    }
    b.extend_from_slice(b"</formats>");

    map[6] = b.len() as u64;
    b.extend_from_slice(b"<value_label_names>");
    for v in &d.variables {
        fixed(&mut b, v.value_labels.as_deref().unwrap_or(""), NAME);
    }
    b.extend_from_slice(b"</value_label_names>");

    map[7] = b.len() as u64;
    b.extend_from_slice(b"<variable_labels>");
    for v in &d.variables {
        fixed(&mut b, &v.label, LABEL);
    }
    b.extend_from_slice(b"</variable_labels>");

    map[8] = b.len() as u64;
    b.extend_from_slice(b"<characteristics></characteristics>");

    map[9] = b.len() as u64;
    b.extend_from_slice(b"<data>");
    b.reserve(d.rows * widths.iter().sum::<usize>());
    for r in 0..d.rows {
        for (v, w) in d.variables.iter().zip(&widths) {
            match &v.values {
                Values::Text(t) => fixed(&mut b, t[r].as_deref().unwrap_or(""), *w),
                Values::Number(x) => {
                    let bits = match x[r] {
                        Some(f) if f.is_finite() => f.to_bits(),
                        _ => MISSING_DOUBLE,
                    };
                    b.extend_from_slice(&bits.to_le_bytes());
                }
                Values::Integer(x) | Values::Coded(x) => {
                    b.extend_from_slice(&x[r].unwrap_or(MISSING_LONG).to_le_bytes())
                }
            }
        }
    }
    b.extend_from_slice(b"</data>");

    map[10] = b.len() as u64;
    b.extend_from_slice(b"<strls></strls>");

    map[11] = b.len() as u64;
    b.extend_from_slice(b"<value_labels>");
    for set in &d.sets {
        let mut offsets = Vec::new();
        let mut text = Vec::new();
        for (_, label) in &set.entries {
            offsets.push(text.len() as i32);
            text.extend_from_slice(label.as_bytes());
            text.push(0);
        }
        let n = set.entries.len();
        let len = 8 + 8 * n + text.len();
        b.extend_from_slice(b"<lbl>");
        b.extend_from_slice(&(len as i32).to_le_bytes());
        fixed(&mut b, &set.name, NAME);
        b.extend_from_slice(&[0u8; 3]);
        b.extend_from_slice(&(n as i32).to_le_bytes());
        b.extend_from_slice(&(text.len() as i32).to_le_bytes());
        for o in &offsets {
            b.extend_from_slice(&o.to_le_bytes());
        }
        for (code, _) in &set.entries {
            b.extend_from_slice(&code.to_le_bytes());
        }
        b.extend_from_slice(&text);
        b.extend_from_slice(b"</lbl>");
    }
    b.extend_from_slice(b"</value_labels>");
    map[12] = b.len() as u64;
    b.extend_from_slice(b"</stata_dta>");
    map[13] = b.len() as u64;
    for (i, m) in map.iter().enumerate() {
        b[map_at + 8 * i..map_at + 8 * i + 8].copy_from_slice(&m.to_le_bytes());
    }
    Ok(b)
}

/// Bytes a value takes in a row.
fn width(v: &Values) -> usize {
    match v {
        Values::Text(_) => v.text_width(),
        Values::Number(_) => 8,
        Values::Integer(_) | Values::Coded(_) => 4,
    }
}

/// `s` in a field of `len` bytes, padded with NULs (the checks keep it
/// shorter; a longer one is cut at a character boundary).
fn fixed(b: &mut Vec<u8>, s: &str, len: usize) {
    let s = cut_bytes(s, len);
    b.extend_from_slice(s.as_bytes());
    b.extend(std::iter::repeat_n(0u8, len - s.len()));
}

/// At most `chars` characters.
fn cut(s: &str, chars: usize) -> &str {
    match s.char_indices().nth(chars) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

#[cfg(test)]
mod tests {
    use super::super::dataset::{ValueLabelSet, Variable};
    use super::*;

    fn sample() -> Dataset {
        Dataset {
            table: "units".into(),
            label: "单位".into(),
            variables: vec![
                Variable {
                    name: "region_name".into(),
                    column: "region_name".into(),
                    label: "名称".into(),
                    values: Values::Text(vec![Some("平谷区".into()), None]),
                    value_labels: None,
                },
                Variable {
                    name: "model".into(),
                    column: "governance_model".into(),
                    label: "治理模式".into(),
                    values: Values::Coded(vec![Some(1), None]),
                    value_labels: Some("model".into()),
                },
                Variable {
                    name: "rate".into(),
                    column: "rate".into(),
                    label: "比率".into(),
                    values: Values::Number(vec![Some(0.5), Some(f64::NAN)]),
                    value_labels: None,
                },
            ],
            sets: vec![ValueLabelSet {
                name: "model".into(),
                entries: vec![(1, "下沉型".into())],
            }],
            rows: 2,
        }
    }

    #[test]
    fn the_map_points_at_each_section_tag() {
        let b = dta(&sample()).unwrap();
        let at = |i: usize| {
            let p = b.windows(5).position(|w| w == b"<map>").unwrap() + 5 + 8 * i;
            u64::from_le_bytes(b[p..p + 8].try_into().unwrap()) as usize
        };
        for (i, tag) in [
            (2, &b"<variable_types>"[..]),
            (3, b"<varnames>"),
            (9, b"<data>"),
            (11, b"<value_labels>"),
            (12, b"</stata_dta>"),
        ] {
            assert_eq!(&b[at(i)..at(i) + tag.len()], tag, "map entry {i}");
        }
        assert_eq!(at(13), b.len());
    }

    #[test]
    fn missing_values_are_stata_s_missing() {
        let b = dta(&sample()).unwrap();
        let data = b.windows(6).position(|w| w == b"<data>").unwrap() + 6;
        // Row 2: "" (9 bytes: 平谷区), then long missing, then double missing.
        let row2 = data + 9 + 4 + 8;
        assert_eq!(&b[row2..row2 + 9], &[0u8; 9]);
        assert_eq!(
            i32::from_le_bytes(b[row2 + 9..row2 + 13].try_into().unwrap()),
            MISSING_LONG
        );
        assert_eq!(
            u64::from_le_bytes(b[row2 + 13..row2 + 21].try_into().unwrap()),
            MISSING_DOUBLE
        );
    }
}
