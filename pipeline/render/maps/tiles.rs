//! The province tile grid: the 34 provincial-level units (GB/T 2260's
//! first two digits) as squares of one size at their rough position, so a
//! comparison across provinces can be read as a map without any boundary
//! data — nothing here is a map, so nothing needs an approval number.
//!
//! The grid, 8 columns by 8 rows, keeps neighbours beside each other and
//! the coast in order from Liaoning to Hainan:
//!
//! ```text
//!        0     1     2     3     4     5     6     7
//! 0                                               黑龙江
//! 1                             内蒙古 北京  辽宁  吉林
//! 2     新疆              宁夏  山西  河北  天津
//! 3           青海  甘肃  陕西  河南  山东
//! 4           西藏  四川  重庆  湖北  安徽  江苏
//! 5                 云南  贵州  湖南  江西  浙江  上海
//! 6                       广西  广东  福建  台湾
//! 7                       海南  澳门  香港
//! ```

/// (code, short Chinese name, English name, column, row).
pub const TILES: [(&str, &str, &str, u8, u8); 34] = [
    ("23", "黑龙江", "Heilongjiang", 7, 0),
    ("15", "内蒙古", "Nei Mongol", 4, 1),
    ("11", "北京", "Beijing", 5, 1),
    ("21", "辽宁", "Liaoning", 6, 1),
    ("22", "吉林", "Jilin", 7, 1),
    ("65", "新疆", "Xinjiang", 0, 2),
    ("64", "宁夏", "Ningxia", 3, 2),
    ("14", "山西", "Shanxi", 4, 2),
    ("13", "河北", "Hebei", 5, 2),
    ("12", "天津", "Tianjin", 6, 2),
    ("63", "青海", "Qinghai", 1, 3),
    ("62", "甘肃", "Gansu", 2, 3),
    ("61", "陕西", "Shaanxi", 3, 3),
    ("41", "河南", "Henan", 4, 3),
    ("37", "山东", "Shandong", 5, 3),
    ("54", "西藏", "Tibet", 1, 4),
    ("51", "四川", "Sichuan", 2, 4),
    ("50", "重庆", "Chongqing", 3, 4),
    ("42", "湖北", "Hubei", 4, 4),
    ("34", "安徽", "Anhui", 5, 4),
    ("32", "江苏", "Jiangsu", 6, 4),
    ("53", "云南", "Yunnan", 2, 5),
    ("52", "贵州", "Guizhou", 3, 5),
    ("43", "湖南", "Hunan", 4, 5),
    ("36", "江西", "Jiangxi", 5, 5),
    ("33", "浙江", "Zhejiang", 6, 5),
    ("31", "上海", "Shanghai", 7, 5),
    ("45", "广西", "Guangxi", 3, 6),
    ("44", "广东", "Guangdong", 4, 6),
    ("35", "福建", "Fujian", 5, 6),
    ("71", "台湾", "Taiwan", 6, 6),
    ("46", "海南", "Hainan", 3, 7),
    ("82", "澳门", "Macao", 4, 7),
    ("81", "香港", "Hong Kong", 5, 7),
];

/// Columns and rows of the grid.
pub const GRID: (u8, u8) = (8, 8);

/// Every tile name, for the font's glyph check and the HTML's subset.
pub fn all_names() -> String {
    TILES.iter().map(|t| t.1).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_province_has_one_tile_and_no_two_share_a_cell() {
        let mut codes: Vec<&str> = TILES.iter().map(|t| t.0).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), 34);
        let mut cells: Vec<(u8, u8)> = TILES.iter().map(|t| (t.3, t.4)).collect();
        cells.sort();
        cells.dedup();
        assert_eq!(cells.len(), 34);
        assert!(TILES.iter().all(|t| t.3 < GRID.0 && t.4 < GRID.1));
    }

    /// Rough positions hold: Xinjiang west of Beijing, Hainan south of
    /// Heilongjiang, Shanghai east of Sichuan.
    #[test]
    fn the_grid_keeps_rough_geography() {
        let at = |c: &str| TILES.iter().find(|t| t.0 == c).map(|t| (t.3, t.4)).unwrap();
        assert!(at("65").0 < at("11").0);
        assert!(at("46").1 > at("23").1);
        assert!(at("31").0 > at("51").0);
    }
}
