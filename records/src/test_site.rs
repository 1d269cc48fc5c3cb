//! The site most unit tests start from: agencies a (甲局) and b (乙局), and interview room r1.

use crate::{SiteAgency, SiteRoom, Store};
use site_api::RoomKind;

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

/// A finished session of case `number` of `agency` in room r1, recorded by `started_by`.
pub(crate) fn session(store: &mut Store, agency: &str, number: &str, started_by: &str) -> i64 {
    store
        .create_session(&crate::NewSession {
            room_id: "r1",
            agency_id: agency,
            case_number: number,
            media_dir: "r1/test",
            recorded_with: &serde_json::json!({}),
            started_by,
        })
        .expect("a session")
}

/// Describes case `number` of `agency` as its handling unit would, through `prepare_case` (as
/// an approver, so that a test may also loosen it).
pub(crate) fn describe(
    store: &mut Store,
    agency: &str,
    number: &str,
    change: site_api::PrepareCase,
) {
    let editor = crate::CaseEditor {
        who: "测试",
        approver: true,
    };
    store
        .prepare_case(agency, number, &change, editor)
        .expect("the case is described");
}
