//! SPSS's system file (`.sav`), uncompressed, little-endian, UTF-8 (its
//! character-code record says 65001 and its encoding record `UTF-8`), as
//! PSPP's "System File Format" describes it: the file header, a variable
//! record per 8-byte segment (short names `V1`, `V2`, … with the real names
//! in the long-variable-names record), variable labels, value labels and the
//! variables they apply to, the machine integer and floating-point records,
//! the display record (nominal for text and codes, scale for numbers), the
//! dictionary's end and the cases. Read back in tests by pyreadstat.
//!
//! The header's creation date and time are SOURCE_DATE_EPOCH's, else
//! 1 January 1970: the file's bytes depend only on its data.

use super::dataset::{cut_bytes, Dataset, LimitError, Program, Values};

/// SPSS's system-missing value (−DBL_MAX) and its highest and lowest.
const SYSMIS: u64 = 0xFFEF_FFFF_FFFF_FFFF;
const HIGHEST: u64 = 0x7FEF_FFFF_FFFF_FFFF;
const LOWEST: u64 = 0xFFEF_FFFF_FFFF_FFFE;

/// Format types: A (text) and F (numbers).
const FMT_A: i32 = 1;
const FMT_F: i32 = 5;

/// The file's bytes, or the limit the table breaks.
pub fn sav(d: &Dataset, epoch_seconds: i64) -> Result<Vec<u8>, LimitError> {
    d.check(Program::Spss)?;
    let segments: Vec<usize> = d
        .variables
        .iter()
        .map(|v| match &v.values {
            Values::Text(_) => v.values.text_width().div_ceil(8),
            _ => 1,
        })
        .collect();
    let case_size: usize = segments.iter().sum();
    let mut b: Vec<u8> = Vec::new();
    let i32_ = |b: &mut Vec<u8>, x: i32| b.extend_from_slice(&x.to_le_bytes());

    // The file header.
    b.extend_from_slice(b"$FL2");
    padded(&mut b, "@(#) SPSS DATA FILE - govlens", 60);
    i32_(&mut b, 2);
    i32_(&mut b, case_size as i32);
    i32_(&mut b, 0);
    i32_(&mut b, 0);
    i32_(&mut b, d.rows as i32);
    b.extend_from_slice(&100.0f64.to_le_bytes());
    let (date, time) = stamp(epoch_seconds);
    b.extend_from_slice(date.as_bytes());
    b.extend_from_slice(time.as_bytes());
    padded(&mut b, cut_bytes(&d.label, 64), 64);
    b.extend_from_slice(&[0u8; 3]);

    // Variable records; a text of w bytes takes ceil(w / 8) segments, the
    // first named, the others continuations (type −1).
    let mut index = Vec::with_capacity(d.variables.len());
    let mut at = 1;
    for (i, (v, segs)) in d.variables.iter().zip(&segments).enumerate() {
        index.push(at);
        at += segs;
        let (kind, format) = match &v.values {
            Values::Text(_) => {
                let w = v.values.text_width() as i32;
                (w, (FMT_A << 16) | (w << 8))
            }
            Values::Number(_) => (0, (FMT_F << 16) | (12 << 8) | 4),
            Values::Integer(_) | Values::Coded(_) => (0, (FMT_F << 16) | (11 << 8)),
        };
        i32_(&mut b, 2);
        i32_(&mut b, kind);
        i32_(&mut b, i32::from(!v.label.is_empty()));
        i32_(&mut b, 0);
        i32_(&mut b, format);
        i32_(&mut b, format);
        padded(&mut b, &short_name(i), 8);
        if !v.label.is_empty() {
            i32_(&mut b, v.label.len() as i32);
            b.extend_from_slice(v.label.as_bytes());
            b.extend(std::iter::repeat_n(
                b' ',
                v.label.len().next_multiple_of(4) - v.label.len(),
            ));
        }
        for _ in 1..*segs {
            i32_(&mut b, 2);
            i32_(&mut b, -1);
            b.extend_from_slice(&[0u8; 16]);
            padded(&mut b, "", 8);
        }
    }

    // Value labels (type 3) and the variables they apply to (type 4).
    for set in &d.sets {
        let users: Vec<i32> = d
            .variables
            .iter()
            .zip(&index)
            .filter(|(v, _)| v.value_labels.as_deref() == Some(set.name.as_str()))
            .map(|(_, i)| *i as i32)
            .collect();
        if users.is_empty() || set.entries.is_empty() {
            continue;
        }
        i32_(&mut b, 3);
        i32_(&mut b, set.entries.len() as i32);
        for (code, label) in &set.entries {
            b.extend_from_slice(&f64::from(*code).to_le_bytes());
            b.push(label.len() as u8);
            b.extend_from_slice(label.as_bytes());
            let used = 1 + label.len();
            b.extend(std::iter::repeat_n(b' ', used.next_multiple_of(8) - used));
        }
        i32_(&mut b, 4);
        i32_(&mut b, users.len() as i32);
        for u in users {
            i32_(&mut b, u);
        }
    }

    // Machine integer info: version 1.0.0, IEEE, little-endian, UTF-8.
    info(&mut b, 3, 4, 8);
    for x in [1, 0, 0, -1, 1, 1, 2, 65001] {
        i32_(&mut b, x);
    }
    // Machine floating-point info.
    info(&mut b, 4, 8, 3);
    for x in [SYSMIS, HIGHEST, LOWEST] {
        b.extend_from_slice(&x.to_le_bytes());
    }
    // Display: measure (1 nominal, 3 scale), width, alignment (0 left, 1 right).
    info(&mut b, 11, 4, 3 * d.variables.len());
    for v in &d.variables {
        let (measure, width, align) = match &v.values {
            Values::Text(_) => (1, v.values.text_width().clamp(8, 40) as i32, 0),
            Values::Coded(_) => (1, 10, 1),
            Values::Number(_) | Values::Integer(_) => (3, 12, 1),
        };
        for x in [measure, width, align] {
            i32_(&mut b, x);
        }
    }
    // Long variable names: V1=region_code<TAB>V2=…
    let names = d
        .variables
        .iter()
        .enumerate()
        .map(|(i, v)| format!("{}={}", short_name(i), v.name))
        .collect::<Vec<_>>()
        .join("\t");
    info(&mut b, 13, 1, names.len());
    b.extend_from_slice(names.as_bytes());
    // The character encoding.
    info(&mut b, 20, 1, 5);
    b.extend_from_slice(b"UTF-8");
    // The dictionary's end.
    i32_(&mut b, 999);
    i32_(&mut b, 0);

    // The cases.
    b.reserve(d.rows * case_size * 8);
    for r in 0..d.rows {
        for (v, segs) in d.variables.iter().zip(&segments) {
            match &v.values {
                Values::Text(t) => padded(&mut b, t[r].as_deref().unwrap_or(""), segs * 8),
                Values::Number(x) => {
                    let bits = match x[r] {
                        Some(f) if f.is_finite() => f.to_bits(),
                        _ => SYSMIS,
                    };
                    b.extend_from_slice(&bits.to_le_bytes());
                }
                Values::Integer(x) | Values::Coded(x) => {
                    let bits = x[r].map_or(SYSMIS, |n| f64::from(n).to_bits());
                    b.extend_from_slice(&bits.to_le_bytes());
                }
            }
        }
    }
    Ok(b)
}

/// `V1`, `V2`, …: the 8-byte names the long-names record maps.
fn short_name(i: usize) -> String {
    format!("V{}", i + 1)
}

/// A type-7 record's header: subtype, element size, count.
fn info(b: &mut Vec<u8>, subtype: i32, size: i32, count: usize) {
    for x in [7, subtype, size, count as i32] {
        b.extend_from_slice(&x.to_le_bytes());
    }
}

/// `s` in `len` bytes, padded with spaces.
fn padded(b: &mut Vec<u8>, s: &str, len: usize) {
    let s = cut_bytes(s, len);
    b.extend_from_slice(s.as_bytes());
    b.extend(std::iter::repeat_n(b' ', len - s.len()));
}

/// "dd Mon yy" and "hh:mm:ss" of a Unix time (UTC).
fn stamp(epoch_seconds: i64) -> (String, String) {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let d = crate::contract::grammar::date_of_days(epoch_seconds.div_euclid(86_400));
    let secs = epoch_seconds.rem_euclid(86_400);
    (
        format!(
            "{:02} {} {:02}",
            d.day,
            MONTHS[(d.month - 1) as usize],
            d.year.rem_euclid(100)
        ),
        format!(
            "{:02}:{:02}:{:02}",
            secs / 3600,
            secs % 3600 / 60,
            secs % 60
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_stamp_is_a_calendar_date() {
        assert_eq!(stamp(0), ("01 Jan 70".into(), "00:00:00".into()));
        // 2026-12-03 15:30:00 UTC
        assert_eq!(
            stamp(1_796_311_800),
            ("03 Dec 26".into(), "15:30:00".into())
        );
        assert_eq!(stamp(951_782_400), ("29 Feb 00".into(), "00:00:00".into()));
    }
}
