//! Sharded runs without a scheduler: `run --shard I/N` for every shard, then
//! `combine`, against `run` on one machine. Twin folders hold the same inputs
//! and the same config, so that the two warehouses and the two run folders
//! can be compared file by file. (tests/slurm.rs does the same through Slurm.)

mod common;

use common::twin::{assert_same_outputs, copy_dir, generate, generated_config, twins};
use common::{repo, Workdir};

#[test]
fn sharded_run_equals_one_machine_byte_for_byte_on_a_multi_province_set() {
    let wd = Workdir::new();
    let gen = generate(&wd, "300");
    let regions = std::fs::read_to_string(gen.join("regions.csv")).unwrap();
    let provinces: std::collections::BTreeSet<&str> = regions
        .lines()
        .filter(|l| l.contains(",province,"))
        .map(|l| &l[..2])
        .collect();
    assert!(provinces.len() >= 3, "a multi-province set: {provinces:?}");

    let (one, sharded) = twins(&wd, &[("data", &gen)], &generated_config(""));
    let single = one.ok(&["run", "--config", "config.toml"]);
    let outs = sharded.shards(3);
    assert!(outs[0].contains("shard 0/3: rows read"), "{}", outs[0]);
    let combined = sharded.ok(&["combine", "--config", "config.toml"]);
    assert!(combined.contains("merge    ran     3 shards"), "{combined}");
    assert_same_outputs(&one, &sharded);
    // The whole run's accounting is the one machine's.
    let rows = |s: &str| {
        s.lines()
            .find(|l| l.starts_with("rows:"))
            .unwrap()
            .to_string()
    };
    assert_eq!(rows(&single), rows(&combined));

    // Nothing changed: shards and combine skip everything.
    let again = sharded.ok(&["run", "--config", "config.toml", "--shard", "1/3"]);
    assert!(again.contains("skipped"), "{again}");
    let again = sharded.ok(&["combine", "--config", "config.toml"]);
    assert_eq!(again.matches("skipped").count(), 3, "{again}");
}

#[test]
fn sharded_by_county_equals_one_machine() {
    let wd = Workdir::new();
    let gen = generate(&wd, "120");
    let config = generated_config("\n[shard]\nlevel = \"county\"\nfolder = \"parts\"\n");
    let (one, sharded) = twins(&wd, &[("data", &gen)], &config);
    one.ok(&["run", "--config", "config.toml"]);
    sharded.shards(5);
    assert!(sharded
        .dir()
        .join("parts/shard-0004-of-0005/shard.json")
        .is_file());
    sharded.ok(&["combine", "--config", "config.toml"]);
    assert_same_outputs(&one, &sharded);
}

/// Quarantine, findings (W_TOTAL, W_SHARE, W_COVERAGE, W_REFERENCE), GBK,
/// XLSX: the messy sample's every planted problem, through 4 shards.
#[test]
fn messy_sample_sharded_keeps_every_quarantined_row_and_finding() {
    let wd = Workdir::new();
    let text = std::fs::read_to_string(repo().join("configs/sample-messy.toml"))
        .unwrap()
        .replace("../datasets/", "")
        .lines()
        .map(|l| match l {
            l if l.starts_with("warehouse") => "warehouse = \"warehouse\"".to_string(),
            l if l.starts_with("output") => "output = \"out\"".to_string(),
            l => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n[compare]\ndraws = 49\n\n[index]\ndraws = 20\n";
    let (one, sharded) = twins(
        &wd,
        &[
            ("sample-messy", &repo().join("datasets/sample-messy")),
            ("reference", &repo().join("datasets/reference")),
        ],
        &text,
    );
    // One quarantined row per planted row problem (_expected.csv).
    let planted = std::fs::read_to_string(repo().join("datasets/sample-messy/_expected.csv"))
        .unwrap()
        .lines()
        .filter(|l| l.contains(",E_"))
        .count();
    let quarantined = format!("quarantined {planted}");
    let single = one.ok(&["run", "--config", "config.toml"]);
    assert!(single.contains(&quarantined), "{single}");
    sharded.shards(4);
    let combined = sharded.ok(&["combine", "--config", "config.toml"]);
    assert_same_outputs(&one, &sharded);
    assert!(combined.contains(&quarantined), "{combined}");
}

/// The persons layout makes its band counts after every file is read: they
/// sort last, by region, in one machine's order.
#[test]
fn person_records_sharded_equal_one_machine() {
    let wd = Workdir::new();
    let regions = std::fs::read_to_string(common::sample("regions.csv")).unwrap();
    let communities: Vec<&str> = regions
        .lines()
        .filter(|l| l.contains(",community,"))
        .map(|l| l.split(',').next().unwrap())
        .collect();
    let mut persons = String::from("region_code,period,role,birth_year\n");
    for (i, c) in communities.iter().enumerate() {
        for k in 0..4 {
            let year = 1950 + (i * 7 + k * 13) % 60;
            persons.push_str(&format!("{c},2023,member,{year}\n"));
        }
    }
    persons.push_str("999999999999,2023,member,1980\n"); // E_CODE: shard 0's
    wd.write("in/persons.csv", persons);
    std::fs::copy(common::sample("regions.csv"), wd.path("in/regions.csv")).unwrap();
    let config = "[run]\nwarehouse = \"warehouse\"\noutput = \"out\"\n\n\
        [sources.regions]\npath = \"in/regions.csv\"\n\n\
        [sources.member_ages]\npath = \"in/persons.csv\"\nlayout = \"persons\"\n\n\
        [compare]\ndraws = 9\n\n[index]\ndraws = 5\n\n[shard]\nlevel = \"county\"\n";
    let (one, sharded) = twins(&wd, &[("in", &wd.path("in"))], config);
    one.ok(&["run", "--config", "config.toml"]);
    sharded.shards(3);
    sharded.ok(&["combine", "--config", "config.toml"]);
    assert_same_outputs(&one, &sharded);
}

/// Published indicators are read by shard 0 whole, with their findings:
/// the combined warehouse is the one machine's.
#[test]
fn indicators_sharded_equal_one_machine() {
    let wd = Workdir::new();
    wd.write(
        "in/indicators.csv",
        "区划代码,统计期,指标,数值,单位,层级\n\
         110109001,2023,受理,10,件,总数\n\
         110109001001,2023,受理,4,件,总数\n\
         110109001061,2023,受理,5,件,总数\n\
         110109001061,2023,主动调解,6,件,其中\n\
         999999999999,2023,受理,1,件,总数\n",
    );
    for t in ["regions", "disputes"] {
        let file = format!("{t}.csv");
        std::fs::copy(common::sample(&file), wd.path(&format!("in/{file}"))).unwrap();
    }
    let config = "[run]\nwarehouse = \"warehouse\"\noutput = \"out\"\n\n\
        [sources.regions]\npath = \"in/regions.csv\"\n\n\
        [sources.disputes]\npath = \"in/disputes.csv\"\n\n\
        [sources.indicators]\npath = \"in/indicators.csv\"\n\n\
        [compare]\ndraws = 9\n\n[index]\ndraws = 5\n\n[shard]\nlevel = \"county\"\n";
    let (one, sharded) = twins(&wd, &[("in", &wd.path("in"))], config);
    let single = one.run(&["run", "--config", "config.toml"]);
    let single = String::from_utf8_lossy(&single.stdout);
    assert!(single.contains("quarantined 1"), "{single}");
    let findings = common::findings_of(&wd, "one/warehouse", "W_TOTAL");
    assert_eq!(findings.len(), 2, "{findings:?}");
    for i in 0..3 {
        sharded.run(&[
            "run",
            "--config",
            "config.toml",
            "--shard",
            &format!("{i}/3"),
        ]);
    }
    sharded.run(&["combine", "--config", "config.toml"]);
    assert_same_outputs(&one, &sharded);
}

#[test]
fn combine_refuses_an_incomplete_or_inconsistent_set_and_combines_nothing() {
    let wd = Workdir::new();
    let gen = generate(&wd, "60");
    let (_, t) = twins(&wd, &[("data", &gen)], &generated_config(""));
    let shards = t.dir().join("warehouse.shards");

    let err = t.fails(&["combine", "--config", "config.toml"]);
    assert!(err.contains("holds no shard folders"), "{err}");

    // A missing shard.
    t.ok(&["run", "--config", "config.toml", "--shard", "0/3"]);
    t.ok(&["run", "--config", "config.toml", "--shard", "2/3"]);
    let err = t.fails(&["combine", "--config", "config.toml"]);
    assert!(err.contains("shard(s) 1 of 3 missing"), "{err}");
    assert!(
        err.contains("--shard I/3") && err.contains("--only 1"),
        "{err}"
    );
    assert!(!t.dir().join("warehouse").exists(), "nothing combined");
    assert!(!t.dir().join("out").exists(), "nothing compared");

    // A shard twice: a folder copied under another shard's name.
    copy_dir(
        &shards.join("shard-0000-of-0003"),
        &shards.join("shard-0001-of-0003"),
    );
    let err = t.fails(&["combine", "--config", "config.toml"]);
    assert!(err.contains("shard 0/3 appears twice"), "{err}");
    std::fs::remove_dir_all(shards.join("shard-0001-of-0003")).unwrap();

    // Shards of another count.
    t.ok(&["run", "--config", "config.toml", "--shard", "1/3"]);
    t.ok(&["run", "--config", "config.toml", "--shard", "0/2"]);
    let err = t.fails(&["combine", "--config", "config.toml"]);
    assert!(err.contains("shards of different shard counts"), "{err}");
    std::fs::remove_dir_all(shards.join("shard-0000-of-0002")).unwrap();

    // From another version of govlens.
    let manifest = shards.join("shard-0002-of-0003/shard.json");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(
        &manifest,
        text.replace(
            &format!("\"govlens_version\": \"{}\"", env!("CARGO_PKG_VERSION")),
            "\"govlens_version\": \"0.0.1\"",
        ),
    )
    .unwrap();
    let err = t.fails(&["combine", "--config", "config.toml"]);
    assert!(err.contains("govlens version differs"), "{err}");
    assert!(err.contains("shard-0002-of-0003/shard.json"), "{err}");
    std::fs::write(&manifest, text).unwrap();

    // From another config.
    let config = t.dir().join("config.toml");
    let original = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, original.replace("seed = 7", "seed = 8")).unwrap();
    let err = t.fails(&["combine", "--config", "config.toml"]);
    assert!(
        err.contains("config (BLAKE3 of the config file) differs"),
        "{err}"
    );
    std::fs::write(&config, &original).unwrap();

    // An input changed after the shards ran.
    let disputes = t.dir().join("data/disputes.csv");
    let before = std::fs::read_to_string(&disputes).unwrap();
    std::fs::write(&disputes, format!("{before}\n")).unwrap();
    let err = t.fails(&["combine", "--config", "config.toml"]);
    assert!(err.contains("an input file changed"), "{err}");
    std::fs::write(&disputes, before).unwrap();

    assert!(!t.dir().join("warehouse").exists(), "nothing combined");
    // Whole again: combine runs.
    let out = t.ok(&["combine", "--config", "config.toml", "--check"]);
    assert!(out.contains("all 3 shards present and consistent"), "{out}");
    t.ok(&["combine", "--config", "config.toml"]);
    assert!(t.dir().join("warehouse/_manifest.json").is_file());
}

#[test]
fn bad_shard_arguments_and_folders_fail_with_one_message() {
    let wd = Workdir::new();
    let gen = generate(&wd, "30");
    let (_, t) = twins(
        &wd,
        &[("data", &gen)],
        &generated_config("\n[shard]\nfolder = \"blocked/shards\"\n"),
    );
    let err = t.fails(&["run", "--config", "config.toml", "--shard", "3/3"]);
    assert!(err.contains("numbered 0 to 2"), "{err}");
    let err = t.fails_line("run --config config.toml --shard 1/3 --period 2020");
    assert!(err.contains("cannot be used with"), "{err}");

    // The shared folder cannot be written (here: a file stands in its way).
    wd.write("sharded/blocked", "not a folder");
    let err = t.fails(&["run", "--config", "config.toml", "--shard", "0/2"]);
    assert!(
        err.contains("shared folder")
            && err.contains("blocked/shards")
            && err.contains("shard.folder"),
        "{err}"
    );
    let err = t.fails_line("slurm submit --config config.toml --shards 2");
    assert!(err.contains("shard.folder"), "{err}");

    // A shard level finer than the analysis level splits units.
    let config = t.dir().join("config.toml");
    let finer = generated_config("\n[shard]\nlevel = \"community\"\n")
        .replace("seed = 7", "seed = 7\nanalysis_level = \"street\"");
    std::fs::write(&config, finer).unwrap();
    let err = t.fails(&["run", "--config", "config.toml", "--shard", "0/2"]);
    assert!(
        err.contains("shard.level") && err.contains("finer"),
        "{err}"
    );
}

/// Without `sbatch` the scripts are still written, for submitting by hand.
#[test]
fn slurm_submit_without_sbatch_writes_the_scripts_and_says_so() {
    let wd = Workdir::new();
    let gen = generate(&wd, "30");
    let (_, t) = twins(&wd, &[("data", &gen)], &generated_config(""));
    let empty = wd.path("empty-path");
    std::fs::create_dir_all(&empty).unwrap();
    let out =
        t.wd.command(&[
            "slurm",
            "submit",
            "--config",
            "config.toml",
            "--shards",
            "4",
            "--partition",
            "short",
        ])
        .current_dir(t.dir())
        .env("PATH", &empty)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("`sbatch` was not found"), "{err}");
    let dir = t.dir().join("warehouse.shards/slurm");
    let shards = std::fs::read_to_string(dir.join("shards.sbatch")).unwrap();
    assert!(shards.contains("#SBATCH --array=0-3"), "{shards}");
    assert!(shards.contains("#SBATCH --partition=short"), "{shards}");
    assert!(
        shards.contains("--shard \"${SLURM_ARRAY_TASK_ID}/4\""),
        "{shards}"
    );
    let combine = std::fs::read_to_string(dir.join("combine.sbatch")).unwrap();
    assert!(combine.contains(" combine --config "), "{combine}");
    let submit = std::fs::read_to_string(dir.join("submit.sh")).unwrap();
    assert!(submit.contains("--dependency=afterok:"), "{submit}");
    // --dry-run writes them and submits nothing, whatever PATH holds.
    let out = t.ok_line("slurm submit --config config.toml --shards 4 --dry-run");
    assert!(out.contains("not submitted"), "{out}");
    let err = t.fails_line("slurm submit --config config.toml --shards 4 --only 4");
    assert!(err.contains("--only 4"), "{err}");
}
