//! `room-controller verify`: a session folder checked against its signed manifest with nothing
//! but the site's public key; with `--records`, also against the site's records, which keep
//! every segment's hash and link (the chain's head included) where the media disk cannot
//! reach them.

use anyhow::Context;
use evidence::Manifest;
use std::io::{IsTerminal, Write};
use std::path::Path;

/// Checks `dir` and prints every problem; false when there is one. `key` is the site's public
/// key (a `site-key.pub` file or its hex); `records` the site's records file.
pub fn run(dir: &Path, key: Option<&str>, records: Option<&Path>) -> anyhow::Result<bool> {
    let mut trusted = match key {
        Some(key) if Path::new(key).exists() => Some(
            std::fs::read_to_string(key)
                .with_context(|| format!("reading the site key {key}"))?
                .trim()
                .to_string(),
        ),
        Some(hex) => Some(hex.trim().to_string()),
        None => None,
    };
    let mut against_records = Vec::new();
    if let Some(records) = records {
        let store = records::Store::open(records)?;
        if trusted.is_none() {
            trusted = store.site_key()?;
        }
        against_records = compare_with_records(&store, dir)?;
    }
    let show_progress = std::io::stderr().is_terminal();
    let mut last_shown = 0u64;
    let report = evidence::verify_with_key(dir, trusted.as_deref(), |done, total| {
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
    for problem in &against_records {
        println!("PROBLEM records: {problem}");
    }
    if report.problems.is_empty() && against_records.is_empty() {
        println!(
            "OK {}: {} segments{}, {} bytes, chain head {}, {}",
            dir.display(),
            report.segments,
            if report.removed > 0 {
                format!(
                    " ({} removed after their retention period, hashes kept)",
                    report.removed
                )
            } else {
                String::new()
            },
            report.bytes,
            report.head.as_deref().unwrap_or("(empty)"),
            match (&report.signed_by, &trusted) {
                (Some(_), Some(_)) => "signed with the site's key".to_string(),
                (Some(key), None) => format!(
                    "signed with key {key} (give --key or --records to check it is the site's)"
                ),
                (None, _) => "not signed (written before signing)".to_string(),
            }
        );
        Ok(true)
    } else {
        println!(
            "FAILED {}: {} problem(s)",
            dir.display(),
            report.problems.len() + against_records.len()
        );
        Ok(false)
    }
}

/// A field batch's files as the records keep them, in the shape of a session's segments.
fn batch_segments(store: &records::Store, id: i64) -> anyhow::Result<Vec<site_api::SegmentView>> {
    let batch = store.batch(id)?;
    let timing = store.batch_timing(id)?;
    Ok(batch
        .files
        .iter()
        .zip(timing)
        .map(|(f, (start_ns, duration_ns))| site_api::SegmentView {
            track: batch.device_serial.clone(),
            seq: f.seq,
            file: f.file.clone(),
            size_bytes: f.size_bytes,
            start_ns,
            duration_ns,
            sha256: f.sha256.clone(),
            link: f.link.clone(),
            recovered: false,
            backup_sha256: None,
        })
        .collect())
}

/// What differs between the folder's manifest and the records of its session (or batch).
fn compare_with_records(store: &records::Store, dir: &Path) -> anyhow::Result<Vec<String>> {
    let manifest = Manifest::read(dir).map_err(anyhow::Error::msg)?;
    let id = manifest.session["id"]
        .as_i64()
        .context("the manifest names no session id")?;
    let kept = if manifest.session["kind"] == evidence::field_batch::BATCH_KIND {
        batch_segments(store, id)?
    } else {
        store.segments(id)?
    };
    let mut problems = Vec::new();
    for (n, seg) in kept.iter().enumerate() {
        match manifest.segments.get(n) {
            None => problems.push(format!(
                "{} is in the records of session {id} but not in the folder's manifest (removed)",
                seg.file
            )),
            Some(listed) if listed.sha256 != seg.sha256 || listed.link != seg.link => problems
                .push(format!(
                    "{}: the manifest's hash or link differs from the records'",
                    listed.file
                )),
            Some(_) => {}
        }
    }
    for extra in manifest.segments.iter().skip(kept.len()) {
        problems.push(format!(
            "{} is in the manifest but not in the records of session {id}",
            extra.file
        ));
    }
    // The records' own chain must hold: a row changed behind the triggers breaks it.
    let mut previous = evidence::GENESIS_LINK.to_string();
    for seg in &kept {
        let link = evidence::next_link(&previous, &seg.into());
        if link != seg.link {
            problems.push(format!(
                "{}: the records' own chain is broken here (a row was changed)",
                seg.file
            ));
        }
        previous = seg.link.clone();
    }
    Ok(problems)
}
