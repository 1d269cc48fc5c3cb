//! The rules of the records that refuse a request as things stand, one variant each, so that
//! callers (the API, the CLI) tell them apart by type and never by their words.

/// A request that a rule of the records refuses as things stand: a room held or not shared, a
/// session not recording, a case's review, decision or publication out of order, a hall ticket
/// in the wrong state. Each says what happened and what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    // ── Rooms and sessions ──
    #[error(
        "agency {agency} may not use room {room}; add it to the room's agencies in the site file"
    )]
    RoomNotShared { agency: String, room: String },
    #[error("room {room} is held by session {session}, which is {state}: {what}")]
    RoomHeld {
        room: String,
        session: i64,
        state: String,
        /// What to do about it.
        what: String,
    },
    #[error("session {session} is {state}; markers can only be added while it is recording")]
    NotRecording { session: i64, state: String },
    #[error(
        "room {room} is already booked from {from} to {to} by {agency}; choose another time or room"
    )]
    RoomBooked {
        room: String,
        from: String,
        to: String,
        agency: String,
    },

    // ── Tokens ──
    #[error("a clerk's token needs the agency the clerk acts for (--agency)")]
    ClerkWithoutAgency,
    #[error("a {role} token acts for no agency; leave out --agency")]
    AgencyNotForRole { role: String },
    #[error(
        "no agency \"{agency}\" at this site; agencies come from the site file (start the controller once after adding one)"
    )]
    UnknownAgency { agency: String },
    #[error(
        "{name} looks after rooms and devices with `room-controller check` on the controller; the API gives facilities staff nothing to do"
    )]
    NoTokenForFacilities { name: String },
    #[error("a token named \"{name}\" exists; revoke it first or choose another name")]
    TokenNameTaken { name: String },

    // ── Staff ──
    #[error("staff member {other} already has this id or credential number {credential}")]
    StaffExists { other: String, credential: String },

    // ── Cases: review, decision, publication, archiving, access ──
    #[error("{reviewer} handles case {case} and cannot also review it; another reviewer must")]
    ReviewerHandlesCase { reviewer: String, case: String },
    #[error("a review passes only when every item holds; \"{item}\" is not checked as holding")]
    ItemDoesNotHold { item: String },
    #[error(
        "case {case} is a major case ({because}) and {state}; its decision can be recorded once a legal review (法制审核) has passed"
    )]
    ReviewRequired {
        case: String,
        because: String,
        state: String,
    },
    #[error(
        "case {case} is on the agency's recording list (音像记录事项清单: {because}) and nothing of it was recorded; record it, or give the reason it could not be (unrecorded_because)"
    )]
    RecordingRequired { case: String, because: String },
    #[error("case {case} already has its decision recorded")]
    DecisionRecorded { case: String },
    #[error("case {case} is never published: {why}")]
    NeverPublished { case: String, why: String },
    #[error(
        "case {case} has {live} recording(s) not ended; stop or close them before archiving its audio/video records"
    )]
    RecordingsNotEnded { case: String, live: i64 },
    #[error("access request {request} was already decided")]
    RequestDecided { request: i64 },

    // ── The service hall ──
    #[error(
        "{service}的取号时间为 {opens}–{closes} / tickets for {service} are issued {opens}–{closes}; please come back then"
    )]
    NotIssuingNow {
        service: String,
        opens: String,
        closes: String,
    },
    #[error(
        "{service}今日号已取完 / today's {cap} tickets for {service} are all taken; please come back on the next working day or book online"
    )]
    AllTicketsTaken { service: String, cap: i64 },
    #[error("ticket {number} is {state}; only a waiting or held ticket can be called")]
    TicketNotCallable { number: String, state: String },
    #[error("only a called ticket can be called again; this one is already being served")]
    AlreadyServing,
    #[error("ticket {ticket} is {state}; a service is rated once it is done")]
    NotDoneYet { ticket: i64, state: String },
    #[error("这次服务已评价 / this service was already rated (one rating per service)")]
    AlreadyRated,
    #[error("window {window}'s ticket is {state}; it cannot be {to}")]
    TicketCannotBecome {
        window: String,
        state: String,
        to: String,
    },
    #[error("window {window} is paused; resume it before calling")]
    WindowPaused { window: String },
    #[error(
        "window {window} still has {number} ({state}); finish it, mark it a no-show, hold or transfer it first"
    )]
    WindowBusy {
        window: String,
        number: String,
        state: String,
    },
    #[error("window {window} has no called ticket")]
    NothingCalled { window: String },
    #[error("nobody is waiting for this window's services")]
    NobodyWaiting,
    #[error(
        "{staff} is signed in at window {window}; they sign out first (or the site's admin signs them out)"
    )]
    WindowTaken { window: String, staff: String },
    #[error(
        "ticket {number} is for a service window {window} does not serve; transfer it here first"
    )]
    NotThisWindowsService { window: String, number: String },

    #[error(
        "case {case} is a major case: its decision states {what}, to be kept with it and shown with it (说明理由)"
    )]
    ReasonsRequired { case: String, what: String },
    #[error(
        "case {case} is a major case whose review passed; its decision is recorded once the agency's head approves it (负责人审批: POST …/approval with the head's own token)"
    )]
    ApprovalRequired { case: String },
    #[error(
        "case {case} is flagged for {because}: its decision is taken by the agency's heads together; record the collective discussion (集体讨论, POST …/discussion) first"
    )]
    DiscussionRequired { case: String, because: String },
    #[error("case {case} has no passed legal review to approve a decision after")]
    NothingToApprove { case: String },

    // ── Legal review submissions (送审) ──
    #[error(
        "case {case} is already with the reviewers ({state}); a new submission waits until it is reviewed"
    )]
    AlreadySubmitted { case: String, state: String },
    #[error("case {case} has no submission waiting for review; the handling unit submits it first")]
    NothingSubmitted { case: String },
    #[error(
        "case {case} was not returned for materials; only a returned submission is resubmitted"
    )]
    NotReturned { case: String },
    #[error(
        "case {case} was returned for more materials (补充材料); review it once they come (…/submissions/resubmit)"
    )]
    WaitingForMaterials { case: String },
}
