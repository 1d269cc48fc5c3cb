//! `room-controller publicity`: the site's public display of enforcement information written
//! as static pages, exactly what the publicity kiosk shows.

use anyhow::Context;
use hardware_profiles::Site;
use std::path::Path;

pub fn run(site: &Site, out: &Path) -> anyhow::Result<()> {
    let store = crate::server::open_records(site)?;
    let view = crate::api::publicity_of(&store, site)?;
    std::fs::create_dir_all(out)
        .with_context(|| format!("making the publicity folder {}", out.display()))?;
    for (name, html) in crate::pages::publicity_pages(&view) {
        let file = out.join(name);
        std::fs::write(&file, html).with_context(|| format!("writing {}", file.display()))?;
        println!("wrote {}", file.display());
    }
    Ok(())
}
