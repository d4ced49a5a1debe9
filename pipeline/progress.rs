//! Progress bars for the long steps (reading a big file, Monte Carlo draws,
//! the DiD bootstrap), drawn on stderr only when a person is watching.
//!
//! A scheduled job's stderr is a file or a pipe: there the bars are hidden
//! (indicatif draws nothing to a target that is not a terminal), and they are
//! off altogether with `--log-format json` or `--no-progress`, so that logs
//! stay one record a line. Log lines written while bars are up go through
//! [`LogWriter`], which lifts the bars, writes the line and redraws them, so
//! the two never interleave on the screen.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

static ENABLED: AtomicBool = AtomicBool::new(true);
static MULTI: OnceLock<MultiProgress> = OnceLock::new();

/// Turns bars off (JSON logs, `--no-progress`). Call before the first bar.
pub fn disable() {
    ENABLED.store(false, Ordering::Relaxed);
}

fn multi() -> &'static MultiProgress {
    MULTI.get_or_init(|| {
        let shown = ENABLED.load(Ordering::Relaxed) && std::io::stderr().is_terminal();
        MultiProgress::with_draw_target(if shown {
            ProgressDrawTarget::stderr_with_hz(8)
        } else {
            ProgressDrawTarget::hidden()
        })
    })
}

/// What a bar counts, which decides how its position is shown.
#[derive(Debug, Clone, Copy)]
pub enum Unit {
    Bytes,
    Rows,
    Draws,
    Steps,
}

/// A bar of `len` units labelled `label`; hidden when nobody is watching.
/// Dropping it (or [`ProgressBar::finish_and_clear`]) removes it.
pub fn bar(len: u64, unit: Unit, label: impl Into<String>) -> ProgressBar {
    let template = match unit {
        Unit::Bytes => {
            "{prefix:.bold} [{bar:30}] {bytes}/{total_bytes} {binary_bytes_per_sec} eta {eta}"
        }
        Unit::Rows => "{prefix:.bold} [{bar:30}] {human_pos}/{human_len} rows eta {eta}",
        Unit::Draws => "{prefix:.bold} [{bar:30}] {human_pos}/{human_len} draws eta {eta}",
        Unit::Steps => "{prefix:.bold} [{bar:30}] {pos}/{len} {msg}",
    };
    let style = ProgressStyle::with_template(template)
        .expect("templates are fixed")
        .progress_chars("=> ");
    let pb = ProgressBar::new(len)
        .with_style(style)
        .with_prefix(label.into());
    multi().add(pb)
}

/// A `MakeWriter` for tracing: log lines lift the bars while they print.
#[derive(Clone, Copy, Default)]
pub struct LogWriter;

impl Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match MULTI.get() {
            Some(m) => m.suspend(|| std::io::stderr().write_all(buf))?,
            None => std::io::stderr().write_all(buf)?,
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for LogWriter {
    type Writer = LogWriter;
    fn make_writer(&'a self) -> LogWriter {
        LogWriter
    }
}

/// Text from inputs as one terminal line: line breaks, tabs, escape
/// sequences and other control or bidirectional-override characters are
/// shown as escapes (`\n`, `\u{1b}`), never acted on by the terminal. For
/// every message that can quote a file's bytes (a reader's error, a
/// quarantined value, a file name).
pub fn one_line(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control()
                || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}') =>
            {
                out.push_str(&format!("\\u{{{:x}}}", c as u32));
            }
            c => out.push(c),
        }
    }
    out
}

/// A method's progress ([`crate::methods::Progress`]) as a bar of `unit`s,
/// drawn as [`bar`] draws every bar: only when someone is watching.
pub struct MethodBar {
    unit: Unit,
    bar: std::sync::Mutex<Option<ProgressBar>>,
}

impl MethodBar {
    pub fn new(unit: Unit) -> MethodBar {
        MethodBar {
            unit,
            bar: std::sync::Mutex::new(None),
        }
    }
}

impl crate::methods::Progress for MethodBar {
    fn start(&self, total: u64, what: &str) {
        *self.bar.lock().expect("not poisoned") = Some(bar(total, self.unit, what.to_string()));
    }
    fn inc(&self, n: u64) {
        if let Some(b) = self.bar.lock().expect("not poisoned").as_ref() {
            b.inc(n);
        }
    }
    fn finish(&self) {
        if let Some(b) = self.bar.lock().expect("not poisoned").take() {
            b.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod one_line_tests {
    #[test]
    fn control_and_bidi_characters_are_escaped_on_one_line() {
        assert_eq!(
            super::one_line("a\nb\tc\u{1b}[31md\u{202e}e 社区"),
            "a\\nb\\tc\\u{1b}[31md\\u{202e}e 社区"
        );
    }
}
