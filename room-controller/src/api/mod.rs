//! The site API over HTTP (JSON). Every error answer is `{"error": "..."}` with one sentence
//! that says what happened and what to do. Every call but `/api/health` needs a token (see
//! `auth.rs`): kiosks see rooms; a clerk records and reads its own agency's sessions only.
//!
//! | method and path                   | what it does                                   |
//! |-----------------------------------|------------------------------------------------|
//! | `GET  /api/health`                | the site's name; answers when the API is up    |
//! | `GET  /api/site-key`              | the public key that signs every manifest       |
//! | `GET  /api/rooms`                 | every room and the session holding it          |
//! | `GET  /api/events`                | live changes as server-sent events (`LiveEvent`)|
//! | `GET  /api/rooms/{room}`          | one room                                       |
//! | `POST /api/rooms/{room}/sessions` | start recording a case (`StartSession`)        |
//! | `GET  /api/rooms/{room}/clerk`    | what the room's clerk panel shows (`ClerkView`)|
//! | `GET  /api/rooms/{room}/bookings` | the room's bookings (own cases' numbers only)  |
//! | `POST /api/rooms/{room}/bookings` | book the room for a case (`NewBooking`)        |
//! | `GET  /api/sessions/{id}`         | a session with its segments and events         |
//! | `POST /api/sessions/{id}/stop`    | stop; answers when every file is closed        |
//! | `POST /api/sessions/{id}/markers` | add a clerk's marker (`AddMarker`)             |
//! | `POST /api/sessions/{id}/pause`   | pause, where the room allows it                |
//! | `POST /api/sessions/{id}/resume`  | resume a paused or interrupted session         |
//! | `GET  /api/sessions/{id}/export`  | the session's package for the case file (tar)  |
//! | `GET  /api/staff[?agency=ID]`     | enforcement staff as the public may see them   |
//! | `GET  /api/staff/{id}/photo`      | a staff member's photo (JPEG or PNG)           |
//! | `GET  /api/hall`                  | the service hall: queues, windows, latest calls|
//! | `POST /api/hall/tickets`          | take a number for a service (`TakeTicket`)     |
//! | `GET  /api/hall/tickets/{id}`     | a ticket: state, people ahead, estimated wait  |
//! | `POST /api/hall/tickets/{id}/rating` | rate a finished service once (`RateService`) |
//! | `POST /api/hall/windows/{id}`     | a counter's action (`CounterAction`), staff only|
//! | `GET  /api/hall/stats[?day=D]`    | per service, window and staff; open follow-ups |
//! | `POST /api/hall/follow-ups/{ticket}` | close a bad rating's follow-up (`CloseFollowUp`) |
//! | `POST /api/sessions/{id}/access-requests` | ask to view or export a recording (`RequestAccess`) |
//! | `GET  /api/access-requests`       | the agency's requests                          |
//! | `POST /api/access-requests/{id}`  | an approver's answer (`DecideAccess`)          |
//! | `GET  /api/access-log`            | every access to recordings (read only)         |
//! | `GET  /api/cases/checklist`       | the legal review's checklist items             |
//! | `GET  /api/cases/{number}`        | a case: major?, reviews, decision, publication, archiving |
//! | `PUT  /api/cases/{number}`        | what the handling unit says (`PrepareCase`)    |
//! | `POST /api/cases/{number}/reviews`| a legal review, by its reviewer (`ReviewCase`) |
//! | `POST /api/cases/{number}/submissions[/return|/resubmit]` | 送审, 补充材料 (`SubmitForReview`, `ReturnForMaterials`) |
//! | `POST /api/cases/{number}/discussion` | a collective discussion (`RecordDiscussion`) |
//! | `POST /api/cases/{number}/steps`  | a step of the case as a text record (`RecordStep`) |
//! | `POST /api/cases/{number}/attachments` | a document of the case (PDF, JPEG, DOCX; `?name=`) |
//! | `GET  /api/cases/{number}/attachments/{id}` | the document, checked against its hash |
//! | `POST /api/cases/{number}/approval` | the head's approval (`ApproveDecision`), after a passed review |
//! | `POST /api/cases/{number}/decision` | record the decision (`RecordDecision`); a major case needs a passed review, the head's approval and its reasons |
//! | `POST /api/cases/{number}/publication` | publish, revoke, withdraw (`PublicationStep`) |
//! | `POST /api/cases/{number}/archive`| action ended, or a part archived (`ArchiveStep`)|
//! | `GET  /api/agency/due[?day&soon&agency]` | reviews, approvals, publication and archiving due; reviewer ratio |
//! | `GET  /api/hall/history[?day&after&limit]` | a day's tickets, a page at a time |
//! | `POST /api/agency/annual-report`  | hand last year's annual report to the exchange (`SendAnnualReport`) |
//! | `GET  /api/publicity`             | every agency's publicity, before and after     |
//! | `GET  /api/agency/publicity`      | every version of the agency's publicity (`?agency=` for the supervisor) |
//! | `PUT  /api/agency/publicity`      | a new version, by the publicity reviewer, in force at once (`AgencyPublicity`) |
//! | `POST /api/inspections`           | an inspection and its result (`RecordInspection`), in its batch |
//! | `POST /api/inspections/publish`   | publish a batch of results (`PublishInspections`), by the publicity reviewer |
//! | `GET  /api/devices` · `POST /api/devices` | body-worn cameras and who holds them (`NewDevice`) |
//! | `POST /api/devices/{serial}/retire` | a device no longer collected from              |
//! | `GET  /api/collect/station`       | the collection station's docks, for its screen |
//! | `GET  /api/footage[?case_number&expired]` | the agency's collected footage           |
//! | `GET  /api/footage/{id}[/media]`  | a file's record, or the file itself (logged)   |
//! | `POST /api/footage/{id}/link`     | link footage to a case (`LinkFootage`)         |
//! | `POST /api/footage/{id}/access-requests` | ask to view or export footage (`RequestAccess`) |
//! | `GET  /api/footage/batches/{id}[/export]` | a visit's batch, or its package (tar)  |
//! | `POST /api/footage/remove`        | remove expired footage, by an approver (`RemoveExpired`) |
//! | `GET  /api/footage/alarms`        | files that changed on a camera after collection|
//! | `GET  /api/openapi.json`          | this API described in OpenAPI 3.1, from the code |

use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use axum::{Json, Router};
use site_api::routes;
use std::sync::Arc;
use utoipa::OpenApi;
use utoipa_axum::{router::OpenApiRouter, routes};

pub(crate) mod access;
pub(crate) mod case_file;
pub(crate) mod cases;
mod exchange;
mod failure;
mod footage;
pub(crate) mod hall;
mod inspections;
mod publicity;
mod rooms;
pub(crate) mod sessions;
mod staff;
mod state;
pub(crate) mod submissions;

pub use failure::Failure;
pub(crate) use publicity::publicity_of;
pub use state::AppState;

/// Requests are small JSON documents; anything larger is refused before it is read.
const BODY_LIMIT: usize = 64 * 1024;

/// The API's description; the paths and types below are read from the handlers themselves.
#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "Liuhen site API",
        description = "Rooms, recorded sessions, bookings, staff and live changes of one Liuhen site. Every call but /api/health and /api/openapi.json needs a bearer token from `room-controller token issue`. Errors are {\"error\": \"...\"} with a sentence that says what to do."
    ),
    modifiers(&BearerToken),
    tags(
        (name = "site"),
        (name = "rooms", description = "rooms, their live state, bookings and the clerk panel"),
        (name = "sessions", description = "recorded sessions: start, mark, stop, resume, export; every access is logged"),
        (name = "staff", description = "enforcement staff as the public may see them"),
        (name = "hall", description = "the service hall: tickets, counters, calls and ratings (好差评)"),
        (name = "cases", description = "a case's legal review, decision, publication and archiving; the agency's due lists"),
        (name = "publicity", description = "public display of enforcement information (行政执法公示)"),
        (name = "field", description = "body-worn cameras (执法记录仪): devices, the collection station, footage"),
    )
)]
struct ApiDoc;

struct BearerToken;

impl utoipa::Modify for BearerToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("a token from `room-controller token issue`"))
                    .build(),
            ),
        );
    }
}

/// Every route together with its description, so that the two cannot drift apart.
fn documented_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(rooms::health))
        .routes(routes!(rooms::site_key))
        .routes(routes!(rooms::rooms))
        .routes(routes!(rooms::events))
        .routes(routes!(rooms::room))
        .routes(routes!(sessions::start_session))
        .routes(routes!(rooms::bookings, rooms::book_room))
        .routes(routes!(rooms::clerk_view))
        .routes(routes!(sessions::session))
        .routes(routes!(sessions::stop_session))
        .routes(routes!(sessions::add_marker))
        .routes(routes!(sessions::pause_session))
        .routes(routes!(sessions::resume_session))
        .routes(routes!(sessions::export_session))
        .routes(routes!(staff::staff))
        .routes(routes!(staff::staff_photo))
        .routes(routes!(hall::hall))
        .routes(routes!(hall::take_ticket))
        .routes(routes!(hall::ticket))
        .routes(routes!(hall::rate))
        .routes(routes!(hall::counter))
        .routes(routes!(hall::stats))
        .routes(routes!(hall::history))
        .routes(routes!(hall::close_follow_up))
        .routes(routes!(access::request_access))
        .routes(routes!(access::access_requests))
        .routes(routes!(access::decide_access))
        .routes(routes!(access::access_log))
        .routes(routes!(cases::checklist))
        .routes(routes!(cases::case, cases::prepare))
        .routes(routes!(cases::review))
        .routes(routes!(submissions::submit))
        .routes(routes!(submissions::return_for_materials))
        .routes(routes!(submissions::resubmit))
        .routes(routes!(cases::discuss))
        .routes(routes!(case_file::record_step))
        .routes(routes!(case_file::add_attachment))
        .routes(routes!(case_file::attachment))
        .routes(routes!(cases::approve))
        .routes(routes!(cases::decide))
        .routes(routes!(cases::publication))
        .routes(routes!(cases::archive))
        .routes(routes!(cases::due))
        .routes(routes!(exchange::send_annual_report))
        .routes(routes!(inspections::record_inspection))
        .routes(routes!(inspections::publish_inspections))
        .routes(routes!(publicity::publicity))
        .routes(routes!(
            publicity::agency_publicity,
            publicity::change_publicity
        ))
        .routes(routes!(footage::devices, footage::add_device))
        .routes(routes!(footage::retire_device))
        .routes(routes!(footage::station))
        .routes(routes!(footage::footage))
        .routes(routes!(footage::footage_file))
        .routes(routes!(footage::footage_media))
        .routes(routes!(footage::link_footage))
        .routes(routes!(footage::request_footage_access))
        .routes(routes!(footage::batch))
        .routes(routes!(footage::export_batch))
        .routes(routes!(footage::remove_expired))
        .routes(routes!(footage::footage_alarms))
}

/// The OpenAPI description of this API (also served at `/api/openapi.json`).
pub fn openapi() -> utoipa::openapi::OpenApi {
    documented_routes().split_for_parts().1
}

pub fn router(state: AppState) -> Router {
    let (routes, doc) = documented_routes().split_for_parts();
    let doc = Arc::new(doc);
    routes
        .route(
            routes::OPENAPI,
            get(move || async move { Json(doc.as_ref().clone()) }),
        )
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(state)
}

#[cfg(test)]
mod tests {
    use site_api::routes;

    /// Every `$ref` in the description names a schema it also holds, and every call in the
    /// module's table is described.
    #[test]
    fn the_openapi_description_is_complete_and_self_contained() {
        let doc = serde_json::to_value(super::openapi()).expect("serialises");
        let schemas = doc["components"]["schemas"].as_object().expect("schemas");
        let text = doc.to_string();
        for reference in text.split("\"$ref\":\"").skip(1) {
            let name = reference
                .split('"')
                .next()
                .and_then(|r| r.strip_prefix("#/components/schemas/"))
                .expect("a schema reference");
            assert!(
                schemas.contains_key(name),
                "{name} is referenced but not described"
            );
        }
        let paths = doc["paths"].as_object().expect("paths");
        let mut served: Vec<&str> = paths.keys().map(String::as_str).collect();
        served.push(routes::OPENAPI);
        served.sort_unstable();
        let mut written: Vec<&str> = routes::ALL.to_vec();
        written.sort_unstable();
        assert_eq!(
            served, written,
            "the routes served are the routes site_api lists"
        );
        let mut rows = 0;
        for line in include_str!("mod.rs").lines() {
            let Some(row) = line.strip_prefix("//! | `") else {
                continue;
            };
            let call = row.split('`').next().unwrap_or_default();
            let (method, path) = call.split_once(' ').expect("METHOD path");
            let path = path.trim().split('[').next().unwrap_or_default();
            if path == routes::OPENAPI {
                continue;
            }
            let method = method.to_lowercase();
            assert!(
                paths.get(path).is_some_and(|p| p.get(&method).is_some()),
                "{method} {path} is in the table but not described"
            );
            rows += 1;
        }
        assert!(rows >= 15, "the module's table was read: {rows} rows");
        assert!(doc["components"]["securitySchemes"]["token"].is_object());
    }
}
