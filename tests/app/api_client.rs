//! A JSON API client for tests that checks every reply against the served OpenAPI document:
//! the status must be one the operation documents, the content type the documented one, and
//! the body must validate against the documented schema (with `jsonschema`). So the document
//! and the behaviour cannot drift apart: a test that gets an undocumented answer fails.

use reqwest::{Method, StatusCode, header::HeaderMap};
use serde_json::{Value, json};

use crate::helpers::{TestApp, Visitor};

pub struct Api {
    pub address: String,
    client: reqwest::Client,
    pub doc: Value,
    /// Compiled response schemas, by operation, status and media type.
    validators:
        std::sync::Mutex<std::collections::HashMap<String, std::sync::Arc<jsonschema::Validator>>>,
}

/// One answer of the API, already checked against the document.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Reply {
    pub fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    }

    /// The fields named in a problem's `errors`.
    pub fn fields(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|e| {
                e.iter()
                    .filter_map(|p| p["field"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// A request: method, path, and optionally a token, a body and headers.
pub struct Call<'a> {
    pub method: Method,
    pub path: String,
    pub token: Option<&'a str>,
    pub body: Option<Value>,
    /// A body sent as it is (a picture), instead of `body`'s JSON.
    pub raw: Option<Vec<u8>>,
    pub headers: Vec<(&'static str, String)>,
}

impl Api {
    pub async fn new(app: &TestApp) -> Api {
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(0)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let doc: Value = client
            .get(app.url("/api/openapi.json"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        Api {
            address: app.address.clone(),
            client,
            doc,
            validators: Default::default(),
        }
    }

    pub fn call(&self, method: Method, path: &str) -> Call<'_> {
        Call {
            method,
            path: path.to_owned(),
            token: None,
            body: None,
            raw: None,
            headers: Vec::new(),
        }
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Reply {
        self.send(Call {
            token,
            ..self.call(Method::GET, path)
        })
        .await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Reply {
        self.send(Call {
            token,
            body: Some(body),
            ..self.call(Method::POST, path)
        })
        .await
    }

    pub async fn put(&self, path: &str, token: Option<&str>, body: Value) -> Reply {
        self.send(Call {
            token,
            body: Some(body),
            ..self.call(Method::PUT, path)
        })
        .await
    }

    pub async fn patch(&self, path: &str, token: Option<&str>, body: Value) -> Reply {
        self.send(Call {
            token,
            body: Some(body),
            ..self.call(Method::PATCH, path)
        })
        .await
    }

    pub async fn delete(&self, path: &str, token: Option<&str>) -> Reply {
        self.send(Call {
            token,
            ..self.call(Method::DELETE, path)
        })
        .await
    }

    /// Sends a request with this client (no cookies) and checks the reply.
    pub async fn send(&self, call: Call<'_>) -> Reply {
        let mut request = self.client.request(
            call.method.clone(),
            format!("{}{}", self.address, call.path),
        );
        if let Some(token) = call.token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = &call.body {
            request = request.json(body);
        }
        if let Some(raw) = call.raw {
            request = request.body(raw);
        }
        for (name, value) in &call.headers {
            request = request.header(*name, value);
        }
        let response = request.send().await.expect("an API request");
        self.check(&call.method, &call.path, response).await
    }

    /// Checks a response to `method path` against the document and returns it.
    pub async fn check(&self, method: &Method, path: &str, response: reqwest::Response) -> Reply {
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap();
        let body: Value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("{method} {path}: not JSON ({e}): {text}"))
        };
        let reply = Reply {
            status,
            headers,
            body,
        };
        self.conforms(method, path, &reply);
        reply
    }

    /// The operation of the document that serves `path` (literal segments beat parameters), if
    /// the document has the path and the method.
    pub fn operation(&self, method: &Method, path: &str) -> Option<(String, Value)> {
        let path = path.split('?').next().unwrap_or(path);
        let segments: Vec<&str> = path.split('/').collect();
        let paths = self.doc["paths"].as_object().expect("paths");
        let best = paths
            .iter()
            .filter_map(|(template, item)| {
                let parts: Vec<&str> = template.split('/').collect();
                if parts.len() != segments.len() {
                    return None;
                }
                let mut literal = 0;
                for (part, segment) in parts.iter().zip(&segments) {
                    if part.starts_with('{') {
                        continue;
                    }
                    if part != segment {
                        return None;
                    }
                    literal += 1;
                }
                Some((literal, template, item))
            })
            .max_by_key(|(literal, _, _)| *literal)?;
        let operation = best.2.get(method.as_str().to_lowercase())?.clone();
        Some((best.1.clone(), operation))
    }

    fn conforms(&self, method: &Method, path: &str, reply: &Reply) {
        let Some((template, operation)) = self.operation(method, path) else {
            // An address or a method the document has no operation for: a 404 or 405, still
            // a problem document.
            assert!(
                matches!(
                    reply.status,
                    StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED
                ),
                "{method} {path} is not documented but answered {}",
                reply.status
            );
            assert_problem(method, path, reply);
            return;
        };
        let code = reply.status.as_u16().to_string();
        let documented = operation["responses"].get(&code).unwrap_or_else(|| {
            panic!(
                "{method} {template} answered {code}, which it does not document: {}",
                reply.body
            )
        });
        let Some(content) = documented.get("content").and_then(Value::as_object) else {
            assert!(
                reply.body.is_null(),
                "{method} {template} {code} documents no body but sent {}",
                reply.body
            );
            return;
        };
        let content_type = reply.header("content-type");
        let (media, schema) = content
            .iter()
            .find(|(media, _)| content_type.starts_with(media.as_str()))
            .unwrap_or_else(|| {
                panic!("{method} {template} {code}: content type {content_type} is not documented")
            });
        let key = format!("{method} {template} {code} {media}");
        let cached = self.validators.lock().unwrap().get(&key).cloned();
        let validator = match cached {
            Some(validator) => validator,
            None => {
                let root = json!({
                    "$schema": "https://json-schema.org/draft/2020-12/schema",
                    "components": self.doc["components"],
                    "allOf": [schema["schema"]],
                });
                let compiled =
                    std::sync::Arc::new(jsonschema::validator_for(&root).unwrap_or_else(|e| {
                        panic!("{method} {template} {code}: schema does not compile: {e}")
                    }));
                self.validators
                    .lock()
                    .unwrap()
                    .insert(key, compiled.clone());
                compiled
            }
        };
        let errors: Vec<String> = validator
            .iter_errors(&reply.body)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "{method} {template} {code} ({media}) does not match its schema: {errors:?}\n{}",
            reply.body
        );
    }
}

fn assert_problem(method: &Method, path: &str, reply: &Reply) {
    assert!(
        reply
            .header("content-type")
            .starts_with("application/problem+json"),
        "{method} {path}: {} is not a problem: {:?}",
        reply.status,
        reply.headers
    );
    assert_eq!(
        reply.body["status"],
        reply.status.as_u16(),
        "{}",
        reply.body
    );
}

/// Makes a personal access token through the settings page, as its owner would, and returns
/// the secret shown once.
pub async fn make_token(member: &Visitor, scopes: &[&str]) -> String {
    let mut fields = vec![("name", "test token"), ("expires_in_days", "30")];
    fields.extend(scopes.iter().map(|s| ("scopes", *s)));
    let response = member.post("/settings/tokens", &fields).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let html = response.text().await.unwrap();
    let doc = crate::helpers::Doc::parse(&html);
    let secret = doc.text("code.secret");
    assert!(secret.starts_with("mqt_"), "{secret}");
    secret
}
