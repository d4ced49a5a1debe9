//! One picture of a map — shapes, lines, labels, legend, the lines under
//! it — written as SVG by hand (each region one `<path>` with its code as
//! `id`, its name and value as the `<title>` tooltip and `data-value`) and
//! rasterised to PNG from that same SVG by resvg with the registered font,
//! so the two files cannot disagree. Every text from the data is escaped.

use std::fmt::Write;

/// An sRGB colour.
pub type Rgb = (u8, u8, u8);

/// How a shape is filled.
#[derive(Debug, Clone, PartialEq)]
pub enum Fill {
    Colour(Rgb),
    /// Hatched grey: a region without data.
    NoData,
}

/// A region (or tile): its path data in page coordinates.
#[derive(Debug, Clone)]
pub struct Shape {
    pub id: String,
    pub title: String,
    pub d: String,
    pub fill: Fill,
    pub value: Option<f64>,
}

/// A text on the page.
#[derive(Debug, Clone)]
pub struct Label {
    pub x: f64,
    pub y: f64,
    pub text: String,
    pub size: f64,
    /// "start", "middle" or "end".
    pub anchor: &'static str,
    pub colour: Rgb,
}

/// The legend: a colour ramp with ticks, or categories.
#[derive(Debug, Clone)]
pub enum Legend {
    Ramp {
        stops: Vec<Rgb>,
        ticks: Vec<(f64, String)>,
    },
    Categories(Vec<(String, Rgb)>),
}

/// A whole map.
#[derive(Debug, Clone)]
pub struct Picture {
    pub width: f64,
    pub height: f64,
    pub title: String,
    pub shapes: Vec<Shape>,
    /// Polylines drawn over the regions (boundary lines, 九段线).
    pub lines: Vec<String>,
    pub labels: Vec<Label>,
    pub legend: Legend,
    /// Lines printed under the map: the source, "schematic, not a map",
    /// how values were aggregated, what had no data.
    pub footer: Vec<String>,
    /// Makes the hatch pattern's id unique when several SVGs share a page.
    pub name: String,
    /// The legend's words for the hatch ("无数据", "no data").
    pub no_data: String,
}

/// Sequential (YlGnBu) and diverging (RdBu) ramps, ColorBrewer's, both
/// readable by the colour-blind.
pub const SEQUENTIAL: [Rgb; 6] = [
    (0xff, 0xff, 0xcc),
    (0xc7, 0xe9, 0xb4),
    (0x7f, 0xcd, 0xbb),
    (0x41, 0xb6, 0xc4),
    (0x2c, 0x7f, 0xb8),
    (0x25, 0x34, 0x94),
];
pub const DIVERGING: [Rgb; 7] = [
    (0xb2, 0x18, 0x2b),
    (0xef, 0x8a, 0x62),
    (0xfd, 0xdb, 0xc7),
    (0xf7, 0xf7, 0xf7),
    (0xd1, 0xe5, 0xf0),
    (0x67, 0xa9, 0xcf),
    (0x21, 0x66, 0xac),
];

/// The colour at t ∈ [0, 1] along `stops`, linearly between them.
pub fn ramp(stops: &[Rgb], t: f64) -> Rgb {
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let n = stops.len() - 1;
    let x = t * n as f64;
    let i = (x.floor() as usize).min(n - 1);
    let f = x - i as f64;
    let mix = |a: u8, b: u8| (a as f64 + (b as f64 - a as f64) * f).round() as u8;
    let (a, b) = (stops[i], stops[i + 1]);
    (mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// XML text: the five characters that could make markup escaped.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&apos;"),
            c if c.is_control() && c != '\n' && c != '\t' => {}
            c => o.push(c),
        }
    }
    o
}

fn hex((r, g, b): Rgb) -> String {
    format!("#{r:02x}{g:02x}{b:02x}")
}

/// The font stack every map's text uses (the charts' own).
const FONT: &str = super::super::font::FAMILY;

/// Height of the band under the map for `footer` lines.
pub fn footer_height(lines: usize) -> f64 {
    18.0 * lines as f64 + 12.0
}

/// The SVG of `p`.
pub fn svg(p: &Picture) -> String {
    let (w, h) = (p.width, p.height);
    let hatch = format!("nodata-{}", p.name);
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" font-family=\"{FONT}\">\n\
         <defs><pattern id=\"{hatch}\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">\
         <rect width=\"6\" height=\"6\" fill=\"#eeeeee\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#b0b0b0\" stroke-width=\"2\"/></pattern></defs>\n\
         <rect width=\"{w}\" height=\"{h}\" fill=\"#ffffff\"/>\n"
    );
    let _ = writeln!(
        s,
        "<text x=\"{}\" y=\"30\" font-size=\"20\" text-anchor=\"middle\" fill=\"#222222\">{}</text>",
        w / 2.0,
        esc(&p.title)
    );
    s.push_str("<g stroke=\"#ffffff\" stroke-width=\"0.8\" stroke-linejoin=\"round\">\n");
    for sh in &p.shapes {
        let fill = match &sh.fill {
            Fill::Colour(c) => hex(*c),
            Fill::NoData => format!("url(#{hatch})"),
        };
        let value = sh
            .value
            .map(|v| format!(" data-value=\"{v}\""))
            .unwrap_or_default();
        let _ = writeln!(
            s,
            "<path id=\"{}\" d=\"{}\" fill=\"{fill}\" fill-rule=\"evenodd\"{value}><title>{}</title></path>",
            esc(&sh.id),
            sh.d,
            esc(&sh.title)
        );
    }
    s.push_str("</g>\n");
    for l in &p.lines {
        let _ = writeln!(
            s,
            "<path d=\"{l}\" fill=\"none\" stroke=\"#555555\" stroke-width=\"1\"/>"
        );
    }
    for l in &p.labels {
        let _ = writeln!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"{}\" text-anchor=\"{}\" fill=\"{}\">{}</text>",
            l.x,
            l.y,
            l.size,
            l.anchor,
            hex(l.colour),
            esc(&l.text)
        );
    }
    legend(&mut s, p);
    let top = h - footer_height(p.footer.len()) + 14.0;
    for (i, line) in p.footer.iter().enumerate() {
        let _ = writeln!(
            s,
            "<text x=\"16\" y=\"{:.1}\" font-size=\"13\" fill=\"#444444\">{}</text>",
            top + 18.0 * i as f64,
            esc(line)
        );
    }
    s.push_str("</svg>\n");
    s
}

/// The legend at the map's right edge.
fn legend(s: &mut String, p: &Picture) {
    let x = p.width - 150.0;
    let y = 70.0;
    match &p.legend {
        Legend::Ramp { stops, ticks } => {
            let (bw, bh) = (18.0, 200.0);
            let _ = write!(
                s,
                "<defs><linearGradient id=\"ramp-{}\" x1=\"0\" y1=\"1\" x2=\"0\" y2=\"0\">",
                p.name
            );
            for (i, c) in stops.iter().enumerate() {
                let _ = write!(
                    s,
                    "<stop offset=\"{:.3}\" stop-color=\"{}\"/>",
                    i as f64 / (stops.len() - 1) as f64,
                    hex(*c)
                );
            }
            s.push_str("</linearGradient></defs>\n");
            let _ = writeln!(
                s,
                "<rect x=\"{x}\" y=\"{y}\" width=\"{bw}\" height=\"{bh}\" fill=\"url(#ramp-{})\" stroke=\"#888888\" stroke-width=\"0.5\"/>",
                p.name
            );
            for (t, text) in ticks {
                let ty = y + bh * (1.0 - t);
                let _ = writeln!(
                    s,
                    "<line x1=\"{}\" y1=\"{ty:.1}\" x2=\"{}\" y2=\"{ty:.1}\" stroke=\"#444444\"/><text x=\"{}\" y=\"{:.1}\" font-size=\"13\" fill=\"#222222\">{}</text>",
                    x + bw,
                    x + bw + 5.0,
                    x + bw + 8.0,
                    ty + 4.5,
                    esc(text)
                );
            }
            hatch_key(s, p, x, y + bh + 16.0);
        }
        Legend::Categories(items) => {
            for (i, (name, c)) in items.iter().enumerate() {
                let iy = y + 24.0 * i as f64;
                let _ = writeln!(
                    s,
                    "<rect x=\"{x}\" y=\"{iy}\" width=\"18\" height=\"16\" fill=\"{}\"/><text x=\"{}\" y=\"{:.1}\" font-size=\"14\" fill=\"#222222\">{}</text>",
                    hex(*c),
                    x + 24.0,
                    iy + 13.0,
                    esc(name)
                );
            }
            hatch_key(s, p, x, y + 24.0 * items.len() as f64 + 4.0);
        }
    }
}

/// The "no data" key, when some shape has none.
fn hatch_key(s: &mut String, p: &Picture, x: f64, y: f64) {
    if !p.shapes.iter().any(|sh| sh.fill == Fill::NoData) {
        return;
    }
    let _ = writeln!(
        s,
        "<rect x=\"{x}\" y=\"{y}\" width=\"18\" height=\"16\" fill=\"url(#nodata-{})\" stroke=\"#888888\" stroke-width=\"0.5\"/><text x=\"{}\" y=\"{:.1}\" font-size=\"14\" fill=\"#222222\">{}</text>",
        p.name,
        x + 24.0,
        y + 13.0,
        esc(&p.no_data)
    );
}

/// The PNG of an SVG written by [`svg`], drawn with `font` (the
/// registered font's bytes).
pub fn png(svg: &str, font: &[u8]) -> Result<Vec<u8>, String> {
    let mut opt = resvg::usvg::Options {
        font_family: "WenQuanYi Micro Hei".into(),
        ..Default::default()
    };
    opt.fontdb_mut().load_font_data(font.to_vec());
    if let Some(face) = opt.fontdb.faces().next() {
        if let Some((family, _)) = face.families.first() {
            opt.font_family = family.clone();
        }
    }
    // The registered font answers every family the SVG asks for.
    let family = opt.font_family.clone();
    let db = opt.fontdb_mut();
    db.set_sans_serif_family(family.clone());
    let tree = resvg::usvg::Tree::from_str(svg, &opt).map_err(|e| e.to_string())?;
    let size = tree.size().to_int_size();
    let mut pixmap =
        resvg::tiny_skia::Pixmap::new(size.width(), size.height()).ok_or("an empty picture")?;
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::default(),
        &mut pixmap.as_mut(),
    );
    pixmap.encode_png().map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ramps_run_from_their_first_stop_to_their_last() {
        assert_eq!(ramp(&SEQUENTIAL, 0.0), SEQUENTIAL[0]);
        assert_eq!(ramp(&SEQUENTIAL, 1.0), SEQUENTIAL[5]);
        assert_eq!(ramp(&DIVERGING, 0.5), DIVERGING[3]);
    }

    #[test]
    fn markup_in_a_name_stays_text() {
        assert_eq!(esc("<b>&\"'"), "&lt;b&gt;&amp;&quot;&apos;");
    }
}
