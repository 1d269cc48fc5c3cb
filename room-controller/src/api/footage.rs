//! Field evidence through the site API: body-worn cameras registered by facilities, the
//! collection station's screen, collected footage read, linked to cases, exported by batch
//! and removed after retention by an approver. Every read of footage goes through
//! `Authenticated::footage_access` and is logged.

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use records::footage_access::FootageTarget;
use site_api::routes;
use site_api::{
    AccessRequestView, ApiError, DeviceView, FieldBatchView, FieldFileView, FootageAlarm,
    FootageQuery, LinkFootage, NewDevice, RecordingUse, RemoveExpired, RequestAccess, Role,
    StaffRole, StatedPurpose, StationView,
};
use tower::ServiceExt;
use tower_http::services::ServeFile;

use super::failure::{Answer, Failure};
use super::state::AppState;
use crate::auth::Authenticated;

/// The agency whose devices the caller manages: the site's admin manages every agency's (None);
/// an agency's facilities staff or admin, their own.
async fn device_manager(
    state: &AppState,
    caller: &Authenticated,
) -> Result<Option<String>, Failure> {
    if caller.0.role == Role::Admin {
        return Ok(None);
    }
    let refused = || {
        Failure::new(
            StatusCode::FORBIDDEN,
            "devices are registered by facilities staff (a staff token of role facilities or admin) or the site's admin token",
        )
    };
    let (Role::Clerk, Some(agency), Some(staff)) = (
        caller.0.role,
        caller.0.agency_id.clone(),
        caller.0.staff_id.clone(),
    ) else {
        return Err(refused());
    };
    let member = state
        .db
        .read(move |store| store.staff_member(&staff))
        .await?;
    match member.role {
        StaffRole::Facilities | StaffRole::Admin => Ok(Some(agency)),
        _ => Err(refused()),
    }
}

#[utoipa::path(post, path = routes::DEVICES, tag = "field", security(("token" = [])),
    request_body = NewDevice,
    responses(
        (status = 201, description = "registered", body = DeviceView),
        (status = 400, description = "an unknown model, a staff member of another agency, a serial in use", body = ApiError),
        (status = 403, description = "not facilities staff or the site's admin", body = ApiError),
    ))]
pub(super) async fn add_device(
    State(state): State<AppState>,
    caller: Authenticated,
    body: Result<Json<NewDevice>, JsonRejection>,
) -> Result<(StatusCode, Json<DeviceView>), Failure> {
    let Json(device) = body?;
    let managed = device_manager(&state, &caller).await?;
    if managed.as_ref().is_some_and(|a| *a != device.agency_id) {
        return Err(Failure::new(
            StatusCode::FORBIDDEN,
            format!(
                "you register devices of your own agency only, not of {}",
                device.agency_id
            ),
        ));
    }
    check_model(&state, &device.model)?;
    let by = caller.0.who().to_string();
    let view = state
        .db
        .call_durably(move |store| store.add_device(&device, &by))
        .await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// A model must name a `[bodycam]` profile the site knows.
pub(crate) fn check_model(state: &AppState, model: &str) -> Result<(), Failure> {
    match state.site.profiles.get(model).map(|p| &p.kind) {
        Some(hardware_profiles::ProfileKind::Bodycam(_)) => Ok(()),
        _ => {
            let known: Vec<&str> = state
                .site
                .profiles
                .iter()
                .filter(|p| matches!(p.kind, hardware_profiles::ProfileKind::Bodycam(_)))
                .map(|p| p.id.as_str())
                .collect();
            Err(Failure::new(
                StatusCode::BAD_REQUEST,
                format!(
                    "no body-worn camera model \"{model}\"; known models: {}",
                    known.join(", ")
                ),
            ))
        }
    }
}

#[utoipa::path(get, path = routes::DEVICES, tag = "field", security(("token" = [])),
    responses(
        (status = 200, description = "the agency's registered devices (every agency's for the site's admin and the supervisor)", body = [DeviceView]),
    ))]
pub(super) async fn devices(
    State(state): State<AppState>,
    caller: Authenticated,
) -> Answer<Vec<DeviceView>> {
    let agency = match caller.0.role {
        Role::Admin | Role::Supervisor => None,
        Role::Clerk => Some(caller.clerk_agency()?),
        Role::Kiosk => {
            return Err(Failure::new(
                StatusCode::FORBIDDEN,
                "a kiosk token lists no devices",
            ));
        }
    };
    let list = state
        .db
        .read(move |store| store.devices(agency.as_deref()))
        .await?;
    Ok(Json(list))
}

#[utoipa::path(post, path = routes::DEVICE_RETIRE, tag = "field", security(("token" = [])),
    params(("serial" = String, Path, description = "the device's serial")),
    responses(
        (status = 200, description = "retired: not collected from any more", body = DeviceView),
        (status = 404, description = "no such device of your agency", body = ApiError),
    ))]
pub(super) async fn retire_device(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(serial): Path<String>,
) -> Answer<DeviceView> {
    let managed = device_manager(&state, &caller).await?;
    let view = state
        .db
        .call_durably(move |store| store.retire_device(&serial, managed.as_deref()))
        .await?;
    Ok(Json(view))
}

#[utoipa::path(get, path = routes::COLLECT_STATION, tag = "field", security(("token" = [])),
    responses(
        (status = 200, description = "every camera docked now: officer, progress, problems", body = StationView),
    ))]
pub(super) async fn station(
    State(state): State<AppState>,
    _caller: Authenticated,
) -> Json<StationView> {
    // Officers' names and photos are public already (window screens, publicity); the files are not.
    Json(state.station.view())
}

#[utoipa::path(get, path = routes::FOOTAGE, tag = "field", security(("token" = [])),
    params(FootageQuery),
    responses(
        (status = 200, description = "the agency's footage (its list only; each file is read with its own logged access)", body = [FieldFileView]),
    ))]
pub(super) async fn footage(
    State(state): State<AppState>,
    caller: Authenticated,
    query: Result<Query<FootageQuery>, QueryRejection>,
) -> Answer<Vec<FieldFileView>> {
    let Query(query) = query?;
    let agency = caller.clerk_agency()?;
    let retention = retention_days(&state, &agency);
    let list = state
        .db
        .read(move |store| match query.expired {
            true => store.expired_footage(&agency, retention, chrono::Utc::now()),
            false => store.footage_where(&agency, query.case_number.as_deref(), None),
        })
        .await?;
    Ok(Json(list))
}

fn retention_days(state: &AppState, agency: &str) -> u32 {
    state
        .site
        .agency(agency)
        .map_or(site_api::DEFAULT_FOOTAGE_RETENTION_DAYS, |a| {
            a.footage_retention_days
        })
}

#[utoipa::path(get, path = routes::FOOTAGE_FILE, tag = "field", security(("token" = [])),
    params(("id" = i64, Path, description = "the footage's id"), StatedPurpose),
    responses(
        (status = 200, description = "the file's record: hash, start, duration, codecs, case", body = FieldFileView),
        (status = 403, description = "outside the officer and case team: state a purpose", body = ApiError),
        (status = 404, description = "no such footage of your agency", body = ApiError),
    ))]
pub(super) async fn footage_file(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(id): Path<i64>,
    query: Result<Query<StatedPurpose>, QueryRejection>,
) -> Answer<FieldFileView> {
    let Query(stated) = query?;
    caller
        .footage_access(
            &state,
            FootageTarget::File(id),
            RecordingUse::View,
            stated.purpose,
        )
        .await?;
    Ok(Json(
        state.db.read(move |store| store.field_file(id)).await?,
    ))
}

#[utoipa::path(get, path = routes::FOOTAGE_MEDIA, tag = "field", security(("token" = [])),
    params(("id" = i64, Path, description = "the footage's id"), StatedPurpose),
    responses(
        (status = 200, description = "the file as the camera wrote it (byte ranges served)"),
        (status = 404, description = "no such footage of your agency", body = ApiError),
        (status = 410, description = "removed after its retention period", body = ApiError),
    ))]
pub(super) async fn footage_media(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(id): Path<i64>,
    query: Result<Query<StatedPurpose>, QueryRejection>,
    request: Request,
) -> Result<Response, Failure> {
    let Query(stated) = query?;
    caller
        .footage_access(
            &state,
            FootageTarget::File(id),
            RecordingUse::View,
            stated.purpose,
        )
        .await?;
    let (file, batch) = state
        .db
        .read(move |store| {
            let file = store.field_file(id)?;
            let batch = store.batch(file.batch_id)?;
            Ok((file, batch))
        })
        .await?;
    if file.removed_at.is_some() {
        return Err(Failure::new(
            StatusCode::GONE,
            format!(
                "footage {id} was removed after its retention period; its record and hash are kept"
            ),
        ));
    }
    let path = state.site.media.join(&batch.media_dir).join(&file.file);
    match ServeFile::new(path).oneshot(request).await {
        Ok(response) => Ok(response.into_response()),
        Err(err) => Err(Failure::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("cannot read footage {id}: {err}"),
        )),
    }
}

#[utoipa::path(post, path = routes::FOOTAGE_LINK, tag = "field", security(("token" = [])),
    params(("id" = i64, Path, description = "the footage's id")),
    request_body = LinkFootage,
    responses(
        (status = 200, description = "linked: it joins the case's audio/video records", body = FieldFileView),
        (status = 403, description = "neither the officer who recorded it nor the case's team", body = ApiError),
        (status = 404, description = "no such footage of your agency", body = ApiError),
    ))]
pub(super) async fn link_footage(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(id): Path<i64>,
    body: Result<Json<LinkFootage>, JsonRejection>,
) -> Answer<FieldFileView> {
    let Json(link) = body?;
    caller.clerk_agency()?;
    // Linking needs the footage's own people: reading it with a purpose is not enough.
    caller
        .footage_access(&state, FootageTarget::File(id), RecordingUse::View, None)
        .await
        .map_err(|refused| match refused.0 {
            StatusCode::FORBIDDEN => Failure::new(
                StatusCode::FORBIDDEN,
                format!("footage {id} is linked to a case by the officer who recorded it or the case's handling team"),
            ),
            _ => refused,
        })?;
    let who = caller.0.clone();
    let view = state
        .db
        .call_durably(move |store| {
            let before = store.field_file(id)?.case_number;
            let view =
                store.link_footage(id, &link.case_number, link.important, &link.note, who.who())?;
            // A link decides which case team sees the footage: it goes into the access log.
            store.log_access(
                &who,
                &records::AccessAttempt {
                    action: "link",
                    target: &format!("footage {id}"),
                    allowed: true,
                    reason: &match before {
                        Some(before) if before != link.case_number => {
                            format!("case {} (was {before})", link.case_number)
                        }
                        _ => format!("case {}", link.case_number),
                    },
                    purpose: &link.note,
                    owner_agency: Some(&view.agency_id),
                },
            )?;
            Ok(view)
        })
        .await?;
    Ok(Json(view))
}

#[utoipa::path(post, path = routes::FOOTAGE_ACCESS_REQUESTS, tag = "field", security(("token" = [])),
    params(("id" = i64, Path, description = "the footage's id")),
    request_body = RequestAccess,
    responses(
        (status = 201, description = "the request, pending until an approver of the agency decides (POST /api/access-requests/{id})", body = AccessRequestView),
        (status = 400, description = "no purpose stated", body = ApiError),
        (status = 404, description = "no such footage for this agency", body = ApiError),
    ))]
pub(super) async fn request_footage_access(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(id): Path<i64>,
    body: Result<Json<RequestAccess>, JsonRejection>,
) -> Result<(StatusCode, Json<AccessRequestView>), Failure> {
    let Json(request) = body?;
    let caller = caller.0;
    let view = state
        .db
        .call_durably(move |store| {
            store.request_footage_access(&caller, id, request.what, &request.purpose)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(view)))
}

#[utoipa::path(get, path = routes::FOOTAGE_BATCH, tag = "field", security(("token" = [])),
    params(("id" = i64, Path, description = "the batch's id"), StatedPurpose),
    responses(
        (status = 200, description = "a camera's visit with its files", body = FieldBatchView),
        (status = 404, description = "no such batch of your agency", body = ApiError),
    ))]
pub(super) async fn batch(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(id): Path<i64>,
    query: Result<Query<StatedPurpose>, QueryRejection>,
) -> Answer<FieldBatchView> {
    let Query(stated) = query?;
    caller
        .footage_access(
            &state,
            FootageTarget::Batch(id),
            RecordingUse::View,
            stated.purpose,
        )
        .await?;
    Ok(Json(state.db.read(move |store| store.batch(id)).await?))
}

#[utoipa::path(get, path = routes::FOOTAGE_BATCH_EXPORT, tag = "field", security(("token" = [])),
    params(("id" = i64, Path, description = "the batch's id"), StatedPurpose),
    responses(
        (status = 200, description = "the batch's package (tar): files, signed manifest, site key, summary"),
        (status = 404, description = "no such batch of your agency", body = ApiError),
        (status = 503, description = "too many exports at once; retry", body = ApiError),
    ))]
pub(super) async fn export_batch(
    State(state): State<AppState>,
    caller: Authenticated,
    Path(id): Path<i64>,
    query: Result<Query<StatedPurpose>, QueryRejection>,
) -> Result<Response, Failure> {
    let Query(stated) = query?;
    let Some(permit) = crate::export::permit(&state.exports) else {
        return Ok(crate::export::busy(state.site.max_exports));
    };
    caller
        .footage_access(
            &state,
            FootageTarget::Batch(id),
            RecordingUse::Export,
            stated.purpose,
        )
        .await?;
    let view = state.db.read(move |store| store.batch(id)).await?;
    if view.state == "collecting" {
        return Err(Failure::new(
            StatusCode::CONFLICT,
            format!("batch {id} is still being collected; export it once the camera is done"),
        ));
    }
    let dir = state.site.media.join(&view.media_dir);
    let name = evidence::field_batch::batch_package_name(&view);
    let files = evidence::field_batch::batch_package_files(
        &view,
        &dir,
        caller.0.who(),
        Some(&state.site_key),
    );
    Ok(crate::export::tar_answer(&name, files, permit))
}

#[utoipa::path(post, path = routes::FOOTAGE_REMOVE, tag = "field", security(("token" = [])),
    request_body = RemoveExpired,
    responses(
        (status = 200, description = "removed: media deleted, record and hash kept, manifest re-signed", body = [FieldFileView]),
        (status = 400, description = "a file linked to a case or not yet expired: nothing removed", body = ApiError),
        (status = 403, description = "not one of the agency's approvers", body = ApiError),
    ))]
pub(super) async fn remove_expired(
    State(state): State<AppState>,
    caller: Authenticated,
    body: Result<Json<RemoveExpired>, JsonRejection>,
) -> Answer<Vec<FieldFileView>> {
    let Json(remove) = body?;
    let agency = caller.clerk_agency()?;
    let policy = state.access_policy(Some(&agency));
    let approver = caller
        .0
        .staff_id
        .as_ref()
        .is_some_and(|id| policy.approvers.contains(id));
    if !approver {
        return Err(Failure::new(
            StatusCode::FORBIDDEN,
            format!(
                "removing footage needs one of agency {agency}'s approvers (access_approvers in the site file)"
            ),
        ));
    }
    if remove.reason.trim().is_empty() {
        return Err(Failure::new(
            StatusCode::BAD_REQUEST,
            "say why the footage is removed (reason), for the record",
        ));
    }
    let retention = retention_days(&state, &agency);
    let (who, caller_copy) = (caller.0.who().to_string(), caller.0.clone());
    let removed = state
        .db
        .call_durably(move |store| {
            let removed =
                store.remove_footage(&agency, &remove.files, retention, &who, &remove.reason)?;
            for file in &removed {
                store.log_access(
                    &caller_copy,
                    &records::AccessAttempt {
                        action: "remove",
                        target: &format!("footage {}", file.id),
                        allowed: true,
                        reason: &format!(
                            "retention of {retention} days passed; sha256 {} kept",
                            file.sha256
                        ),
                        purpose: &remove.reason,
                        owner_agency: Some(&agency),
                    },
                )?;
            }
            Ok(removed)
        })
        .await?;
    // The records say removed first; then the media goes (and its copy on the backup disk:
    // retention holds for both), and each batch's manifest is signed anew listing the removal
    // (the chain still checks: hashes and links are kept).
    let mut by_batch: std::collections::BTreeMap<i64, Vec<&str>> = Default::default();
    for file in &removed {
        by_batch.entry(file.batch_id).or_default().push(&file.file);
    }
    for (batch, files) in by_batch {
        let view = state.db.read(move |store| store.batch(batch)).await?;
        let dir = state.site.media.join(&view.media_dir);
        let folders = std::iter::once(dir.clone()).chain(state.storage.backup_of(&dir));
        for folder in folders {
            for file in &files {
                let path = folder.join(file);
                if let Err(err) = tokio::fs::remove_file(&path).await {
                    tracing::warn!(path = %path.display(), error = %err, "removed footage was not on the disk");
                }
            }
        }
        crate::collect::rewrite_batch_manifest(&state.site, &state.storage, &state.db, batch)
            .await
            .map_err(|err| {
                Failure::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    format!(
                        "cannot rewrite the manifest of batch {batch}: {err}; check the media disk"
                    ),
                )
            })?;
    }
    Ok(Json(removed))
}

#[utoipa::path(get, path = routes::FOOTAGE_ALARMS, tag = "field", security(("token" = [])),
    responses(
        (status = 200, description = "files that changed on a camera after they were collected", body = [FootageAlarm]),
    ))]
pub(super) async fn footage_alarms(
    State(state): State<AppState>,
    caller: Authenticated,
) -> Answer<Vec<FootageAlarm>> {
    let agency = caller.clerk_agency()?;
    Ok(Json(
        state
            .db
            .read(move |store| store.footage_alarms(&agency))
            .await?,
    ))
}
