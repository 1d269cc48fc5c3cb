//! The one typed client of the site API: a method per route, each taking and returning the
//! route's own types, and the live event stream as typed events that reconnect by themselves.
//! The kiosk, the CLI and the tests all speak to the controller through it.

use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::routes::{self, fill};
use crate::{
    AccessEntry, AccessLogQuery, AccessRequestView, AddMarker, AgencyDue, AgencyPublicity,
    AgencyQuery, ApiError, ApproveDecision, ArchiveStep, AttachmentView, BookingView, CaseView,
    ClerkView, CloseFollowUp, CounterAction, DecideAccess, DeviceView, DueQuery, ExchangeStatus,
    FieldBatchView, FieldFileView, FootageAlarm, FootageQuery, HallHistoryQuery, HallStats,
    HallView, InspectionView, LinkFootage, LiveEvent, NewBooking, NewDevice, PrepareCase,
    PublicationStep, PublicityVersion, PublicityView, PublishInspections, RateService,
    RecordDecision, RecordDiscussion, RecordInspection, RecordStep, RemoveExpired, RequestAccess,
    ReviewCase, RoomView, SendAnnualReport, SessionView, SiteKeyView, StaffQuery, StaffView,
    StartSession, StatedPurpose, StationView, StatsQuery, TakeTicket, TicketRecord, TicketView,
    WindowView,
};

/// What went wrong with a call, said so that the person at the screen or the terminal knows
/// what to do.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The controller could not be reached: not running, a wrong address, the network down.
    #[error(
        "cannot reach the controller at {url}: {source}; check that `room-controller serve` runs there"
    )]
    Unreachable {
        url: String,
        #[source]
        source: reqwest::Error,
    },
    /// The controller refused the call; `message` is its own sentence.
    #[error("{message} ({status})")]
    Refused { status: u16, message: String },
    /// The CA file given to trust an HTTPS controller cannot be used.
    #[error(
        "cannot use {file} as the site's CA certificate: {reason}; give the PEM file of the certificate that signed the controller's (--ca)"
    )]
    BadCa { file: String, reason: String },
    /// The controller's answer is not what the route returns (a controller of another version?).
    #[error(
        "the controller's answer to {url} cannot be read: {source}; are the controller and this program the same version?"
    )]
    Unreadable {
        url: String,
        #[source]
        source: reqwest::Error,
    },
}

impl ClientError {
    /// The HTTP status of a refusal.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Refused { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// True when the controller was not reached at all (as opposed to refusing).
    pub fn is_unreachable(&self) -> bool {
        matches!(self, Self::Unreachable { .. })
    }

    /// The controller's own sentence for a refusal, else the whole error.
    pub fn message(&self) -> String {
        match self {
            Self::Refused { message, .. } => message.clone(),
            other => other.to_string(),
        }
    }
}

pub type ClientResult<T> = Result<T, ClientError>;

/// A client of one controller, acting with one token. Cheap to clone.
#[derive(Clone)]
pub struct Client {
    base: String,
    token: String,
    http: reqwest::Client,
    /// The longest a call may take; the event stream and downloads are not limited.
    timeout: Option<Duration>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The token is a secret: never in logs.
        f.debug_struct("Client")
            .field("base", &self.base)
            .field("token", &"<redacted>")
            .finish()
    }
}

impl Client {
    /// A client of the controller at `base` (e.g. `http://127.0.0.1:8080`) acting with `token`.
    pub fn new(base: &str, token: &str) -> Self {
        Self::with_http(base, token, reqwest::Client::new())
    }

    /// A client of a controller served over HTTPS with a certificate signed by the CA in the
    /// PEM file `ca` (a site's own CA, or the controller's self-signed certificate itself);
    /// with no `ca`, the same as [`Client::new`]. Only that CA is trusted, never the system's.
    pub fn trusting(base: &str, token: &str, ca: Option<&std::path::Path>) -> ClientResult<Self> {
        let Some(ca) = ca else {
            return Ok(Self::new(base, token));
        };
        let bad = |reason: String| ClientError::BadCa {
            file: ca.display().to_string(),
            reason,
        };
        let pem = std::fs::read(ca).map_err(|err| bad(err.to_string()))?;
        let certs =
            reqwest::Certificate::from_pem_bundle(&pem).map_err(|err| bad(err.to_string()))?;
        if certs.is_empty() {
            return Err(bad("it holds no certificate".into()));
        }
        let mut http = reqwest::Client::builder().tls_built_in_root_certs(false);
        for cert in certs {
            http = http.add_root_certificate(cert);
        }
        let http = http.build().map_err(|err| bad(err.to_string()))?;
        Ok(Self::with_http(base, token, http))
    }

    /// The same, over an HTTP client set up by the caller.
    pub fn with_http(base: &str, token: &str, http: reqwest::Client) -> Self {
        Self {
            base: base.trim_end_matches('/').to_string(),
            token: token.to_string(),
            http,
            timeout: None,
        }
    }

    /// Calls give up after `timeout` (a screen would rather show "offline" than hang).
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The controller's address.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// The full URL of an API path.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    // ── Site ────────────────────────────────────────────────────────────────────────────────

    pub async fn health(&self) -> ClientResult<serde_json::Value> {
        self.get(routes::HEALTH, None::<&()>).await
    }

    /// The OpenAPI description of the API.
    pub async fn openapi(&self) -> ClientResult<serde_json::Value> {
        self.get(routes::OPENAPI, None::<&()>).await
    }

    /// The public half of the key that signs every manifest.
    pub async fn site_key(&self) -> ClientResult<SiteKeyView> {
        self.get(routes::SITE_KEY, None::<&()>).await
    }

    /// The live changes, as typed events; see [`LiveEvents`].
    pub fn events(&self) -> LiveEvents {
        LiveEvents::new(self.clone())
    }

    // ── Rooms and sessions ──────────────────────────────────────────────────────────────────

    pub async fn rooms(&self) -> ClientResult<Vec<RoomView>> {
        self.get(routes::ROOMS, None::<&()>).await
    }

    pub async fn room(&self, room: &str) -> ClientResult<RoomView> {
        self.get(&fill(routes::ROOM, room), None::<&()>).await
    }

    pub async fn clerk_view(&self, room: &str) -> ClientResult<ClerkView> {
        self.get(&fill(routes::ROOM_CLERK, room), None::<&()>).await
    }

    pub async fn bookings(&self, room: &str) -> ClientResult<Vec<BookingView>> {
        self.get(&fill(routes::ROOM_BOOKINGS, room), None::<&()>)
            .await
    }

    pub async fn book_room(&self, room: &str, booking: &NewBooking) -> ClientResult<BookingView> {
        self.send(
            reqwest::Method::POST,
            &fill(routes::ROOM_BOOKINGS, room),
            Some(booking),
        )
        .await
    }

    pub async fn start_session(
        &self,
        room: &str,
        request: &StartSession,
    ) -> ClientResult<SessionView> {
        self.send(
            reqwest::Method::POST,
            &fill(routes::ROOM_SESSIONS, room),
            Some(request),
        )
        .await
    }

    /// A session with its segments: an access to the recording, logged with `purpose`.
    pub async fn session(&self, id: i64, purpose: Option<&str>) -> ClientResult<SessionView> {
        let query = StatedPurpose {
            purpose: purpose.map(str::to_string),
        };
        self.get(&fill(routes::SESSION, id), Some(&query)).await
    }

    pub async fn stop_session(&self, id: i64) -> ClientResult<SessionView> {
        self.post_empty(&fill(routes::SESSION_STOP, id)).await
    }

    pub async fn pause_session(&self, id: i64) -> ClientResult<SessionView> {
        self.post_empty(&fill(routes::SESSION_PAUSE, id)).await
    }

    pub async fn resume_session(&self, id: i64) -> ClientResult<SessionView> {
        self.post_empty(&fill(routes::SESSION_RESUME, id)).await
    }

    pub async fn add_marker(&self, id: i64, marker: &AddMarker) -> ClientResult<SessionView> {
        self.send(
            reqwest::Method::POST,
            &fill(routes::SESSION_MARKERS, id),
            Some(marker),
        )
        .await
    }

    /// Starts downloading a session's export package (a tar stream); read it with
    /// [`Download::chunk`].
    pub async fn export_session(&self, id: i64, purpose: Option<&str>) -> ClientResult<Download> {
        let query = StatedPurpose {
            purpose: purpose.map(str::to_string),
        };
        let url = self.url(&fill(routes::SESSION_EXPORT, id));
        let request = self.http.get(&url).bearer_auth(&self.token).query(&query);
        let response = checked(&url, request.send().await).await?;
        Ok(Download { url, response })
    }

    // ── Access to recordings ────────────────────────────────────────────────────────────────

    pub async fn request_access(
        &self,
        session: i64,
        request: &RequestAccess,
    ) -> ClientResult<AccessRequestView> {
        self.send(
            reqwest::Method::POST,
            &fill(routes::SESSION_ACCESS_REQUESTS, session),
            Some(request),
        )
        .await
    }

    pub async fn access_requests(&self) -> ClientResult<Vec<AccessRequestView>> {
        self.get(routes::ACCESS_REQUESTS, None::<&()>).await
    }

    pub async fn decide_access(
        &self,
        request: i64,
        decision: &DecideAccess,
    ) -> ClientResult<AccessRequestView> {
        self.send(
            reqwest::Method::POST,
            &fill(routes::ACCESS_REQUEST, request),
            Some(decision),
        )
        .await
    }

    /// One page of the access log (see [`AccessLogQuery`]); page on with `after` set to the
    /// last line's id until a page comes back shorter than asked.
    pub async fn access_log(&self, query: &AccessLogQuery) -> ClientResult<Vec<AccessEntry>> {
        self.get(routes::ACCESS_LOG, Some(query)).await
    }

    // ── Staff ───────────────────────────────────────────────────────────────────────────────

    pub async fn staff(&self, agency: Option<&str>) -> ClientResult<Vec<StaffView>> {
        let query = StaffQuery {
            agency: agency.map(str::to_string),
        };
        self.get(routes::STAFF, Some(&query)).await
    }

    /// A staff member's photo, as stored (JPEG or PNG).
    pub async fn staff_photo(&self, id: &str) -> ClientResult<Vec<u8>> {
        self.get_bytes(&fill(routes::STAFF_PHOTO, id)).await
    }

    /// The body of a GET that answers with a file rather than JSON.
    async fn get_bytes(&self, path: &str) -> ClientResult<Vec<u8>> {
        let url = self.url(path);
        let mut request = self.http.get(&url).bearer_auth(&self.token);
        if let Some(timeout) = self.timeout {
            request = request.timeout(timeout);
        }
        let response = checked(&url, request.send().await).await?;
        response
            .bytes()
            .await
            .map(|bytes| bytes.to_vec())
            .map_err(|source| ClientError::Unreadable { url, source })
    }

    // ── The service hall ────────────────────────────────────────────────────────────────────

    pub async fn hall(&self) -> ClientResult<HallView> {
        self.get(routes::HALL, None::<&()>).await
    }

    pub async fn take_ticket(&self, request: &TakeTicket) -> ClientResult<TicketView> {
        self.send(reqwest::Method::POST, routes::HALL_TICKETS, Some(request))
            .await
    }

    pub async fn ticket(&self, id: i64) -> ClientResult<TicketView> {
        self.get(&fill(routes::HALL_TICKET, id), None::<&()>).await
    }

    pub async fn rate_service(&self, ticket: i64, rating: &RateService) -> ClientResult<()> {
        self.send_no_answer(&fill(routes::HALL_TICKET_RATING, ticket), rating)
            .await
    }

    /// What the staff member at window `window` does (sign in, call next, …).
    pub async fn counter(&self, window: &str, action: &CounterAction) -> ClientResult<WindowView> {
        self.send(
            reqwest::Method::POST,
            &fill(routes::HALL_WINDOW, window),
            Some(action),
        )
        .await
    }

    pub async fn hall_stats(&self, day: Option<&str>) -> ClientResult<HallStats> {
        let query = StatsQuery {
            day: day.map(str::to_string),
        };
        self.get(routes::HALL_STATS, Some(&query)).await
    }

    /// One page of a day's tickets, in issue order.
    pub async fn hall_history(&self, query: &HallHistoryQuery) -> ClientResult<Vec<TicketRecord>> {
        self.get(routes::HALL_HISTORY, Some(query)).await
    }

    pub async fn close_follow_up(&self, ticket: i64, outcome: &CloseFollowUp) -> ClientResult<()> {
        self.send_no_answer(&fill(routes::HALL_FOLLOW_UP, ticket), outcome)
            .await
    }

    // ── Cases: legal review, decisions, publication, archiving ─────────────────────────────

    pub async fn checklist(&self) -> ClientResult<Vec<String>> {
        self.get(routes::CASE_CHECKLIST, None::<&()>).await
    }

    pub async fn case(&self, number: &str) -> ClientResult<CaseView> {
        self.get(&fill(routes::CASE, number), None::<&()>).await
    }

    pub async fn prepare_case(&self, number: &str, case: &PrepareCase) -> ClientResult<CaseView> {
        self.send(
            reqwest::Method::PUT,
            &fill(routes::CASE, number),
            Some(case),
        )
        .await
    }

    /// Records a collective discussion (集体讨论) of the case.
    pub async fn record_discussion(
        &self,
        number: &str,
        discussion: &RecordDiscussion,
    ) -> ClientResult<CaseView> {
        self.send(
            reqwest::Method::POST,
            &fill(routes::CASE_DISCUSSION, number),
            Some(discussion),
        )
        .await
    }

    /// The agency head approves a major case's decision after its review passed.
    pub async fn record_step(&self, number: &str, step: &RecordStep) -> ClientResult<CaseView> {
        self.send(
            reqwest::Method::POST,
            &fill(routes::CASE_STEPS, number),
            Some(step),
        )
        .await
    }

    /// Adds a document (PDF, JPEG or DOCX) to a case under `name`.
    pub async fn add_attachment(
        &self,
        number: &str,
        name: &str,
        bytes: Vec<u8>,
    ) -> ClientResult<AttachmentView> {
        let url = self.url(&fill(routes::CASE_ATTACHMENTS, number));
        let mut request = self
            .http
            .post(&url)
            .bearer_auth(&self.token)
            .query(&[("name", name)])
            .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
            .body(bytes);
        if let Some(timeout) = self.timeout {
            request = request.timeout(timeout);
        }
        let response = checked(&url, request.send().await).await?;
        response
            .json()
            .await
            .map_err(|source| ClientError::Unreadable { url, source })
    }

    /// A document of a case, as the controller checked it against its hash.
    pub async fn attachment(&self, number: &str, id: i64) -> ClientResult<Vec<u8>> {
        let path = fill(routes::CASE_ATTACHMENT, number).replace("{id}", &id.to_string());
        self.get_bytes(&path).await
    }

    pub async fn approve_decision(
        &self,
        number: &str,
        approval: &ApproveDecision,
    ) -> ClientResult<CaseView> {
        self.send(
            reqwest::Method::POST,
            &fill(routes::CASE_APPROVAL, number),
            Some(approval),
        )
        .await
    }

    pub async fn review_case(&self, number: &str, review: &ReviewCase) -> ClientResult<CaseView> {
        self.send(
            reqwest::Method::POST,
            &fill(routes::CASE_REVIEWS, number),
            Some(review),
        )
        .await
    }

    pub async fn record_decision(
        &self,
        number: &str,
        decision: &RecordDecision,
    ) -> ClientResult<CaseView> {
        self.send(
            reqwest::Method::POST,
            &fill(routes::CASE_DECISION, number),
            Some(decision),
        )
        .await
    }

    pub async fn publication_step(
        &self,
        number: &str,
        step: &PublicationStep,
    ) -> ClientResult<CaseView> {
        self.send(
            reqwest::Method::POST,
            &fill(routes::CASE_PUBLICATION, number),
            Some(step),
        )
        .await
    }

    pub async fn archive_step(&self, number: &str, step: &ArchiveStep) -> ClientResult<CaseView> {
        self.send(
            reqwest::Method::POST,
            &fill(routes::CASE_ARCHIVE, number),
            Some(step),
        )
        .await
    }

    pub async fn agency_due(&self, query: &DueQuery) -> ClientResult<AgencyDue> {
        self.get(routes::AGENCY_DUE, Some(query)).await
    }

    /// Hands last year's (or an earlier ended year's) annual report to the exchange.
    pub async fn send_annual_report(&self, year: i32) -> ClientResult<ExchangeStatus> {
        self.send(
            reqwest::Method::POST,
            routes::ANNUAL_REPORT_SEND,
            Some(&SendAnnualReport { year }),
        )
        .await
    }

    pub async fn record_inspection(
        &self,
        inspection: &RecordInspection,
    ) -> ClientResult<InspectionView> {
        self.send(reqwest::Method::POST, routes::INSPECTIONS, Some(inspection))
            .await
    }

    /// Publishes a batch of inspection results; answers how many.
    pub async fn publish_inspections(&self, period: &str) -> ClientResult<usize> {
        let batch = PublishInspections {
            period: period.to_string(),
        };
        self.send(
            reqwest::Method::POST,
            routes::INSPECTIONS_PUBLISH,
            Some(&batch),
        )
        .await
    }

    // ── Field evidence (body-worn cameras) ─────────────────────────────────────────────────

    /// Registers a body-worn camera to an officer (facilities staff or the site's admin).
    pub async fn add_device(&self, device: &NewDevice) -> ClientResult<DeviceView> {
        self.send(reqwest::Method::POST, routes::DEVICES, Some(device))
            .await
    }

    pub async fn devices(&self) -> ClientResult<Vec<DeviceView>> {
        self.get(routes::DEVICES, None::<&()>).await
    }

    pub async fn retire_device(&self, serial: &str) -> ClientResult<DeviceView> {
        self.send(
            reqwest::Method::POST,
            &fill(routes::DEVICE_RETIRE, serial),
            None::<&()>,
        )
        .await
    }

    /// What the collection station's screen shows.
    pub async fn station(&self) -> ClientResult<StationView> {
        self.get(routes::COLLECT_STATION, None::<&()>).await
    }

    /// The agency's collected footage (the officer's own, the case team's, or, with a
    /// purpose, anyone else's of the agency, as the access rules say).
    pub async fn footage(&self, query: &FootageQuery) -> ClientResult<Vec<FieldFileView>> {
        self.get(routes::FOOTAGE, Some(query)).await
    }

    pub async fn footage_file(
        &self,
        id: i64,
        purpose: Option<&str>,
    ) -> ClientResult<FieldFileView> {
        let query = StatedPurpose {
            purpose: purpose.map(str::to_string),
        };
        self.get(&fill(routes::FOOTAGE_FILE, id), Some(&query))
            .await
    }

    /// The collected file itself, as the camera wrote it.
    pub async fn footage_media(&self, id: i64, purpose: Option<&str>) -> ClientResult<Download> {
        let query = StatedPurpose {
            purpose: purpose.map(str::to_string),
        };
        let url = self.url(&fill(routes::FOOTAGE_MEDIA, id));
        let request = self.http.get(&url).bearer_auth(&self.token).query(&query);
        let response = checked(&url, request.send().await).await?;
        Ok(Download { url, response })
    }

    pub async fn link_footage(&self, id: i64, link: &LinkFootage) -> ClientResult<FieldFileView> {
        self.send(
            reqwest::Method::POST,
            &fill(routes::FOOTAGE_LINK, id),
            Some(link),
        )
        .await
    }

    /// Asks to view or export a collected file (where the agency requires an approval).
    pub async fn request_footage_access(
        &self,
        id: i64,
        request: &RequestAccess,
    ) -> ClientResult<AccessRequestView> {
        self.send(
            reqwest::Method::POST,
            &fill(routes::FOOTAGE_ACCESS_REQUESTS, id),
            Some(request),
        )
        .await
    }

    /// A batch's package (its files, signed manifest and summary), as a session's export.
    pub async fn export_batch(&self, id: i64, purpose: Option<&str>) -> ClientResult<Download> {
        let query = StatedPurpose {
            purpose: purpose.map(str::to_string),
        };
        let url = self.url(&fill(routes::FOOTAGE_BATCH_EXPORT, id));
        let request = self.http.get(&url).bearer_auth(&self.token).query(&query);
        let response = checked(&url, request.send().await).await?;
        Ok(Download { url, response })
    }

    /// Removes expired footage linked to no case (an approver of the agency); answers what
    /// was removed, each with its hash kept.
    pub async fn remove_expired(&self, remove: &RemoveExpired) -> ClientResult<Vec<FieldFileView>> {
        self.send(reqwest::Method::POST, routes::FOOTAGE_REMOVE, Some(remove))
            .await
    }

    pub async fn footage_alarms(&self) -> ClientResult<Vec<FootageAlarm>> {
        self.get(routes::FOOTAGE_ALARMS, None::<&()>).await
    }

    /// A batch with its files.
    pub async fn batch(&self, id: i64) -> ClientResult<FieldBatchView> {
        self.get(&fill(routes::FOOTAGE_BATCH, id), None::<&()>)
            .await
    }

    // ── Publicity ───────────────────────────────────────────────────────────────────────────

    pub async fn publicity(&self) -> ClientResult<PublicityView> {
        self.get(routes::PUBLICITY, None::<&()>).await
    }

    /// Every version of an agency's publicity (the supervisor names the agency).
    pub async fn agency_publicity(
        &self,
        query: &AgencyQuery,
    ) -> ClientResult<Vec<PublicityVersion>> {
        self.get(routes::AGENCY_PUBLICITY, Some(query)).await
    }

    pub async fn change_publicity(
        &self,
        publicity: &AgencyPublicity,
    ) -> ClientResult<PublicityVersion> {
        self.send(
            reqwest::Method::PUT,
            routes::AGENCY_PUBLICITY,
            Some(publicity),
        )
        .await
    }

    /// A route's answer as the JSON document it is, for displays that keep the document they
    /// were last shown (their offline copy) exactly as it came. `path` comes from [`routes`].
    pub async fn document(&self, path: &str) -> ClientResult<serde_json::Value> {
        self.get(path, None::<&()>).await
    }

    // ── The plumbing ────────────────────────────────────────────────────────────────────────

    async fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        query: Option<&impl Serialize>,
    ) -> ClientResult<T> {
        let url = self.url(path);
        let mut request = self.http.get(&url).bearer_auth(&self.token);
        if let Some(query) = query {
            request = request.query(query);
        }
        self.answer(url, request).await
    }

    async fn send<T: DeserializeOwned>(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&impl Serialize>,
    ) -> ClientResult<T> {
        let url = self.url(path);
        let mut request = self.http.request(method, &url).bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(body);
        }
        self.answer(url, request).await
    }

    async fn post_empty<T: DeserializeOwned>(&self, path: &str) -> ClientResult<T> {
        self.send(reqwest::Method::POST, path, None::<&()>).await
    }

    async fn send_no_answer(&self, path: &str, body: &impl Serialize) -> ClientResult<()> {
        let url = self.url(path);
        let mut request = self.http.post(&url).bearer_auth(&self.token).json(body);
        if let Some(timeout) = self.timeout {
            request = request.timeout(timeout);
        }
        checked(&url, request.send().await).await.map(drop)
    }

    async fn answer<T: DeserializeOwned>(
        &self,
        url: String,
        mut request: reqwest::RequestBuilder,
    ) -> ClientResult<T> {
        if let Some(timeout) = self.timeout {
            request = request.timeout(timeout);
        }
        let response = checked(&url, request.send().await).await?;
        response
            .json::<T>()
            .await
            .map_err(|source| ClientError::Unreadable { url, source })
    }
}

/// The response if it is a success, else the controller's refusal in its own words.
async fn checked(
    url: &str,
    sent: Result<reqwest::Response, reqwest::Error>,
) -> ClientResult<reqwest::Response> {
    let response = sent.map_err(|source| ClientError::Unreachable {
        url: url.to_string(),
        source,
    })?;
    let status = response.status();
    if status.is_success() {
        return Ok(response);
    }
    let message = match response.json::<ApiError>().await {
        Ok(error) => error.error,
        Err(_) => format!("the controller answered {status} to {url}"),
    };
    Err(ClientError::Refused {
        status: status.as_u16(),
        message,
    })
}

/// A download in progress (an export package).
pub struct Download {
    url: String,
    response: reqwest::Response,
}

impl Download {
    /// The next piece of the download; `None` at its end.
    pub async fn chunk(&mut self) -> ClientResult<Option<Vec<u8>>> {
        self.response
            .chunk()
            .await
            .map(|chunk| chunk.map(|bytes| bytes.to_vec()))
            .map_err(|source| ClientError::Unreachable {
                url: self.url.clone(),
                source,
            })
    }
}

/// What the live event stream says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LiveUpdate {
    /// Something changed; fetch what `topic` names.
    Changed(LiveEvent),
    /// Changes may have been missed (the stream was just opened, or it broke and the controller
    /// could not replay what was missed): fetch everything shown again.
    Resync,
    /// The controller cannot be reached; the stream is retried by itself.
    Lost(String),
}

/// The live event stream (`GET /api/events`), read as typed events. It reconnects by itself
/// with back-off, asking the controller for what it missed (`Last-Event-ID`); when that cannot
/// be replayed the controller says so, and the caller is told to [`LiveUpdate::Resync`].
pub struct LiveEvents {
    client: Client,
    response: Option<reqwest::Response>,
    pending: String,
    /// The last event's number, sent back on a reconnect.
    last_seq: Option<u64>,
    retry_in: Duration,
    reported_lost: bool,
}

/// The longest wait between two reconnection attempts.
const RECONNECT_AT_MOST: Duration = Duration::from_secs(10);
const RECONNECT_FIRST: Duration = Duration::from_millis(500);

impl LiveEvents {
    fn new(client: Client) -> Self {
        Self {
            client,
            response: None,
            pending: String::new(),
            last_seq: None,
            retry_in: RECONNECT_FIRST,
            reported_lost: false,
        }
    }

    /// The next update. Never ends: a broken stream is reconnected.
    pub async fn next(&mut self) -> LiveUpdate {
        loop {
            if let Some(update) = self.take_event() {
                return update;
            }
            let Some(response) = self.response.as_mut() else {
                match self.connect().await {
                    Ok(resync) => {
                        if resync {
                            return LiveUpdate::Resync;
                        }
                        continue;
                    }
                    Err(problem) => {
                        tokio::time::sleep(self.retry_in).await;
                        self.retry_in = (self.retry_in * 2).min(RECONNECT_AT_MOST);
                        if !self.reported_lost {
                            self.reported_lost = true;
                            return LiveUpdate::Lost(problem);
                        }
                        continue;
                    }
                }
            };
            match response.chunk().await {
                Ok(Some(chunk)) => self.pending.push_str(&String::from_utf8_lossy(&chunk)),
                Ok(None) | Err(_) => {
                    // The stream ended (the controller restarted or closed it): reconnect.
                    self.response = None;
                    self.pending.clear();
                }
            }
        }
    }

    /// Opens the stream; true when the caller must fetch everything (nothing to resume from).
    async fn connect(&mut self) -> Result<bool, String> {
        let url = self.client.url(routes::EVENTS);
        let mut request = self.client.http.get(&url).bearer_auth(&self.client.token);
        if let Some(seq) = self.last_seq {
            request = request.header("Last-Event-ID", seq.to_string());
        }
        match checked(&url, request.send().await).await {
            Ok(response) => {
                self.response = Some(response);
                self.retry_in = RECONNECT_FIRST;
                self.reported_lost = false;
                Ok(self.last_seq.is_none())
            }
            Err(err) => Err(err.to_string()),
        }
    }

    /// One whole event from what has arrived, if there is one. Events end with a blank line;
    /// `event:`, `id:` and `data:` lines make them up, and comment lines (keep-alives) are
    /// skipped.
    fn take_event(&mut self) -> Option<LiveUpdate> {
        loop {
            let end = self.pending.find("\n\n")?;
            let block: String = self.pending.drain(..end + 2).collect();
            let mut kind = "message";
            let mut data = String::new();
            for line in block.lines() {
                if let Some(value) = line.strip_prefix("event:") {
                    kind = value.trim();
                } else if let Some(value) = line.strip_prefix("data:") {
                    data.push_str(value.trim());
                }
            }
            match kind {
                "resync" => return Some(LiveUpdate::Resync),
                "room" => {
                    if let Ok(event) = serde_json::from_str::<LiveEvent>(&data) {
                        self.last_seq = Some(event.seq);
                        return Some(LiveUpdate::Changed(event));
                    }
                }
                _ => {}
            }
        }
    }
}
