//! Third-party readers behind `catch_unwind` (issue 26): a damaged
//! workbook or Parquet file that makes calamine or polars panic costs one
//! clear error about that file, never the run.
//!
//! The crate is built with `panic = "unwind"` (the default; a build with
//! `panic = "abort"` is refused below, and a test checks
//! it), so a reader's panic can be caught on the thread that called it —
//! rayon and polars resume a worker's panic on the caller. While any guard
//! is active, the panic hook logs the library's message (`tracing`, at
//! `info`: `--log-level info` shows it) instead of printing it; the user
//! sees only the file-level error.
//! Outside a guard the default hook runs, so a bug of govlens's own still
//! prints its panic.

// A build with `panic = "abort"` could catch nothing: every damaged file
// would abort the run again. Refuse to build it.
#[cfg(panic = "abort")]
compile_error!(
    "govlens must be built with panic = \"unwind\": ingest/guard.rs turns a reader's panic on a damaged file into an error"
);

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Once;

use super::read_error::ReadError;

/// Guards active now, on any thread.
static ACTIVE: AtomicUsize = AtomicUsize::new(0);
static HOOK: Once = Once::new();

fn install_hook() {
    HOOK.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if ACTIVE.load(Ordering::SeqCst) > 0 {
                tracing::info!(panic = %info, "a file reader panicked; the file is reported as damaged");
            } else {
                default(info);
            }
        }));
    });
}

/// Runs `f`, a call into a third-party reader of a `format` file; a panic
/// inside it becomes [`ReadError::Damaged`].
pub fn guarded<T>(
    format: &'static str,
    f: impl FnOnce() -> Result<T, ReadError>,
) -> Result<T, ReadError> {
    install_hook();
    ACTIVE.fetch_add(1, Ordering::SeqCst);
    let out = catch_unwind(AssertUnwindSafe(f));
    ACTIVE.fetch_sub(1, Ordering::SeqCst);
    out.unwrap_or_else(|payload| {
        let detail = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        tracing::info!(format, detail, "reader panic caught");
        Err(ReadError::Damaged { format })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_in_a_reader_is_a_damaged_file() {
        let r: Result<(), ReadError> = guarded("XLSX", || panic!("index out of bounds"));
        match r {
            Err(ReadError::Damaged { format }) => assert_eq!(format, "XLSX"),
            other => panic!("{other:?}"),
        }
        assert_eq!(ACTIVE.load(Ordering::SeqCst), 0);
        // And a reader that works is untouched.
        assert_eq!(guarded("XLSX", || Ok::<_, ReadError>(7)).unwrap(), 7);
    }

    #[test]
    fn the_crate_unwinds_on_panic() {
        // With panic = "abort" nothing could be caught: the guard would be a lie.
        assert!(catch_unwind(|| panic!("x")).is_err());
    }
}
