//! Live changes pushed to displays on `/api/events` (server-sent events).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use utoipa::ToSchema;

/// What a live change is about. On the wire it is a string: a room's id, or `@hall` for the
/// service hall (room ids cannot start with '@', so the two never meet).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Topic {
    /// A room: its session, light or sources changed.
    Room(String),
    /// The service hall: its queue, windows, calls, or what it shows of published decisions.
    Hall,
}

impl Topic {
    const HALL: &'static str = "@hall";

    /// The room this topic names, if it names one.
    pub fn room(&self) -> Option<&str> {
        match self {
            Self::Room(id) => Some(id),
            Self::Hall => None,
        }
    }
}

impl fmt::Display for Topic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Room(id) => f.write_str(id),
            Self::Hall => f.write_str(Self::HALL),
        }
    }
}

impl FromStr for Topic {
    type Err = std::convert::Infallible;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Ok(if text == Self::HALL {
            Self::Hall
        } else {
            Self::Room(text.to_string())
        })
    }
}

impl Serialize for Topic {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Topic {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Ok(text.parse().unwrap_or_else(|never| match never {}))
    }
}

/// A live change, pushed to displays on `/api/events` (server-sent events). Deliberately
/// small: it names what changed, and the display fetches that room's or the hall's state.
/// `seq` grows by one per event; a gap means missed events, and the display fetches
/// everything again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LiveEvent {
    pub seq: u64,
    /// A room's id, or `@hall` for the service hall.
    #[serde(rename = "room")]
    #[schema(value_type = String)]
    pub topic: Topic,
    /// When the change it tells of happened (the first of them, when the hall's changes of a
    /// burst are told together), by the controller's clock: a display on the same clock sees
    /// how late the news reached it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_at: Option<chrono::DateTime<chrono::Utc>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hall_and_rooms_keep_their_wire_names() {
        let hall = LiveEvent {
            seq: 3,
            topic: Topic::Hall,
            sent_at: None,
        };
        let text = serde_json::to_string(&hall).expect("serialises");
        assert_eq!(text, r#"{"seq":3,"room":"@hall"}"#);
        let room: LiveEvent =
            serde_json::from_str(r#"{"seq":4,"room":"interview-1"}"#).expect("parses");
        assert_eq!(room.topic, Topic::Room("interview-1".into()));
        assert_eq!(room.topic.room(), Some("interview-1"));
        assert_eq!(Topic::Hall.room(), None);
    }
}
