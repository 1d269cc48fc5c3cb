//! The site API's OpenAPI description is valid, so that anyone could generate a client from
//! it: checked by an independent validator (openapi-spec-validator, which `scripts/setup.sh`
//! installs under target/tools), on the document the real binary prints.

use liuhen_tests::workspace_binary;
use std::path::PathBuf;
use std::process::Command;

fn validator() -> PathBuf {
    let tool = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../target/tools/venv/bin/openapi-spec-validator");
    assert!(
        tool.exists(),
        "{} is missing: run scripts/setup.sh, which installs it",
        tool.display()
    );
    tool
}

fn validate(document: &[u8]) -> (bool, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("openapi.json");
    std::fs::write(&file, document).expect("write the document");
    let out = Command::new(validator())
        .arg("--schema")
        .arg("3.1")
        .arg(&file)
        .output()
        .expect("the validator runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[test]
fn the_api_description_passes_an_openapi_validator() {
    let out = Command::new(workspace_binary("room-controller"))
        .arg("openapi")
        .output()
        .expect("room-controller openapi runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (valid, report) = validate(&out.stdout);
    assert!(valid, "the OpenAPI description is not valid:\n{report}");

    // The validator does catch what was wrong before: a query parameter declared in the path.
    let mut broken: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    broken["paths"]["/api/agency/due"]["get"]["parameters"][0]["in"] = "path".into();
    let (valid, _) = validate(&serde_json::to_vec(&broken).expect("JSON"));
    assert!(
        !valid,
        "a query parameter declared as a path parameter is refused"
    );
}
