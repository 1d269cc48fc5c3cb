//! Every route of the site API, written once: the controller declares its handlers with these
//! templates (and the OpenAPI document is generated from them), and [`crate::Client`] fills
//! them in. A `{name}` in a template is a path parameter.

pub const HEALTH: &str = "/api/health";
pub const OPENAPI: &str = "/api/openapi.json";
pub const EVENTS: &str = "/api/events";
pub const SITE_KEY: &str = "/api/site-key";

pub const ROOMS: &str = "/api/rooms";
pub const ROOM: &str = "/api/rooms/{room}";
pub const ROOM_SESSIONS: &str = "/api/rooms/{room}/sessions";
pub const ROOM_BOOKINGS: &str = "/api/rooms/{room}/bookings";
pub const ROOM_CLERK: &str = "/api/rooms/{room}/clerk";

pub const SESSION: &str = "/api/sessions/{id}";
pub const SESSION_STOP: &str = "/api/sessions/{id}/stop";
pub const SESSION_PAUSE: &str = "/api/sessions/{id}/pause";
pub const SESSION_RESUME: &str = "/api/sessions/{id}/resume";
pub const SESSION_MARKERS: &str = "/api/sessions/{id}/markers";
pub const SESSION_EXPORT: &str = "/api/sessions/{id}/export";
pub const SESSION_ACCESS_REQUESTS: &str = "/api/sessions/{id}/access-requests";

pub const ACCESS_REQUESTS: &str = "/api/access-requests";
pub const ACCESS_REQUEST: &str = "/api/access-requests/{id}";
pub const ACCESS_LOG: &str = "/api/access-log";

pub const STAFF: &str = "/api/staff";
pub const STAFF_PHOTO: &str = "/api/staff/{id}/photo";

pub const HALL: &str = "/api/hall";
pub const HALL_TICKETS: &str = "/api/hall/tickets";
pub const HALL_TICKET: &str = "/api/hall/tickets/{id}";
pub const HALL_TICKET_RATING: &str = "/api/hall/tickets/{id}/rating";
pub const HALL_WINDOW: &str = "/api/hall/windows/{id}";
pub const HALL_STATS: &str = "/api/hall/stats";
pub const HALL_HISTORY: &str = "/api/hall/history";
pub const HALL_FOLLOW_UP: &str = "/api/hall/follow-ups/{ticket}";

pub const CASE_CHECKLIST: &str = "/api/cases/checklist";
pub const CASE: &str = "/api/cases/{number}";
pub const CASE_REVIEWS: &str = "/api/cases/{number}/reviews";
pub const CASE_SUBMISSIONS: &str = "/api/cases/{number}/submissions";
pub const CASE_SUBMISSION_RETURN: &str = "/api/cases/{number}/submissions/return";
pub const CASE_SUBMISSION_RESUBMIT: &str = "/api/cases/{number}/submissions/resubmit";
pub const CASE_DISCUSSION: &str = "/api/cases/{number}/discussion";
pub const INSPECTIONS: &str = "/api/inspections";
pub const INSPECTIONS_PUBLISH: &str = "/api/inspections/publish";
pub const AGENCY_PUBLICITY: &str = "/api/agency/publicity";
pub const ANNUAL_REPORT_SEND: &str = "/api/agency/annual-report";
pub const CASE_STEPS: &str = "/api/cases/{number}/steps";
pub const CASE_ATTACHMENTS: &str = "/api/cases/{number}/attachments";
pub const CASE_ATTACHMENT: &str = "/api/cases/{number}/attachments/{id}";
pub const CASE_APPROVAL: &str = "/api/cases/{number}/approval";
pub const CASE_DECISION: &str = "/api/cases/{number}/decision";
pub const CASE_PUBLICATION: &str = "/api/cases/{number}/publication";
pub const CASE_ARCHIVE: &str = "/api/cases/{number}/archive";
pub const AGENCY_DUE: &str = "/api/agency/due";

pub const PUBLICITY: &str = "/api/publicity";

pub const DEVICES: &str = "/api/devices";
pub const DEVICE_RETIRE: &str = "/api/devices/{serial}/retire";
pub const COLLECT_STATION: &str = "/api/collect/station";
pub const FOOTAGE: &str = "/api/footage";
pub const FOOTAGE_FILE: &str = "/api/footage/{id}";
pub const FOOTAGE_MEDIA: &str = "/api/footage/{id}/media";
pub const FOOTAGE_LINK: &str = "/api/footage/{id}/link";
pub const FOOTAGE_ACCESS_REQUESTS: &str = "/api/footage/{id}/access-requests";
pub const FOOTAGE_BATCH: &str = "/api/footage/batches/{id}";
pub const FOOTAGE_BATCH_EXPORT: &str = "/api/footage/batches/{id}/export";
pub const FOOTAGE_REMOVE: &str = "/api/footage/remove";
pub const FOOTAGE_ALARMS: &str = "/api/footage/alarms";

/// Every route above, for checks that the server serves exactly these.
pub const ALL: &[&str] = &[
    HEALTH,
    OPENAPI,
    EVENTS,
    SITE_KEY,
    ROOMS,
    ROOM,
    ROOM_SESSIONS,
    ROOM_BOOKINGS,
    ROOM_CLERK,
    SESSION,
    SESSION_STOP,
    SESSION_PAUSE,
    SESSION_RESUME,
    SESSION_MARKERS,
    SESSION_EXPORT,
    SESSION_ACCESS_REQUESTS,
    ACCESS_REQUESTS,
    ACCESS_REQUEST,
    ACCESS_LOG,
    STAFF,
    STAFF_PHOTO,
    HALL,
    HALL_TICKETS,
    HALL_TICKET,
    HALL_TICKET_RATING,
    HALL_WINDOW,
    HALL_STATS,
    HALL_HISTORY,
    HALL_FOLLOW_UP,
    CASE_CHECKLIST,
    CASE,
    CASE_REVIEWS,
    CASE_SUBMISSIONS,
    CASE_SUBMISSION_RETURN,
    CASE_SUBMISSION_RESUBMIT,
    CASE_DISCUSSION,
    CASE_STEPS,
    ANNUAL_REPORT_SEND,
    AGENCY_PUBLICITY,
    INSPECTIONS,
    INSPECTIONS_PUBLISH,
    CASE_ATTACHMENTS,
    CASE_ATTACHMENT,
    CASE_APPROVAL,
    CASE_DECISION,
    CASE_PUBLICATION,
    CASE_ARCHIVE,
    AGENCY_DUE,
    PUBLICITY,
    DEVICES,
    DEVICE_RETIRE,
    COLLECT_STATION,
    FOOTAGE,
    FOOTAGE_FILE,
    FOOTAGE_MEDIA,
    FOOTAGE_LINK,
    FOOTAGE_ACCESS_REQUESTS,
    FOOTAGE_BATCH,
    FOOTAGE_BATCH_EXPORT,
    FOOTAGE_REMOVE,
    FOOTAGE_ALARMS,
];

/// A route with its one path parameter filled in, percent-encoded so that a case number such as
/// "京市监罚〔2026〕12号" or one with a '/' stays one path segment.
pub fn fill(template: &str, value: impl std::fmt::Display) -> String {
    let (Some(open), Some(close)) = (template.find('{'), template.find('}')) else {
        return template.to_string();
    };
    let value = value.to_string();
    format!(
        "{}{}{}",
        &template[..open],
        encode_segment(&value),
        &template[close + 1..]
    )
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
pub fn encode_segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_parameter_is_one_encoded_segment() {
        assert_eq!(fill(SESSION_STOP, 12), "/api/sessions/12/stop");
        assert_eq!(fill(CASE, "A/1 b"), "/api/cases/A%2F1%20b");
        assert_eq!(fill(CASE, "罚"), "/api/cases/%E7%BD%9A");
        assert_eq!(fill(HALL, 1), HALL, "a route without a parameter is kept");
    }

    #[test]
    fn every_route_is_listed_once() {
        let mut seen = std::collections::BTreeSet::new();
        for route in ALL {
            assert!(route.starts_with("/api/"), "{route}");
            assert!(seen.insert(route), "{route} listed twice");
        }
    }
}
