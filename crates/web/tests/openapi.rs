#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.
//! The OpenAPI document is generated from the handlers; `docs/openapi.json` is its
//! reviewed snapshot. Run with UPDATE_SNAPSHOTS=1 to accept a change.

#[test]
fn openapi_document_matches_its_snapshot() {
    let generated = convene_web::api::openapi_json();
    let doc: serde_json::Value = serde_json::from_str(&generated).unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().unwrap();
    assert!(
        paths.keys().all(|p| p.starts_with("/api/v1/")),
        "{:?}",
        paths.keys()
    );
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            let responses = op["responses"].as_object().unwrap();
            assert!(!responses.is_empty(), "{method} {path} documents its responses");
        }
    }
    let file = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/openapi.json");
    if std::env::var("UPDATE_SNAPSHOTS").is_ok() {
        std::fs::write(file, format!("{generated}\n")).unwrap();
    }
    let snapshot = std::fs::read_to_string(file).unwrap_or_default();
    assert_eq!(
        snapshot.trim_end(),
        generated.trim_end(),
        "the API changed: review it, then run UPDATE_SNAPSHOTS=1 cargo test -p convene-web --test openapi"
    );
}
