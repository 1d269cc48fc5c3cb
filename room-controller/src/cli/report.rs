//! `room-controller report`: an agency's annual report written as report.html and report.csv.

use anyhow::Context;
use hardware_profiles::Site;
use std::path::Path;

use crate::pages::{annual_report_csv, annual_report_html};

pub fn run(site: &Site, agency: &str, year: i32, out: &Path) -> anyhow::Result<()> {
    let store = crate::server::open_records(site)?;
    let report = store.annual_report(agency, year)?;
    std::fs::create_dir_all(out)
        .with_context(|| format!("making the report folder {}", out.display()))?;
    for (name, text) in [
        ("report.html", annual_report_html(&report)),
        ("report.csv", annual_report_csv(&report)),
    ] {
        let file = out.join(name);
        std::fs::write(&file, text).with_context(|| format!("writing {}", file.display()))?;
        println!("wrote {}", file.display());
    }
    Ok(())
}
