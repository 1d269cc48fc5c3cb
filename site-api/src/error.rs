//! The body of every error answer.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The body of every error answer: one sentence that says what happened and what to do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ApiError {
    pub error: String,
}
