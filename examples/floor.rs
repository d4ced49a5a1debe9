//! The bench's floor (bench/run.py `floor`): the same CSV files read by
//! polars and written as Parquet, with no validation, no quarantine and no
//! metrics — what reading and writing alone cost on this machine, which
//! govlens-same's ingest is measured against.
//!
//!     cargo run --release --example floor -- <data dir> <out dir>

use std::path::PathBuf;

use polars::prelude::*;

fn main() -> PolarsResult<()> {
    let args: Vec<String> = std::env::args().collect();
    let (data, out) = match args.as_slice() {
        [_, d, o] => (PathBuf::from(d), PathBuf::from(o)),
        _ => {
            eprintln!("usage: floor <data dir> <out dir>");
            std::process::exit(2);
        }
    };
    std::fs::create_dir_all(&out)?;
    for table in ["regions", "member_ages", "disputes", "service_usage"] {
        let mut df = CsvReadOptions::default()
            .with_has_header(true)
            .try_into_reader_with_file_path(Some(data.join(format!("{table}.csv"))))?
            .finish()?;
        let file = std::fs::File::create(out.join(format!("{table}.parquet")))?;
        ParquetWriter::new(file).finish(&mut df)?;
        println!("{table}: {} rows", df.height());
    }
    Ok(())
}
