//! One streaming pass over a file before it is parsed: its BLAKE3 content
//! hash (for the manifest, the run id and skip decisions) and, for CSV, which
//! encoding it is in.
//!
//! Detection is strict UTF-8 first, then GB18030 (a superset of GBK and
//! GB2312): a GBK file is almost never valid UTF-8, while UTF-8 text that is
//! also valid GB18030 is common, so the order matters. A file that is neither
//! is refused rather than decoded with replacement characters, which would
//! store mojibake silently.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use encoding_rs::{DecoderResult, GB18030};

use crate::config::Encoding;

/// What the first pass learned about a file.
#[derive(Debug, Clone)]
pub struct Probe {
    pub blake3: String,
    pub bytes: u64,
    /// `None` when the content is neither UTF-8 nor GB18030.
    pub encoding: Option<Encoding>,
}

/// Hashes `path` and, when `detect` is set, checks which encodings decode it
/// without error. Reads in 1 MiB chunks: memory does not grow with file size.
///
/// GB18030 is tried only once the bytes stop being UTF-8 (from the file's
/// start then): a UTF-8 file is UTF-8 whatever GB18030 makes of it, and
/// decoding every file twice was most of the probe's time.
pub fn probe(path: &Path, detect: bool) -> std::io::Result<Probe> {
    let mut file = File::open(path)?;
    let mut hasher = blake3::Hasher::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut bytes = 0u64;
    let mut utf8 = Utf8Check::default();
    let mut gb = GB18030.new_decoder_without_bom_handling();
    let mut gb_ok = detect;
    let mut scratch = String::with_capacity(4 << 20);
    loop {
        let n = file.read(&mut buf)?;
        let last = n == 0;
        let chunk = &buf[..n];
        hasher.update(chunk);
        let before = bytes;
        bytes += n as u64;
        if detect {
            let was_utf8 = utf8.ok || !utf8.started;
            utf8.feed(chunk, last);
            if gb_ok && !utf8.ok {
                if was_utf8 {
                    gb_ok = gb_prefix(path, before, &mut gb, &mut scratch)?;
                }
                gb_ok = gb_ok && gb_feed(&mut gb, chunk, last, &mut scratch);
            }
        }
        if last {
            break;
        }
    }
    let encoding = if !detect {
        None
    } else if utf8.ok {
        Some(Encoding::Utf8)
    } else if gb_ok {
        Some(Encoding::Gb18030)
    } else {
        None
    };
    Ok(Probe {
        blake3: hasher.finalize().to_hex().to_string(),
        bytes,
        encoding,
    })
}

/// Feeds the file's first `len` bytes to the GB18030 decoder (none of them
/// the last): whether they decode.
fn gb_prefix(
    path: &Path,
    len: u64,
    dec: &mut encoding_rs::Decoder,
    scratch: &mut String,
) -> std::io::Result<bool> {
    let mut file = File::open(path)?.take(len);
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            return Ok(true);
        }
        if !gb_feed(dec, &buf[..n], false, scratch) {
            return Ok(false);
        }
    }
}

fn gb_feed(
    dec: &mut encoding_rs::Decoder,
    mut chunk: &[u8],
    last: bool,
    scratch: &mut String,
) -> bool {
    loop {
        scratch.clear();
        let (res, read) = dec.decode_to_string_without_replacement(chunk, scratch, last);
        match res {
            DecoderResult::InputEmpty => return true,
            DecoderResult::OutputFull => chunk = &chunk[read..],
            DecoderResult::Malformed(_, _) => return false,
        }
    }
}

/// Strict UTF-8 validation across chunk boundaries.
#[derive(Default)]
struct Utf8Check {
    carry: Vec<u8>,
    ok: bool,
    started: bool,
}

impl Utf8Check {
    fn feed(&mut self, chunk: &[u8], last: bool) {
        if !self.started {
            self.ok = true;
            self.started = true;
        }
        if !self.ok {
            return;
        }
        let mut data = std::mem::take(&mut self.carry);
        data.extend_from_slice(chunk);
        match std::str::from_utf8(&data) {
            Ok(_) => {}
            Err(e) if e.error_len().is_none() && !last => {
                // An incomplete sequence at the end: keep it for the next chunk.
                self.carry = data[e.valid_up_to()..].to_vec();
            }
            Err(_) => self.ok = false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gbk_bytes_are_detected_as_gb18030_and_utf8_as_utf8() {
        let dir = tempfile::tempdir().unwrap();
        let text = "区划代码,时期\n110117,2023年\n";
        let (gbk, _, _) = GB18030.encode(text);
        let p = dir.path().join("gbk.csv");
        std::fs::write(&p, &gbk).unwrap();
        assert_eq!(probe(&p, true).unwrap().encoding, Some(Encoding::Gb18030));
        let u = dir.path().join("utf8.csv");
        std::fs::write(&u, text).unwrap();
        assert_eq!(probe(&u, true).unwrap().encoding, Some(Encoding::Utf8));
        let bad = dir.path().join("bad.csv");
        std::fs::write(&bad, [0x81u8, 0x20, 0xff, 0xff, 0x80]).unwrap();
        assert_eq!(probe(&bad, true).unwrap().encoding, None);
    }

    /// GB18030 is tried only when UTF-8 fails, from the file's start: GBK
    /// text after more than a read's worth of ASCII, and a GBK byte pair
    /// split across the chunk boundary, are still GB18030; bytes neither
    /// decodes after the ASCII are still neither.
    #[test]
    fn gbk_after_a_megabyte_of_ascii_is_gb18030() {
        let dir = tempfile::tempdir().unwrap();
        let (gbk, _, _) = GB18030.encode("平谷区,2023年\n");
        for pad in [(1 << 20) + 10, (1 << 20) - 1] {
            let mut bytes = vec![b'a'; pad];
            bytes.extend_from_slice(&gbk);
            let p = dir.path().join(format!("late-{pad}.csv"));
            std::fs::write(&p, &bytes).unwrap();
            let probe = probe(&p, true).unwrap();
            assert_eq!(probe.encoding, Some(Encoding::Gb18030), "pad {pad}");
            assert_eq!(probe.bytes, bytes.len() as u64);
        }
        let mut bad = vec![b'a'; (1 << 20) + 10];
        bad.extend_from_slice(&[0x81, 0x20, 0xff, 0xff, 0x80]);
        let p = dir.path().join("late-bad.csv");
        std::fs::write(&p, &bad).unwrap();
        assert_eq!(probe(&p, true).unwrap().encoding, None);
    }
}
