//! The annual report of administrative law enforcement (行政执法年度报告), per agency and year.

use serde::{Deserialize, Serialize};

use crate::ActionType;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnnualReport {
    pub agency_id: String,
    pub agency_name: String,
    pub year: i32,
    /// Decisions made in the year, by kind of action (every kind listed, zeros too).
    pub decisions_by_type: Vec<(ActionType, i64)>,
    pub decisions: i64,
    pub hearings_held: i64,
    pub recordings: i64,
    /// The recorded time (the longest track of each recording), in hours.
    pub recorded_hours: f64,
    pub reviews_passed: i64,
    pub reviews_returned: i64,
    pub reviews_failed: i64,
    pub published_on_time: i64,
    /// Published after the due date, or still unpublished past it.
    pub published_late: i64,
    /// Never to be published (minors, secrets).
    pub withheld: i64,
    /// Bad ratings (不满意, 非常不满意) of the agency's hall services.
    pub complaints: i64,
}
