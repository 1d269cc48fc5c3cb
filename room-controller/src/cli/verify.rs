//! `room-controller verify`: a session folder checked against its manifest, with no database.

use std::io::{IsTerminal, Write};
use std::path::Path;

/// Checks `dir` and prints every problem; false when there is one.
pub fn run(dir: &Path) -> bool {
    let show_progress = std::io::stderr().is_terminal();
    let mut last_shown = 0u64;
    let report = evidence::verify(dir, |done, total| {
        // A progress bar for large sessions, redrawn every 64 MiB, only on a terminal.
        if show_progress && total > 0 && (done - last_shown >= 64 << 20 || done == total) {
            last_shown = done;
            let filled = (done.min(total) * 40 / total) as usize;
            eprint!(
                "\r[{}{}] {:>3}%",
                "#".repeat(filled),
                " ".repeat(40 - filled),
                done.min(total) * 100 / total
            );
            let _ = std::io::stderr().flush();
        }
    });
    if show_progress {
        eprintln!();
    }
    for problem in &report.problems {
        println!("PROBLEM {problem}");
    }
    if report.problems.is_empty() {
        println!(
            "OK {}: {} segments, {} bytes, chain head {}",
            dir.display(),
            report.segments,
            report.bytes,
            report.head.as_deref().unwrap_or("(empty)")
        );
        true
    } else {
        println!(
            "FAILED {}: {} problem(s)",
            dir.display(),
            report.problems.len()
        );
        false
    }
}
