//! The bundled CJK font and its registration with plotters.
//!
//! plotters is built without its default font backend (which silently ignores
//! registered fonts and draws Chinese as boxes) and with `ab_glyph`, so PNGs
//! are drawn from the bytes registered here on any machine. SVGs carry the
//! family name as a font stack, so viewers use a CJK font they have.

use std::sync::OnceLock;

use plotters::style::{register_font, FontStyle};

/// WenQuanYi Micro Hei (Apache-2.0), see `pipeline/render/fonts/README.md`.
pub static BUNDLED: &[u8] = include_bytes!("fonts/wqy-microhei.ttf");

/// The family every chart uses: for SVG a CJK font stack, for PNG the name
/// under which the bundled (or configured) font is registered.
pub const FAMILY: &str =
    "WenQuanYi Micro Hei, Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif";

#[derive(Debug, thiserror::Error)]
pub enum FontError {
    #[error("font file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("font file {path} is not a TrueType/OpenType font")]
    Invalid { path: String },
    #[error("font {font} has no glyph for {chars} (used by {what}): pass --font with a CJK font that has them, e.g. Noto Sans CJK SC")]
    MissingGlyphs {
        font: String,
        chars: String,
        what: String,
    },
    #[error("subsetting font {font} for the HTML report: {message}")]
    Subset { font: String, message: String },
}

/// The font registered for this process and how messages name it.
static REGISTERED: OnceLock<(&'static [u8], String)> = OnceLock::new();

/// The registered font's bytes and name (the bundled one before any
/// registration).
pub fn current() -> (&'static [u8], String) {
    REGISTERED
        .get()
        .cloned()
        .unwrap_or((BUNDLED, "<bundled wqy-microhei.ttf>".into()))
}

/// Refuses text the registered font cannot draw: a report with boxes for a
/// community's name is worse than no report.
pub fn check_glyphs(text: &str, what: &str) -> Result<(), FontError> {
    let (bytes, name) = current();
    let missing = missing_glyphs(bytes, text);
    if missing.is_empty() {
        return Ok(());
    }
    Err(FontError::MissingGlyphs {
        font: name,
        chars: missing
            .iter()
            .map(|c| format!("'{c}' (U+{:04X})", *c as u32))
            .collect::<Vec<_>>()
            .join(", "),
        what: what.to_string(),
    })
}

/// The registered font cut down to the characters of `text` and compressed
/// as WOFF2, for an HTML report's `@font-face`: the page then shows its
/// Chinese on a machine without any CJK font, at a few hundred KB instead
/// of the font's 4.5 MB.
pub fn web_font(text: &str) -> Result<Vec<u8>, FontError> {
    let (bytes, name) = current();
    let chars: std::collections::HashSet<char> = text.chars().filter(|c| !c.is_control()).collect();
    fontcull::subset_font_to_woff2(bytes, &chars, &[]).map_err(|e| FontError::Subset {
        font: name,
        message: e.to_string(),
    })
}

/// Registers the font once per process: the bundled one, or `path`.
pub fn register(path: Option<&std::path::Path>) -> Result<(), FontError> {
    if REGISTERED.get().is_some() {
        return Ok(());
    }
    let (bytes, shown): (&'static [u8], String) = match path {
        None => (BUNDLED, "<bundled wqy-microhei.ttf>".into()),
        Some(p) => {
            let b = std::fs::read(p).map_err(|source| FontError::Read {
                path: p.display().to_string(),
                source,
            })?;
            (Box::leak(b.into_boxed_slice()), p.display().to_string())
        }
    };
    for style in [FontStyle::Normal, FontStyle::Bold] {
        register_font(FAMILY, style, bytes).map_err(|_| FontError::Invalid {
            path: shown.clone(),
        })?;
    }
    let _ = REGISTERED.set((bytes, shown));
    Ok(())
}

/// `font` cut down to the characters of `text`, as a TrueType font (for a
/// small font to test with, or to ship with a document).
pub fn subset(font: &[u8], text: &str) -> Result<Vec<u8>, FontError> {
    let chars: std::collections::HashSet<char> = text.chars().collect();
    fontcull::subset_font_data(font, &chars, &[]).map_err(|e| FontError::Subset {
        font: "<font bytes>".into(),
        message: e.to_string(),
    })
}

/// The characters of `text` the font has no glyph for.
pub fn missing_glyphs(font: &[u8], text: &str) -> Vec<char> {
    use ab_glyph::{Font, FontRef};
    let Ok(f) = FontRef::try_from_slice(font) else {
        return text.chars().collect();
    };
    let mut out: Vec<char> = text
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .filter(|c| f.glyph_id(*c).0 == 0)
        .collect();
    out.sort();
    out.dedup();
    out
}
