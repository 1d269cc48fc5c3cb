//! Reading how long a crash-cut segment really is means demuxing it, and a file cut at any byte
//! may trip a demuxer. So it is read in a short-lived process of its own: a file that crashes
//! or hangs the probe costs that one probe (the segment is kept and hashed, its length recorded
//! as unknown), never the controller. Once recorded, a leftover is never probed again.

use std::path::Path;
use std::time::Duration;

use tracing::warn;

/// The longest a probe may take; a demuxer caught in a loop is killed.
const PROBE_TIMEOUT: Duration = Duration::from_secs(30);

/// Set (in tests only) to a file name: the probe of that file aborts, as a crashing demuxer
/// would.
pub const CRASH_FOR_TEST: &str = "LIUHEN_TEST_CRASH_PROBE";

/// The time `file` covers, in nanoseconds, read by `room-controller media-span` in a process
/// of its own; `None` when it cannot be read (said in the log, with the file).
pub async fn media_span_ns(file: &Path) -> Option<u64> {
    let program = std::env::current_exe().ok()?;
    let mut command = tokio::process::Command::new(program);
    command
        .arg("media-span")
        .arg(file)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true);
    let outcome = tokio::time::timeout(PROBE_TIMEOUT, command.output()).await;
    let problem = match outcome {
        Err(_) => format!("it took over {} s", PROBE_TIMEOUT.as_secs()),
        Ok(Err(err)) => format!("the probe could not start: {err}"),
        Ok(Ok(out)) if out.status.success() => {
            match String::from_utf8_lossy(&out.stdout).trim().parse() {
                Ok(ns) => return Some(ns),
                Err(_) => "the probe's answer is not a number".to_string(),
            }
        }
        Ok(Ok(out)) => format!(
            "the probe {}: {}",
            crate::media_worker::describe(out.status),
            String::from_utf8_lossy(&out.stderr).trim()
        ),
    };
    warn!(file = %file.display(), %problem, "cannot read how long a recovered segment is; it is kept and hashed, its length recorded as unknown");
    None
}

/// The probe's side (`room-controller media-span FILE`): prints the nanoseconds `file` covers.
pub fn run(file: &Path) -> anyhow::Result<()> {
    if let Ok(name) = std::env::var(CRASH_FOR_TEST)
        && file
            .file_name()
            .is_some_and(|n| n.to_string_lossy() == name)
    {
        std::process::abort();
    }
    let span = pipelines::media_span(file)?;
    println!("{}", span.as_nanos());
    Ok(())
}
