//! Progress bars: drawn on a terminal, never into a pipe or a log file, and
//! off with `--no-progress` and with JSON logs. A pseudo-terminal comes from
//! util-linux's `script`; where it is missing the test says so and passes,
//! except under CI.

mod common;

use std::process::Command;

use common::Workdir;

/// Runs govlens under a pseudo-terminal; returns what the terminal showed.
fn on_a_terminal(wd: &Workdir, args: &str) -> Option<String> {
    let cmd = format!("{} {args}", env!("CARGO_BIN_EXE_govlens"));
    let out = Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .current_dir(wd.path(""))
        .env("TERM", "xterm")
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).to_string())
}

#[test]
fn bars_show_on_a_terminal_and_never_in_pipes_or_json_logs() {
    let wd = Workdir::new();
    let cfg = common::sample_config(&wd, "");
    let cfg = cfg.to_str().unwrap();
    let Some(shown) = on_a_terminal(&wd, &format!("ingest --config {cfg}")) else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have util-linux's script"
        );
        eprintln!("skipped: no `script` to make a pseudo-terminal");
        return;
    };
    // A bar names the file and counts bytes.
    assert!(
        shown.contains("member_ages") && shown.contains("KiB/"),
        "{shown}"
    );
    // Into a pipe: stderr stays empty (no bars, no escape codes).
    let piped = wd.run(&["ingest", "--config", cfg]);
    assert!(piped.status.success());
    assert!(
        piped.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&piped.stderr)
    );
    // On a terminal but asked not to, or with JSON logs: no bars.
    for flags in ["--no-progress", "--log-format json"] {
        let out = on_a_terminal(&wd, &format!("ingest --config {cfg} {flags}")).unwrap();
        assert!(!out.contains("KiB/"), "{flags}: {out}");
    }
}
