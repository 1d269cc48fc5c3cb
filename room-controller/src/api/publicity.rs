//! Public display of enforcement information through the site API: every agency's
//! before-the-fact publicity, staff and published decisions, for any token (kiosks included).
//! The same view is written as static pages by `room-controller publicity export`.

use axum::Json;
use axum::extract::State;
use hardware_profiles::Site;
use records::publicity_view::PublicAgency;
use records::{Store, StoreError};
use site_api::routes;
use site_api::{ApiError, PublicityView};

use super::failure::Answer;
use super::state::AppState;
use crate::auth::Authenticated;

/// The site's publicity as the records and the site file hold it.
pub fn publicity_of(store: &Store, site: &Site) -> Result<PublicityView, StoreError> {
    let agencies: Vec<PublicAgency<'_>> = site
        .agencies
        .iter()
        .map(|a| PublicAgency {
            id: &a.id,
            name: &a.name,
            before: &a.publicity,
        })
        .collect();
    store.publicity_view(&site.name, &agencies)
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
