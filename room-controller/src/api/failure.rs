//! Error answers: every one is `{"error": "..."}` with one sentence that says what happened and
//! what to do, and the HTTP status that fits it.

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use records::StoreError;
use site_api::ApiError;

use crate::ControllerError;

/// An error answer.
pub struct Failure(pub(crate) StatusCode, pub(crate) String);

impl Failure {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self(status, message.into())
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        (self.0, Json(ApiError { error: self.1 })).into_response()
    }
}

impl From<ControllerError> for Failure {
    fn from(err: ControllerError) -> Self {
        let status = match &err {
            ControllerError::Store(StoreError::NotFound { .. })
            | ControllerError::UnknownRoom(_) => StatusCode::NOT_FOUND,
            ControllerError::Store(
                StoreError::Refused(_)
                | StoreError::IllegalTransition { .. }
                | StoreError::Calendar(_),
            )
            | ControllerError::NotRecording { .. }
            | ControllerError::RoomBusy { .. }
            | ControllerError::NotResumable { .. }
            | ControllerError::PauseNotAllowed { .. } => StatusCode::CONFLICT,
            ControllerError::DiskFull { .. } => StatusCode::INSUFFICIENT_STORAGE,
            ControllerError::Store(StoreError::Forbidden(_)) => StatusCode::FORBIDDEN,
            ControllerError::Store(StoreError::Invalid(_)) => StatusCode::BAD_REQUEST,
            ControllerError::NoMedia { .. }
            | ControllerError::RecordingFailed { .. }
            | ControllerError::Worker { .. }
            | ControllerError::RoomGone(_) => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        Self(status, err.to_string())
    }
}

impl From<StoreError> for Failure {
    fn from(err: StoreError) -> Self {
        ControllerError::from(err).into()
    }
}

impl From<JsonRejection> for Failure {
    fn from(rejection: JsonRejection) -> Self {
        Self(
            rejection.status(),
            format!(
                "the request body is not what this call takes: {}",
                rejection.body_text()
            ),
        )
    }
}

pub(crate) type Answer<T> = Result<Json<T>, Failure>;

impl From<QueryRejection> for Failure {
    fn from(rejection: QueryRejection) -> Self {
        Self(
            StatusCode::BAD_REQUEST,
            format!(
                "the query string is not what this call takes: {}",
                rejection.body_text()
            ),
        )
    }
}
