//! What a body-worn camera's file names say: a pattern such as
//! `{device}_{officer}_{start}_{any}` read against a name such as
//! `ZFY001_012345_20261130101500_0001` (the extension is not part of it).

use chrono::NaiveDateTime;
use serde::Deserialize;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Text(String),
    Device,
    Officer,
    /// YYYYMMDDhhmmss: exactly 14 digits.
    Start,
    Any,
}

/// A checked file-name pattern of a body-worn camera model.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct NamePattern {
    text: String,
    parts: Vec<Part>,
}

/// What a file's name says about it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NameFacts {
    pub device: Option<String>,
    pub officer: Option<String>,
    /// The start time on the camera's clock, local time.
    pub start: Option<NaiveDateTime>,
}

impl TryFrom<String> for NamePattern {
    type Error = String;

    fn try_from(text: String) -> Result<Self, String> {
        let mut parts = Vec::new();
        let mut rest = text.as_str();
        while !rest.is_empty() {
            match rest.find('{') {
                Some(0) => {
                    let close = rest.find('}').ok_or_else(|| {
                        format!("name_pattern \"{text}\" opens a {{ it does not close")
                    })?;
                    let part = match &rest[1..close] {
                        "device" => Part::Device,
                        "officer" => Part::Officer,
                        "start" => Part::Start,
                        "any" => Part::Any,
                        other => {
                            return Err(format!(
                                "name_pattern \"{text}\" has {{{other}}}; use {{device}}, {{officer}}, {{start}} or {{any}}"
                            ));
                        }
                    };
                    if parts.last().is_some_and(|p| !matches!(p, Part::Text(_)))
                        && part != Part::Start
                    {
                        return Err(format!(
                            "name_pattern \"{text}\": put text between two fields, or the name cannot be split"
                        ));
                    }
                    parts.push(part);
                    rest = &rest[close + 1..];
                }
                Some(open) => {
                    parts.push(Part::Text(rest[..open].to_string()));
                    rest = &rest[open..];
                }
                None => {
                    parts.push(Part::Text(rest.to_string()));
                    rest = "";
                }
            }
        }
        Ok(Self { text, parts })
    }
}

impl NamePattern {
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// What `stem` (a file name without its extension) says, or None when it does not fit.
    pub fn read(&self, stem: &str) -> Option<NameFacts> {
        let mut facts = NameFacts::default();
        read_parts(&self.parts, stem, &mut facts).then_some(facts)
    }
}

fn read_parts(parts: &[Part], text: &str, facts: &mut NameFacts) -> bool {
    let Some((part, rest)) = parts.split_first() else {
        return text.is_empty();
    };
    match part {
        Part::Text(literal) => text
            .strip_prefix(literal.as_str())
            .is_some_and(|after| read_parts(rest, after, facts)),
        Part::Start => {
            let digits = text
                .get(..14)
                .filter(|d| d.bytes().all(|b| b.is_ascii_digit()));
            let start = digits.and_then(|d| NaiveDateTime::parse_from_str(d, "%Y%m%d%H%M%S").ok());
            match start {
                Some(start) if read_parts(rest, &text[14..], facts) => {
                    facts.start = Some(start);
                    true
                }
                _ => false,
            }
        }
        field => {
            // The shortest value that lets the rest of the name fit.
            for end in (1..=text.len()).filter(|&end| text.is_char_boundary(end)) {
                if read_parts(rest, &text[end..], facts) {
                    let value = Some(text[..end].to_string());
                    match field {
                        Part::Device => facts.device = value,
                        Part::Officer => facts.officer = value,
                        _ => {}
                    }
                    return true;
                }
            }
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pattern(text: &str) -> Result<NamePattern, String> {
        NamePattern::try_from(text.to_string())
    }

    #[test]
    fn a_gat947_name_reads_as_device_officer_and_start() {
        let p = pattern("{device}_{officer}_{start}_{any}").expect("valid");
        let facts = p.read("ZFY001_012345_20261130101500_0001").expect("fits");
        assert_eq!(facts.device.as_deref(), Some("ZFY001"));
        assert_eq!(facts.officer.as_deref(), Some("012345"));
        assert_eq!(
            facts.start.map(|s| s.to_string()).as_deref(),
            Some("2026-11-30 10:15:00")
        );
        assert_eq!(p.read("IMG_0001"), None, "a name that does not fit");
        assert_eq!(
            p.read("ZFY001_012345_20261399101500_0001"),
            None,
            "no 13th month"
        );
    }

    #[test]
    fn bad_patterns_say_what_to_write() {
        let err = pattern("{device}{officer}").expect_err("ambiguous");
        assert!(err.contains("put text between"), "{err}");
        let err = pattern("{device}_{when}").expect_err("unknown field");
        assert!(err.contains("{when}"), "{err}");
    }
}
