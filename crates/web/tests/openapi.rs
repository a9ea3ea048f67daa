#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.
//! The OpenAPI document is generated from the handlers; `docs/openapi.json` is its
//! reviewed snapshot. Run with UPDATE_SNAPSHOTS=1 to accept a change. The document must
//! also say every status each operation can answer (scripts/contract/document_check.py
//! checks the same in the contract suite, with openapi-spec-validator and schemathesis).

use serde_json::Value;

fn document() -> (String, Value) {
    let generated = convene_web::api::openapi_json();
    let doc: Value = serde_json::from_str(&generated).unwrap();
    (generated, doc)
}

/// Every operation: (path, method, operation).
fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            out.push((path.clone(), method.clone(), op.clone()));
        }
    }
    out
}

#[test]
fn openapi_document_matches_its_snapshot() {
    let (generated, doc) = document();
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().unwrap();
    assert!(
        paths.keys().all(|p| p.starts_with("/api/v1/")),
        "{:?}",
        paths.keys()
    );
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

#[test]
fn every_operation_documents_the_statuses_it_can_answer() {
    let (_, doc) = document();
    let mut problems = Vec::new();
    for (path, method, op) in operations(&doc) {
        let at = format!("{} {path}", method.to_uppercase());
        let responses = op["responses"].as_object().unwrap();
        let has = |status: &str| responses.contains_key(status);
        // Public operations take no token at all: `security: []`, never `[{}]`.
        let public = op.get("security").is_some_and(|s| s == &Value::Array(Vec::new()));
        if let Some(security) = op.get("security")
            && !public
        {
            problems.push(format!(
                "{at}: security {security} (a public operation declares [])"
            ));
        }
        let mut needed = Vec::new();
        if !public {
            needed.extend(["401", "403"]);
        }
        if path.contains('{') {
            needed.push("404");
        }
        let has_body = op.get("requestBody").is_some();
        if path.contains("{id}") || has_body {
            needed.push("400");
        }
        if has_body {
            needed.extend(["413", "415", "422"]);
        }
        for status in needed {
            if !has(status) {
                problems.push(format!("{at}: {status} not documented"));
            }
        }
        for (status, response) in responses {
            if status.starts_with('4')
                && response["content"]["application/problem+json"]["schema"]["$ref"]
                    != "#/components/schemas/Problem"
            {
                problems.push(format!(
                    "{at}: {status} is not a Problem (application/problem+json)"
                ));
            }
        }
        if op["operationId"].as_str().is_none_or(str::is_empty) {
            problems.push(format!("{at}: no operationId"));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn public_operations_are_the_ones_meant_to_be() {
    let (_, doc) = document();
    let mut public: Vec<String> = operations(&doc)
        .into_iter()
        .filter(|(_, _, op)| op.get("security").is_some())
        .map(|(_, _, op)| op["operationId"].as_str().unwrap().to_string())
        .collect();
    public.sort();
    assert_eq!(
        public,
        [
            "create_token",
            "get_360giving_package",
            "get_360giving_table",
            "get_public_programme",
            "list_news",
            "list_open_calls",
            "list_programme_news",
            "register",
            "verify_email"
        ],
        "a public operation takes no token: add one here only on purpose"
    );
}
