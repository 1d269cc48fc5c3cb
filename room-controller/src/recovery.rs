//! Start-up recovery: sessions that were live when the controller died are closed as
//! interrupted, with every segment on disk recorded (the one that was open included, as far as
//! it was written) and their room's light turned off.

use site_api::SessionState;
use tracing::{info, warn};

use crate::ControllerError;
use crate::db::Db;
use crate::room::session_dir;
use crate::segments;
use evidence::Storage;

/// Returns the rooms whose session was interrupted, so that their lights can be reset.
pub async fn recover_interrupted(
    db: &Db,
    storage: &Storage,
) -> Result<Vec<String>, ControllerError> {
    recover(db, storage, None, "the controller stopped").await
}

/// After a room's task broke off: its live session, if any, is closed as interrupted the same
/// way (every segment on disk recorded), so that the restarted room finds it resumable.
pub async fn recover_room(
    db: &Db,
    storage: &Storage,
    room_id: &str,
) -> Result<bool, ControllerError> {
    let rooms = recover(db, storage, Some(room_id), "the room's task broke off").await?;
    Ok(!rooms.is_empty())
}

async fn recover(
    db: &Db,
    storage: &Storage,
    only_room: Option<&str>,
    why: &str,
) -> Result<Vec<String>, ControllerError> {
    let unfinished = db.read(|store| store.unfinished_sessions()).await?;
    let mut rooms = Vec::new();
    for session_id in unfinished {
        let view = db.read(move |store| store.session(session_id)).await?;
        if only_room.is_some_and(|room| room != view.room_id) {
            continue;
        }
        let dir = session_dir(&storage.media, &view.media_dir);
        let kept = segments::record_leftovers(db, session_id, &dir, storage)
            .await
            .unwrap_or_else(|err| {
                warn!(session = session_id, error = %err, "cannot record the segments left open");
                0
            });
        let note = format!(
            "录制中断：控制程序意外停止，已录内容保留，可恢复录制 / {why} while this session was {}; {} segment(s) left open were closed on recovery",
            view.state.as_str(),
            kept
        );
        db.call(move |store| store.set_state(session_id, SessionState::Interrupted, Some(&note)))
            .await?;
        segments::write_manifest(db, session_id, &dir, storage).await?;
        info!(session = session_id, room = %view.room_id, kept, "marked an interrupted session");
        rooms.push(view.room_id);
    }
    Ok(rooms)
}
