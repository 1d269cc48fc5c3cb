//! `room-controller check`: a site file and the profiles it names, and with `--probe` every
//! device tried the way a recording uses it.

use hardware_profiles::Site;
use std::path::Path;

/// Checks the site file and prints what it describes; with `probe`, tries every device too.
/// False when a device failed (the file itself failing is an error).
pub fn run(site_file: &Path, probe: bool) -> anyhow::Result<bool> {
    let site = Site::load(site_file)?;
    println!(
        "{}: site \"{}\" is valid: {} agencies, {} rooms",
        site_file.display(),
        site.name,
        site.agencies.len(),
        site.rooms.len()
    );
    for room in &site.rooms {
        println!(
            "  {} {}: {} camera(s), {} microphone(s), {}",
            room.id,
            room.name,
            room.cameras.len(),
            room.microphones.len(),
            room.indicator
                .as_ref()
                .map_or("no light".to_string(), |i| format!(
                    "light {}",
                    i.profile_id
                ))
        );
    }
    for window in &site.hall.windows {
        println!(
            "  window {} ({}): {}",
            window.number,
            window.name,
            window.services.join(", ")
        );
    }
    let mut all_ok = true;
    if let Some(collect) = &site.collect {
        let models: Vec<&str> = site
            .profiles
            .iter()
            .filter(|p| matches!(p.kind, hardware_profiles::ProfileKind::Bodycam(_)))
            .map(|p| p.id.as_str())
            .collect();
        println!(
            "  collection station: cameras docked under {} (models: {})",
            collect.mount_root.display(),
            models.join(", ")
        );
        if probe && !collect.mount_root.is_dir() {
            all_ok = false;
            println!(
                "  FAILED  collection station: {} is not a folder; make it (mkdir -p) or install deploy/99-liuhen-bodycam.rules, which mounts cameras there",
                collect.mount_root.display()
            );
        }
    }
    Ok(!probe || probe_devices(&site) && all_ok)
}

/// Tries every device of every room; prints a line each. False when any failed.
fn probe_devices(site: &Site) -> bool {
    let mut all_ok = true;
    let mut report = |room: &str, device: &str, result: Result<String, String>| match result {
        Ok(found) => println!("  ok      {room} {device}: {found}"),
        Err(problem) => {
            all_ok = false;
            println!("  FAILED  {room} {device}: {problem}");
        }
    };
    for room in &site.rooms {
        for camera in &room.cameras {
            let result = pipelines::check_camera(camera).map_err(|e| e.to_string());
            report(&room.id, &camera.id, result);
        }
        for mic in &room.microphones {
            let result = pipelines::check_microphone(mic)
                .map_err(|e| e.to_string())
                .and_then(|(caps, peak)| {
                    let quiet = peak < f64::from(mic.profile.silence_below_db);
                    let level = if peak > -200.0 {
                        format!("{peak:.0} dB")
                    } else {
                        "silence".to_string()
                    };
                    if quiet {
                        Err(format!(
                            "delivers sound but hears nothing (loudest {level}); check that it is switched on, unmuted and turned up"
                        ))
                    } else {
                        Ok(format!("level {level}, {caps}"))
                    }
                });
            report(&room.id, &mic.id, result);
        }
        if let Some(light) = &room.indicator {
            report(&room.id, "light", crate::indicator::probe(light));
        }
    }
    all_ok
}
