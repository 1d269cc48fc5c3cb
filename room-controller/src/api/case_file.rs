//! The case file beyond its decisions: its steps as text records (文字记录) and its documents as
//! files (附件). Only the case's own agency reaches either; attachments are PDF, JPEG or DOCX
//! (known by their first bytes), at most 20 MiB, hashed and kept like evidence, and checked
//! against their hash on every download.

use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use records::attachments::NewAttachment;
use site_api::routes;
use site_api::{ApiError, AttachmentKind, AttachmentName, AttachmentView, CaseView, RecordStep};

use super::failure::Failure;
use super::state::AppState;
use crate::auth::Authenticated;

/// The largest attachment taken: a scanned case document, not a recording.
pub const ATTACHMENT_MAX_BYTES: usize = 20 * 1024 * 1024;

#[utoipa::path(post, path = routes::CASE_STEPS, tag = "cases", security(("token" = [])),
    params(("number" = String, Path, description = "the case number")),
    request_body = RecordStep,
    responses(
        (status = 201, description = "the step is kept with the case (never changed); the case", body = CaseView),
        (status = 400, description = "a 告知 without party_told_on, a 听证 without its session, a 送达 without its method, a 留置送达 the recording list names with nothing recorded and no reason, an attachment of another case", body = ApiError),
        (status = 403, description = "not a clerk's or reviewer's token of the case's agency", body = ApiError),
        (status = 404, description = "no such case in the caller's agency", body = ApiError),
    ))]
pub(crate) async fn record_step(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(number): Path<String>,
    body: Result<Json<RecordStep>, JsonRejection>,
) -> Result<(StatusCode, Json<CaseView>), Failure> {
    let agency = caller.case_agency()?;
    let number = records::case_number(&number)?;
    let Json(step) = body?;
    let must_record = state
        .site
        .agency(&agency)
        .map(|a| a.must_record.clone())
        .unwrap_or_default();
    let by = caller.0.who().to_string();
    let (a, n) = (agency.clone(), number.clone());
    state
        .db
        .call_durably(move |store| store.record_step(&a, &n, &step, &must_record, &by))
        .await?;
    Ok((StatusCode::CREATED, state.case_view(agency, number).await?))
}

#[utoipa::path(post, path = routes::CASE_ATTACHMENTS, tag = "cases", security(("token" = [])),
    params(("number" = String, Path, description = "the case number"), AttachmentName),
    request_body(content = Vec<u8>, description = "the file itself: PDF, JPEG or DOCX, at most 20 MiB", content_type = "application/octet-stream"),
    responses(
        (status = 201, description = "kept under its SHA-256 and read back; its record", body = AttachmentView),
        (status = 400, description = "no name, or a name with a path", body = ApiError),
        (status = 403, description = "not a clerk's or reviewer's token of the case's agency", body = ApiError),
        (status = 404, description = "no such case in the caller's agency", body = ApiError),
        (status = 413, description = "larger than 20 MiB", body = ApiError),
        (status = 415, description = "not a PDF, JPEG or DOCX", body = ApiError),
    ))]
pub(crate) async fn add_attachment(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(number): Path<String>,
    query: Result<Query<AttachmentName>, QueryRejection>,
    body: Body,
) -> Result<(StatusCode, Json<AttachmentView>), Failure> {
    let agency = caller.case_agency()?;
    let number = records::case_number(&number)?;
    let Query(AttachmentName { name }) = query?;
    let name = records::attachments::attachment_name(&name)?;
    let bytes: Bytes = axum::body::to_bytes(body, ATTACHMENT_MAX_BYTES)
        .await
        .map_err(|_| {
            Failure::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!(
                    "{name} is larger than {} MiB, the most an attachment may be; scan it at a lower resolution or split it",
                    ATTACHMENT_MAX_BYTES / (1024 * 1024)
                ),
            )
        })?;
    let kind = AttachmentKind::sniff(&bytes).ok_or_else(|| {
        Failure::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!("{name} is not a PDF, JPEG or DOCX file; save it as one of these"),
        )
    })?;
    let (a, n) = (agency.clone(), number.clone());
    // The case must be the caller's before anything is written for it.
    state.db.read(move |store| store.case_known(&a, &n)).await?;
    let (media, backup) = (state.site.media.clone(), state.site.backup.clone());
    let size_bytes = bytes.len() as u64;
    // Kept like a segment: on the media disk (read back before the attachment counts) and,
    // where the site has one, on the backup disk; a failing backup disk is logged and does not
    // hold up the case file, as for recordings.
    let sha256 = tokio::task::spawn_blocking(move || {
        let sha256 = evidence::attachments::keep_attachment(&media, &bytes)?;
        if let Some(backup) = backup
            && let Err(err) = evidence::attachments::keep_attachment(&backup, &bytes)
        {
            tracing::warn!(%err, backup = %backup.display(), "an attachment's backup copy failed");
        }
        Ok::<_, std::io::Error>(sha256)
    })
    .await
    .map_err(|err| Failure::new(StatusCode::INTERNAL_SERVER_ERROR, err.to_string()))?
    .map_err(|err| {
        Failure::new(
            StatusCode::INSUFFICIENT_STORAGE,
            format!("cannot keep {name}: {err}"),
        )
    })?;
    let by = caller.0.who().to_string();
    let view = state
        .db
        .call_durably(move |store| {
            store.add_attachment(
                &agency,
                &number,
                &NewAttachment {
                    name: &name,
                    kind,
                    size_bytes,
                    sha256: &sha256,
                    added_by: &by,
                },
            )
        })
        .await?;
    Ok((StatusCode::CREATED, Json(view)))
}

#[utoipa::path(get, path = routes::CASE_ATTACHMENT, tag = "cases", security(("token" = [])),
    params(("number" = String, Path, description = "the case number"),
           ("id" = i64, Path, description = "the attachment's number")),
    responses(
        (status = 200, description = "the file, checked against its hash", content_type = "application/octet-stream"),
        (status = 403, description = "not a clerk's or reviewer's token of the case's agency", body = ApiError),
        (status = 404, description = "no such attachment of this case in the caller's agency", body = ApiError),
        (status = 500, description = "the stored copy no longer matches its hash", body = ApiError),
    ))]
pub(crate) async fn attachment(
    State(state): State<AppState>,
    caller: Authenticated,
    Path((number, id)): Path<(String, i64)>,
) -> Result<Response, Failure> {
    let agency = caller.case_agency()?;
    let number = records::case_number(&number)?;
    let view = state
        .db
        .read(move |store| store.attachment(&agency, &number, id))
        .await?;
    let media = state.site.media.clone();
    let sha256 = view.sha256.clone();
    let bytes = tokio::task::spawn_blocking(move || {
        evidence::attachments::read_attachment(&media, &sha256)
    })
    .await
    .map_err(|err| Failure::new(StatusCode::INTERNAL_SERVER_ERROR, err.to_string()))?
    .map_err(|err| Failure::new(StatusCode::INTERNAL_SERVER_ERROR, err.to_string()))?;
    Ok((
        [
            (CONTENT_TYPE, view.kind.content_type().to_string()),
            (
                CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"attachment-{}.{}\"; filename*=UTF-8''{}",
                    view.id,
                    view.kind.as_str(),
                    routes::encode_segment(&view.name)
                ),
            ),
        ],
        bytes,
    )
        .into_response())
}
