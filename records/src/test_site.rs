//! The site most unit tests start from: agencies a (甲局) and b (乙局), and interview room r1.

use crate::api::RoomKind;
use crate::{SiteAgency, SiteRoom, Store};

/// Makes `store` hold the test site, with room r1 shared by `room_agencies`.
pub(crate) fn site(store: &mut Store, room_agencies: &[&str]) {
    let agency = |id: &str, name: &str| SiteAgency {
        id: id.into(),
        name: name.into(),
    };
    store
        .sync_site(
            &[agency("a", "甲局"), agency("b", "乙局")],
            &[SiteRoom {
                id: "r1".into(),
                name: "第一询问室".into(),
                kind: RoomKind::Interview,
                agencies: room_agencies.iter().map(|a| a.to_string()).collect(),
            }],
        )
        .expect("the test site syncs");
}

/// A new records file in a temporary folder (kept while the folder lives), holding the test site.
pub(crate) fn store(room_agencies: &[&str]) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = Store::open(&dir.path().join("site.db")).expect("open");
    site(&mut store, room_agencies);
    (dir, store)
}
