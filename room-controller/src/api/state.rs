//! What every handler of the API shares: the site, the records, each room's worker, light and
//! sources, and the live change feed.

use hardware_profiles::Site;
use site_api::{AccessPolicy, RoomView};
use std::collections::HashMap;
use std::sync::Arc;

use crate::ControllerError;
use crate::db::Db;
use crate::health::HealthBoard;
use crate::indicator::Indicator;
use crate::live::Live;
use crate::refusal_limit::RefusalLimit;
use crate::room::RoomHandle;

#[derive(Clone)]
pub struct AppState {
    pub site: Arc<Site>,
    pub db: Db,
    pub rooms: Arc<HashMap<String, RoomHandle>>,
    /// Each room's light, by room id, for its live status.
    pub lights: Arc<HashMap<String, Indicator>>,
    /// Each room's cameras and microphones, by room id, for their live status.
    pub health: Arc<HashMap<String, HealthBoard>>,
    pub live: Live,
    /// Refused attempts on recordings per token, to keep the access log from being flooded.
    pub refusals: Arc<RefusalLimit>,
    /// One permit per export that may run at once (the site file's `max_exports`).
    pub exports: Arc<tokio::sync::Semaphore>,
    /// The public half of the site's signing key, hex.
    pub site_key: Arc<str>,
    /// The desk's allowed playbacks of recordings.
    pub(crate) playbacks: crate::desk::Playbacks,
    /// Told when a document enters the exchange's outbox.
    pub exchange_wake: Arc<tokio::sync::Notify>,
    /// The collection station for body-worn cameras (empty when the site runs none).
    pub station: crate::collect::Station,
    /// Where media is kept and the key that signs manifests.
    pub storage: evidence::Storage,
}

impl AppState {
    /// The worker of room `id`.
    pub(crate) fn room(&self, id: &str) -> Result<&RoomHandle, ControllerError> {
        self.rooms
            .get(id)
            .ok_or_else(|| ControllerError::UnknownRoom(id.to_string()))
    }

    /// The access rule of an agency's recordings, from the site file.
    pub(crate) fn access_policy(&self, agency: Option<&str>) -> AccessPolicy {
        agency
            .and_then(|id| self.site.agency(id))
            .map(|a| a.access.clone())
            .unwrap_or_default()
    }

    /// Adds what only the running controller and the site file know (the light, the sources,
    /// whether pausing is allowed) to a stored room view.
    pub(crate) fn live(&self, mut room: RoomView) -> RoomView {
        room.pause_allowed = self
            .site
            .rooms
            .iter()
            .any(|spec| spec.id == room.id && spec.pause_allowed);
        room.light = self.lights.get(&room.id).map(Indicator::status);
        room.sources = self
            .health
            .get(&room.id)
            .map(HealthBoard::snapshot)
            .unwrap_or_default();
        room
    }
}
