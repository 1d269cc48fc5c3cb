//! Public display of enforcement information through the site API: every agency's
//! before-the-fact publicity, staff and published decisions, for any token (kiosks included).
//! The same view is written as static pages by `room-controller publicity export`.

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use hardware_profiles::Site;
use records::publicity_view::PublicAgency;
use records::{Store, StoreError};
use site_api::routes;
use site_api::{AgencyPublicity, AgencyQuery, ApiError, PublicityVersion, PublicityView, Role};

use super::failure::{Answer, Failure};
use super::state::AppState;
use crate::auth::Authenticated;

/// The site's publicity as the records and the site file hold it: each agency's latest
/// version changed through the API, else its publicity file.
pub fn publicity_of(store: &Store, site: &Site) -> Result<PublicityView, StoreError> {
    let mut before = Vec::new();
    for agency in &site.agencies {
        before.push(match store.latest_publicity(&agency.id)? {
            Some(version) => version.publicity,
            None => agency.publicity.clone(),
        });
    }
    let agencies: Vec<PublicAgency<'_>> = site
        .agencies
        .iter()
        .zip(&before)
        .map(|(a, before)| PublicAgency {
            id: &a.id,
            name: &a.name,
            before,
        })
        .collect();
    store.publicity_view(&site.name, &agencies)
}

#[utoipa::path(get, path = routes::AGENCY_PUBLICITY, tag = "publicity", security(("token" = [])),
    params(AgencyQuery),
    responses(
        (status = 200, description = "every version of the agency's publicity, oldest first: version 0 is the site file's, then each change through the API; the last is in force", body = Vec<PublicityVersion>),
        (status = 403, description = "not a token of the agency (or the supervisor's)", body = ApiError),
    ))]
pub(super) async fn agency_publicity(
    State(state): State<AppState>,
    caller: Authenticated,
    query: Result<Query<AgencyQuery>, QueryRejection>,
) -> Answer<Vec<PublicityVersion>> {
    let Query(query) = query?;
    let agency = match (caller.0.role, query.agency) {
        (Role::Supervisor, Some(agency)) => agency,
        _ => caller.case_agency()?,
    };
    let Some(spec) = state.site.agency(&agency).cloned() else {
        return Err(Failure::new(
            StatusCode::NOT_FOUND,
            format!("agency {agency} is not one of this site's agencies"),
        ));
    };
    let mut versions = vec![PublicityVersion {
        version: 0,
        changed_by: "site file".into(),
        changed_at: String::new(),
        publicity: spec.publicity.clone(),
    }];
    versions.extend(
        state
            .db
            .read(move |store| store.publicity_history(&agency))
            .await?,
    );
    Ok(Json(versions))
}

#[utoipa::path(put, path = routes::AGENCY_PUBLICITY, tag = "publicity", security(("token" = [])),
    request_body = AgencyPublicity,
    responses(
        (status = 200, description = "kept as the agency's next version and in force at once (kiosks and the public website follow)", body = PublicityVersion),
        (status = 400, description = "an unknown field, or a required field left empty", body = ApiError),
        (status = 403, description = "not one of the agency's publicity reviewers (publicity_reviewers, else access_approvers)", body = ApiError),
    ))]
pub(super) async fn change_publicity(
    State(state): State<AppState>,
    caller: Authenticated,
    body: Result<Json<AgencyPublicity>, JsonRejection>,
) -> Answer<PublicityVersion> {
    let agency = caller.case_agency()?;
    let Json(publicity) = body?;
    caller.releases_for(&state, &agency)?;
    let who = caller.0.who().to_string();
    let version = state
        .db
        .call_durably(move |store| store.change_publicity(&agency, &publicity, &who))
        .await?;
    // The publicity screens and the hall board show it at once.
    state.live.hall_changed();
    Ok(Json(version))
}

#[utoipa::path(get, path = routes::PUBLICITY, tag = "publicity", security(("token" = [])),
    responses(
        (status = 200, description = "per agency: enforcement items, staff, random inspections, guides, remedy channels and published decisions", body = PublicityView),
        (status = 401, description = "no or unknown token", body = ApiError),
    ))]
pub(super) async fn publicity(
    State(state): State<AppState>,
    _caller: Authenticated,
) -> Answer<PublicityView> {
    let site = state.site.clone();
    Ok(Json(
        state
            .db
            .call(move |store| publicity_of(store, &site))
            .await?,
    ))
}
