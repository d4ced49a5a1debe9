//! The nothing-lost invariant as a property: for any mix of good and bad rows,
//! rows_read = rows_stored + rows_quarantined + rows_total, every good row is stored with
//! its values, and every bad row is quarantined under the rule it breaks.

use govlens::config::Config;
use govlens::ingest::{self, Mode};
use proptest::prelude::*;

const REGIONS: &str = "region_code,region_name,level,parent_code\n\
110000,北京市,province,\n110100,市辖区,city,110000\n110117,平谷区,county,110100\n\
110117001,滨河街道,street,110117\n110117001001,A社区,community,110117001\n\
110117001002,B社区,community,110117001\n";

/// A row of the disputes file and what ingest must do with it.
#[derive(Debug, Clone)]
enum Row {
    Good { received: u32, resolved: u32 },
    Bad(&'static str, &'static str),
}

fn bad_row() -> impl Strategy<Value = Row> {
    prop_oneof![
        Just(Row::Bad("E_CODE", "11011700100X,2023,x,3,2")),
        Just(Row::Bad("E_CODE", "110117001009,2023,x,3,2")),
        Just(Row::Bad("E_RANGE", "110117001001,2023,x,-3,2")),
        Just(Row::Bad("E_ORDER", "110117001001,2023,x,3,4")),
        Just(Row::Bad("E_PARSE", "110117001001,2023,x,three,2")),
        Just(Row::Bad("E_PARSE", "110117001001,2023-13x,x,3,2")),
        Just(Row::Bad("E_REQUIRED", "110117001001,,x,3,2")),
        Just(Row::Bad("E_REQUIRED", "110117001001,2023,x,,2")),
    ]
}

fn row() -> impl Strategy<Value = Row> {
    prop_oneof![
        3 => (0u32..500, 0u32..500).prop_map(|(a, b)| Row::Good { received: a.max(b), resolved: a.min(b) }),
        2 => bad_row(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn every_row_is_stored_or_quarantined(rows in proptest::collection::vec(row(), 1..60), dup in any::<bool>()) {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        std::fs::write(dir.join("regions.csv"), REGIONS).unwrap();
        let mut text = String::from("region_code,period,category,received,resolved\n");
        let mut goods = Vec::new();
        let mut bads = Vec::new();
        for (i, r) in rows.iter().enumerate() {
            match r {
                // A unique category per good row keeps keys distinct.
                Row::Good { received, resolved } => {
                    text.push_str(&format!("110117001002,2023,c{i},{received},{resolved}\n"));
                    goods.push((format!("c{i}"), *received as i64, *resolved as i64));
                }
                Row::Bad(rule, line) => {
                    text.push_str(line);
                    text.push('\n');
                    bads.push((i as u64 + 2, *rule));
                }
            }
        }
        if dup && !goods.is_empty() {
            let (c, a, b) = &goods[0];
            text.push_str(&format!("110117001002,2023年,{c},{a},{b}\n"));
            bads.push((rows.len() as u64 + 2, "E_DUPLICATE"));
        }
        std::fs::write(dir.join("d.csv"), text).unwrap();
        let cfg = Config::from_str(
            "[run]\nwarehouse = \"wh\"\noutput = \"out\"\n[sources.regions]\npath = \"regions.csv\"\n[sources.disputes]\npath = \"d.csv\"\n",
            &dir.join("c.toml"),
            dir,
        ).unwrap();
        let outcome = ingest::run(&cfg, &Mode::Ingest).unwrap();
        let f = outcome.manifest.files.iter().find(|f| f.table == "disputes").unwrap();
        prop_assert_eq!(f.rows_read, f.rows_stored + f.rows_quarantined + f.rows_total);
        prop_assert_eq!(f.rows_read as usize, goods.len() + bads.len());
        prop_assert_eq!(f.rows_stored as usize, goods.len());
        let q: Vec<(u64, &str)> = outcome.quarantine.iter().map(|q| (q.row, q.rule.id())).collect();
        prop_assert_eq!(q, bads);
        let df = govlens::warehouse::read_table(&dir.join("wh"), "disputes").unwrap();
        let cats: Vec<String> = df.column("category").unwrap().str().unwrap().iter().map(|v| v.unwrap().to_string()).collect();
        let rec: Vec<i64> = df.column("received").unwrap().i64().unwrap().iter().map(|v| v.unwrap()).collect();
        let res: Vec<i64> = df.column("resolved").unwrap().i64().unwrap().iter().map(|v| v.unwrap()).collect();
        let stored: Vec<(String, i64, i64)> = cats.into_iter().zip(rec).zip(res).map(|((c, a), b)| (c, a, b)).collect();
        prop_assert_eq!(stored, goods);
    }
}
