//! The province tile map: the grid of [`super::tiles`] coloured by a
//! measure, each tile's name and value in it.

use super::super::labels::{self, label, Lang};
use super::draw::{self, Fill, Label, Picture, Shape};
use super::values::{Measure, UnitData};
use super::{colour_and_legend, ink, paint, shown, tiles, title, LEGEND, TOP, WIDTH};

/// The province tile map of `m`.
pub fn tile_picture(
    data: &UnitData,
    m: Measure,
    lang: Lang,
    simulated: bool,
    covered: &std::collections::BTreeSet<String>,
) -> Picture {
    // Only the provinces the data covers (super::covered_provinces).
    let s = match shown(data, m, 2) {
        super::Shown::Numbers(v) => {
            super::Shown::Numbers(v.into_iter().filter(|(k, _)| covered.contains(k)).collect())
        }
        super::Shown::Models(v) => {
            super::Shown::Models(v.into_iter().filter(|(k, _)| covered.contains(k)).collect())
        }
    };
    let (colour, legend) = colour_and_legend(&s, m, lang);
    let footer = vec![
        label(lang, "tiles_note").to_string(),
        label(lang, "tiles_weighted").to_string(),
        match lang {
            Lang::Zh => "只给数据覆盖其半数以上区县的省份着色；其余标为无数据。".to_string(),
            Lang::En => "Only provinces whose data covers at least half of their counties are coloured; the rest show no data.".to_string(),
        },
    ];
    let height = 820.0;
    let map_h = height - TOP - draw::footer_height(footer.len());
    let map_w = WIDTH - LEGEND - 32.0;
    let side = (map_w / tiles::GRID.0 as f64).min(map_h / tiles::GRID.1 as f64);
    let left = 16.0 + (map_w - side * tiles::GRID.0 as f64) / 2.0;
    let mut shapes = Vec::new();
    let mut texts = Vec::new();
    for (code, zh, en, c, r) in tiles::TILES {
        let (x, y) = (left + side * c as f64 + 2.0, TOP + side * r as f64 + 2.0);
        let w = side - 4.0;
        let (fill, value, text) = paint(&s, code, &*colour, m, lang);
        let name = if lang == Lang::Zh { zh } else { en };
        let ink = match &fill {
            Fill::Colour(c) => ink(*c),
            Fill::NoData => (0x55, 0x55, 0x55),
        };
        shapes.push(Shape {
            id: format!("{code}0000"),
            title: format!("{name}: {text}"),
            d: format!("M{x:.1} {y:.1}h{w:.1}v{w:.1}h-{w:.1}Z"),
            fill,
            value,
        });
        texts.push(Label {
            x: x + w / 2.0,
            y: y + 18.0,
            text: labels::short(name, 12),
            size: if lang == Lang::Zh { 13.0 } else { 12.0 },
            anchor: "middle",
            colour: ink,
        });
        // The value fits its tile: the unit of a change is in the legend.
        let text = match (m, value) {
            (Measure::ResolutionChange, Some(_)) => value
                .map(|v| {
                    super::super::format::cell(
                        Some(v),
                        super::super::format::Kind::ShareChange,
                        lang,
                    )
                })
                .unwrap_or(text),
            _ => labels::short(&text, 10),
        };
        let size: f64 = if m == Measure::Model { 13.0 } else { 15.0 };
        let size = size.min((w - 6.0) / super::text_width(&text, 1.0));
        texts.push(Label {
            x: x + w / 2.0,
            y: y + w / 2.0 + 12.0,
            text,
            size,
            anchor: "middle",
            colour: ink,
        });
    }
    Picture {
        width: WIDTH,
        height,
        title: title(lang, m, data, label(lang, "by_province"), simulated),
        shapes,
        lines: Vec::new(),
        labels: texts,
        legend,
        footer,
        name: format!("tiles-{}", m.key()),
        no_data: label(lang, "no_data").into(),
    }
}
