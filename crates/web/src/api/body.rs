//! Request bodies of the API: JSON objects only, refused as problem+json that says what is
//! wrong (415 not JSON, 400 not valid JSON, 413 too large, 422 naming the field of the
//! wrong shape), and integral floats (`1.0`) taken as the integers they are, as JSON itself
//! does not tell `1` from `1.0`.
//!
//! [`JsonBody`] parses before the handler runs. [`RawJson`] only reads the bytes, so that
//! a handler can answer 404 or 403 before it looks at the body.

use crate::api::ApiError;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, StatusCode, header};
use serde::de::DeserializeOwned;
use serde_json::{Number, Value};

/// A JSON body, parsed into `T`.
pub struct JsonBody<T>(pub T);

impl<S, T> FromRequest<S> for JsonBody<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let raw = RawJson::from_request(req, state).await?;
        raw.parse().map(JsonBody)
    }
}

/// A body read but not parsed yet: [`RawJson::parse`] checks its type and shape.
pub struct RawJson {
    is_json: bool,
    bytes: Bytes,
}

impl<S> FromRequest<S> for RawJson
where
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let is_json = json_content_type(req.headers());
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|rejection| match rejection.status() {
                StatusCode::PAYLOAD_TOO_LARGE => {
                    refusal(StatusCode::PAYLOAD_TOO_LARGE, "The body is over 1 MB.")
                }
                status => refusal(status, "The body could not be read."),
            })?;
        Ok(RawJson { is_json, bytes })
    }
}

impl RawJson {
    /// The body as `T`: 415 unless it is sent as JSON, 400 unless it is valid JSON, 422
    /// (naming the field) unless it has the shape of `T`.
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, ApiError> {
        if !self.is_json {
            return Err(refusal(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Send the body as JSON, with 'Content-Type: application/json'.",
            ));
        }
        let mut value: Value = serde_json::from_slice(&self.bytes).map_err(|e| {
            refusal(
                StatusCode::BAD_REQUEST,
                &format!("The body is not valid JSON: {e}."),
            )
        })?;
        // Every body of this API is an object (serde would also read a struct from an array).
        if !value.is_object() {
            return Err(ApiError {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                detail: "The body is not the JSON this operation takes: it must be a JSON object.".into(),
                fields: vec![("body".into(), "must be a JSON object".into())],
            });
        }
        integral_floats_as_integers(&mut value);
        serde_path_to_error::deserialize(value).map_err(|e| {
            let (field, message) = field_and_message(&e);
            ApiError {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                detail: format!("The body is not the JSON this operation takes: {field}: {message}."),
                fields: vec![(field, message)],
            }
        })
    }
}

/// True for `application/json` and `application/<anything>+json`, with any parameters.
fn json_content_type(headers: &HeaderMap) -> bool {
    let Some(value) = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let essence = value.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
}

fn refusal(status: StatusCode, detail: &str) -> ApiError {
    ApiError {
        status,
        detail: detail.to_string(),
        fields: Vec::new(),
    }
}

/// Rewrites every number that is a whole float within the range of i64 (such as `1.0` or
/// `1e3`) as that integer; other numbers stay as they are.
fn integral_floats_as_integers(value: &mut Value) {
    match value {
        Value::Number(n) if n.is_f64() => {
            if let Some(f) = n.as_f64()
                && f.fract() == 0.0
                && (-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&f)
            {
                // In range and whole, so the cast is exact.
                #[allow(clippy::cast_possible_truncation)]
                let whole = f as i64;
                *n = Number::from(whole);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(integral_floats_as_integers),
        Value::Object(fields) => fields.values_mut().for_each(integral_floats_as_integers),
        _ => {}
    }
}

/// The field a shape error is about (dotted, as `answers.key` or `sections[0].key`; `body`
/// for the whole body) and what is wrong with it.
fn field_and_message(e: &serde_path_to_error::Error<serde_json::Error>) -> (String, String) {
    let path = e.path().to_string();
    let message = e.inner().to_string();
    // A missing field is reported at its parent: name the field itself.
    if let Some(name) = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.strip_suffix('`'))
    {
        let field = if path == "." {
            name.to_string()
        } else {
            format!("{path}.{name}")
        };
        return (field, "is required".to_string());
    }
    let field = if path == "." { "body".to_string() } else { path };
    (field, message)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize, Debug)]
    struct Start {
        place_id: i64,
        #[serde(default)]
        nested: Vec<Inner>,
    }

    #[derive(Deserialize, Debug)]
    struct Inner {
        #[allow(dead_code)]
        version: i64,
    }

    fn raw(body: &str) -> RawJson {
        RawJson {
            is_json: true,
            bytes: Bytes::from(body.to_string()),
        }
    }

    #[test]
    fn integral_floats_are_integers() {
        let start: Start = raw(r#"{"place_id": 3.0, "nested": [{"version": 1e2}]}"#)
            .parse()
            .unwrap();
        assert_eq!(start.place_id, 3);
        assert_eq!(start.nested.len(), 1);
    }

    #[test]
    fn refusals_name_the_field() {
        let e = raw(r#"{"place_id": 3.5}"#).parse::<Start>().unwrap_err();
        assert_eq!(e.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(e.fields[0].0, "place_id");
        let e = raw(r#"{}"#).parse::<Start>().unwrap_err();
        assert_eq!(e.fields, [("place_id".to_string(), "is required".to_string())]);
        let e = raw(r#"{"place_id": 1, "nested": [{"version": "x"}]}"#)
            .parse::<Start>()
            .unwrap_err();
        assert_eq!(e.fields[0].0, "nested[0].version");
        let e = raw("[1]").parse::<Start>().unwrap_err();
        assert_eq!(e.fields[0].0, "body");
        let e = raw(r#"{"place_id": 1e300}"#).parse::<Start>().unwrap_err();
        assert_eq!(e.fields[0].0, "place_id");
    }

    #[test]
    fn not_json_is_400_and_another_type_415() {
        assert_eq!(
            raw("{").parse::<Start>().unwrap_err().status,
            StatusCode::BAD_REQUEST
        );
        let form = RawJson {
            is_json: false,
            bytes: Bytes::from_static(b"place_id=1"),
        };
        assert_eq!(
            form.parse::<Start>().unwrap_err().status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE
        );
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_TYPE,
            "application/merge-patch+json; charset=utf-8".parse().unwrap(),
        );
        assert!(json_content_type(&headers));
        headers.insert(header::CONTENT_TYPE, "text/json".parse().unwrap());
        assert!(!json_content_type(&headers));
    }
}
