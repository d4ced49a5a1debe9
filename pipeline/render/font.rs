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
}

static REGISTERED: OnceLock<()> = OnceLock::new();

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
    let _ = REGISTERED.set(());
    Ok(())
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
