//! `<folder>.lock`: one process at a time publishes a folder (the warehouse,
//! a validation report). `govlens run`, `combine`, `ingest` and `validate`
//! take it before they read what they will replace and hold it until they
//! have published (docs/operations.md).
//!
//! The lock is an advisory `flock(2)` on the lock file, which also names its
//! holder's process id for people and for other programs. The kernel drops
//! the `flock` when its holder dies, so a lock left by a killed process is
//! taken over by the next one (with a note), and two waiters can never both
//! take over: the takeover happens under the `flock`. A file naming a live
//! process that does not hold the `flock` (a script's, or an older govlens's)
//! is respected as a lock all the same. A second process waits up to
//! `run.lock_timeout` seconds, then gives up with [`LockError::Locked`]
//! (exit 4).

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::os::unix::fs::MetadataExt;
use std::os::unix::io::AsRawFd;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("{target} is locked by process {pid} (lock file {lock}); waited {waited} s: another govlens is using it, so try again when it has finished, or raise [run] lock_timeout (if process {pid} is not govlens, delete the lock file)")]
    Locked {
        target: String,
        pid: String,
        lock: String,
        waited: u64,
    },
    #[error("lock file {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

/// A held lock: the file is removed, then the `flock` released, when it is
/// dropped.
#[derive(Debug)]
pub struct Lock {
    path: PathBuf,
    _file: File,
}

impl Drop for Lock {
    fn drop(&mut self) {
        // Removed while still locked: a waiter that opened this file will
        // find, once it gets the flock, that the path no longer names it,
        // and start again on a fresh one.
        let _ = std::fs::remove_file(&self.path);
    }
}

/// The lock file of `target`: `<target>.lock` beside it.
pub fn path_of(target: &Path) -> PathBuf {
    PathBuf::from(format!("{}.lock", target.display()))
}

fn alive(pid: &str) -> bool {
    pid.trim()
        .parse::<u32>()
        .is_ok_and(|p| Path::new(&format!("/proc/{p}")).exists())
}

/// `flock(LOCK_EX | LOCK_NB)`: true when taken.
fn try_flock(f: &File) -> bool {
    // SAFETY: flock on a file descriptor this process owns.
    unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) == 0 }
}

/// Whether `path` still names the file `f` has open.
fn still_named(f: &File, path: &Path) -> bool {
    match (f.metadata(), std::fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.ino() == b.ino() && a.dev() == b.dev(),
        _ => false,
    }
}

/// Takes `<target>.lock`, waiting up to `timeout`. `notes` gets a line when
/// it waits or takes over a lock whose process is gone.
pub fn take(target: &Path, timeout: Duration, notes: &mut Vec<String>) -> Result<Lock, LockError> {
    let path = path_of(target);
    let err = |source| LockError::Io {
        path: path.display().to_string(),
        source,
    };
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(err)?;
    }
    let me = std::process::id().to_string();
    let start = Instant::now();
    let mut waited = false;
    loop {
        let mut f = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(err)?;
        let mut holder = String::new();
        let _ = f.read_to_string(&mut holder);
        let holder = holder.trim().to_string();
        if try_flock(&f) {
            if !still_named(&f, &path) {
                continue; // its holder removed it as we opened it: again
            }
            // Read again under the flock: what the last holder left.
            let mut named = String::new();
            f.rewind().map_err(err)?;
            let _ = f.read_to_string(&mut named);
            let named = named.trim().to_string();
            let foreign = !named.is_empty() && named != me && alive(&named);
            if !foreign {
                if !named.is_empty() && named != me {
                    notes.push(format!(
                        "took over the lock {} left by process {named}, which is gone",
                        path.display()
                    ));
                }
                f.set_len(0).map_err(err)?;
                f.rewind().map_err(err)?;
                writeln!(f, "{me}").map_err(err)?;
                f.sync_all().map_err(err)?;
                return Ok(Lock { path, _file: f });
            }
            // A live process named in the file, without the flock: a
            // script's lock or an older govlens's. Wait for it like any.
            drop(f);
        }
        if start.elapsed() >= timeout {
            return Err(LockError::Locked {
                target: target.display().to_string(),
                pid: holder,
                lock: path.display().to_string(),
                waited: start.elapsed().as_secs(),
            });
        }
        if !waited {
            notes.push(format!(
                "waiting up to {} s for the lock held by process {holder}",
                timeout.as_secs()
            ));
            waited = true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lock_is_exclusive_and_released_when_dropped() {
        let dir = std::env::temp_dir().join(format!("govlens-lock-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let target = dir.join("warehouse");
        let mut notes = Vec::new();
        let held = take(&target, Duration::ZERO, &mut notes).unwrap();
        // Another open file description of the same lock cannot take it.
        let f = File::open(path_of(&target)).unwrap();
        assert!(!try_flock(&f));
        drop(f);
        drop(held);
        assert!(!path_of(&target).exists());
        let again = take(&target, Duration::ZERO, &mut notes).unwrap();
        drop(again);
        assert!(notes.is_empty(), "{notes:?}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_dead_holder_is_taken_over_with_a_note() {
        let dir = std::env::temp_dir().join(format!("govlens-lock-dead-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let target = dir.join("warehouse");
        std::fs::write(path_of(&target), "999999999\n").unwrap();
        let mut notes = Vec::new();
        let held = take(&target, Duration::ZERO, &mut notes).unwrap();
        assert!(notes[0].contains("left by process 999999999"), "{notes:?}");
        drop(held);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
