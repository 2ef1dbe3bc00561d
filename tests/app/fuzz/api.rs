//! The API's face of the fuzz: every operation the served OpenAPI document lists, driven by an
//! administrator's token with generated hostile path parameters, query parameters and JSON
//! bodies (every documented field of the body as a hostile string, number, boolean, null,
//! array or object; some bodies not JSON at all). The operations come from the document, so a
//! new endpoint is fuzzed as soon as it is documented.
//!
//! Asserted for each request: no 5xx, no dropped connection, and an answer the document
//! documents for that operation (status, content type and schema, checked by `Api`).
//! Asserted at the end: the token still works and nothing stored that a form would refuse.

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use reqwest::Method;
use serde_json::{Map, Value, json};

use super::{hostile, nothing_refusable_is_stored};
use crate::api_client::{Api, make_token};

/// A hostile JSON value for a field of a body.
fn hostile_json() -> BoxedStrategy<Value> {
    prop_oneof![
        4 => hostile().prop_map(Value::String),
        1 => any::<i64>().prop_map(Value::from),
        1 => Just(json!(i64::MIN)),
        1 => Just(json!(u64::MAX)),
        1 => Just(json!(1e308)),
        1 => Just(json!(-0.5)),
        1 => any::<bool>().prop_map(Value::Bool),
        1 => Just(Value::Null),
        1 => proptest::collection::vec(hostile().prop_map(Value::String), 0..4).prop_map(Value::Array),
        1 => Just(json!({"nested": {"deeper": ["x", 1, null]}})),
        1 => Just((0..20).fold(json!(1), |inner, _| json!([inner]))),
    ]
    .boxed()
}

/// Bodies that are not what any operation reads.
fn hostile_body() -> BoxedStrategy<Vec<u8>> {
    prop_oneof![
        Just(b"{".to_vec()),
        Just(b"null".to_vec()),
        Just(b"[]".to_vec()),
        Just(b"\"text\"".to_vec()),
        Just(b"{\"a\":1,\"a\":2}".to_vec()),
        Just(vec![0xff, 0xfe, 0x00, 0x7b]),
        Just("[".repeat(10_000).into_bytes()),
        Just(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\x7f\xff\xff\xff\x7f\xff\xff\xff\x08\x02".to_vec()),
        Just(b"GIF89a\xff\xff\xff\xff".to_vec()),
        hostile().prop_map(String::into_bytes),
    ]
    .boxed()
}

/// One operation of the document.
struct Operation {
    method: Method,
    template: String,
    path_params: Vec<String>,
    query_params: Vec<String>,
    /// The body's media type and, for JSON, its fields with their schema's type.
    body: Option<(String, Vec<(String, String)>)>,
}

/// A schema with its `$ref` followed.
fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(reference) => reference
            .strip_prefix("#/")
            .map(|path| path.split('/').fold(doc, |node, key| &node[key]))
            .unwrap_or(schema),
        None => schema,
    }
}

/// The fields of an object schema (through `$ref` and `allOf`) with their type's name.
fn fields(doc: &Value, schema: &Value) -> Vec<(String, String)> {
    let schema = resolve(doc, schema);
    let mut found = Vec::new();
    if let Some(parts) = schema["allOf"].as_array() {
        for part in parts {
            found.extend(fields(doc, part));
        }
    }
    if let Some(properties) = schema["properties"].as_object() {
        for (name, property) in properties {
            let property = resolve(doc, property);
            let kind = match &property["type"] {
                Value::String(kind) => kind.clone(),
                Value::Array(kinds) => kinds
                    .iter()
                    .filter_map(Value::as_str)
                    .find(|k| *k != "null")
                    .unwrap_or("string")
                    .to_owned(),
                _ => "string".to_owned(),
            };
            found.push((name.clone(), kind));
        }
    }
    found
}

fn operations(doc: &Value) -> Vec<Operation> {
    let mut found = Vec::new();
    for (template, item) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("a path item") {
            let Ok(method) = method.to_uppercase().parse::<Method>() else {
                continue;
            };
            let parameters = operation["parameters"].as_array().cloned();
            let named = |place: &str| -> Vec<String> {
                parameters
                    .iter()
                    .flatten()
                    .filter(|p| p["in"] == place)
                    .filter_map(|p| p["name"].as_str().map(str::to_owned))
                    .collect()
            };
            let body = operation["requestBody"]["content"]
                .as_object()
                .and_then(|content| content.iter().next())
                .map(|(media, content)| (media.clone(), fields(doc, &content["schema"])));
            found.push(Operation {
                method,
                template: template.clone(),
                path_params: named("path"),
                query_params: named("query"),
                body,
            });
        }
    }
    // Deletions last, so that what they remove was there for every other operation.
    found.sort_by_key(|o| o.method == Method::DELETE);
    found
}

/// A value that names something the demo data holds, so the body is reached: the fuzzer's
/// own token is never one of them (its id is not 1).
fn known(param: &str) -> &'static str {
    match param {
        "slug" => "fuzz-target",
        "username" => "boss",
        "permission" => "posts.write",
        _ => "1",
    }
}

/// A field's value that its schema's type allows, so that its neighbours' are what is refused.
fn plausible(kind: &str) -> Value {
    match kind {
        "integer" | "number" => json!(1),
        "boolean" => json!(true),
        "array" => json!(["fuzz"]),
        "object" => json!({}),
        _ => json!("fuzz value"),
    }
}

/// One request, planned.
struct Attempt {
    operation: usize,
    path: String,
    query: Vec<(String, String)>,
    body: Option<Vec<u8>>,
    json: bool,
}

fn plan(operations: &[Operation], cases: usize) -> Vec<Attempt> {
    let mut runner = TestRunner::deterministic();
    let text = hostile();
    let value = hostile_json();
    let raw = hostile_body();
    let coin = any::<u8>();
    let number = prop_oneof![
        any::<i64>().prop_map(Value::from),
        Just(json!(i64::MIN)),
        Just(json!(u64::MAX)),
        Just(json!(-1)),
        Just(json!(0)),
        Just(json!(2_147_483_648_i64)),
        Just(json!(1.5)),
    ];
    let draw_text = |runner: &mut TestRunner| -> String {
        // An address is cut to 3,000 characters a value: the client refuses longer ones.
        text.new_tree(runner)
            .unwrap()
            .current()
            .chars()
            .take(3_000)
            .collect()
    };
    let mut attempts = Vec::new();
    for (index, operation) in operations.iter().enumerate() {
        for case in 0..cases {
            let mut path = operation.template.clone();
            for param in &operation.path_params {
                let chosen = match case % 2 {
                    0 => known(param).to_owned(),
                    _ => draw_text(&mut runner),
                };
                path = path.replace(
                    &format!("{{{param}}}"),
                    &marquee::routes::respond::urlencode(&chosen),
                );
            }
            // Each parameter given one time in two, so that the others are reached alone too.
            let mut query = Vec::new();
            for name in &operation.query_params {
                if coin
                    .new_tree(&mut runner)
                    .unwrap()
                    .current()
                    .is_multiple_of(2)
                {
                    query.push((name.clone(), draw_text(&mut runner)));
                }
            }
            let mut json = false;
            let body = operation.body.as_ref().map(|(media, fields)| {
                let flip = coin.new_tree(&mut runner).unwrap().current();
                if media != "application/json" || flip.is_multiple_of(5) {
                    return raw.new_tree(&mut runner).unwrap().current();
                }
                json = true;
                let mut object = Map::new();
                for (name, kind) in fields {
                    // Mostly a hostile value of the field's own type, so that the body parses
                    // and reaches the rules; sometimes one of any type, or a plausible one.
                    let flip = coin.new_tree(&mut runner).unwrap().current();
                    let chosen = match (flip % 6, kind.as_str()) {
                        (0, _) => plausible(kind),
                        (1, _) => value.new_tree(&mut runner).unwrap().current(),
                        (_, "integer" | "number") => {
                            number.new_tree(&mut runner).unwrap().current()
                        }
                        (_, "boolean") => Value::Bool(flip > 127),
                        (_, "array") => {
                            let items =
                                (0..flip % 4).map(|_| Value::String(draw_text(&mut runner)));
                            Value::Array(items.collect())
                        }
                        (_, "object") => json!({}),
                        _ => Value::String(text.new_tree(&mut runner).unwrap().current()),
                    };
                    object.insert(name.clone(), chosen);
                }
                serde_json::to_vec(&Value::Object(object)).unwrap()
            });
            attempts.push(Attempt {
                operation: index,
                path,
                query,
                body,
                json,
            });
        }
    }
    attempts
}

backend_tests! {
    async fn no_generated_hostile_api_call_gets_a_5xx_or_an_undocumented_answer(test_db: TestDb) {
        let mut settings = test_db.settings();
        settings.api_rate_per_minute = 1_000_000;
        let app = test_db.spawn_with(settings).await;
        app.seed_demo().await;
        let boss = app.signed_in("boss", "admin").await;
        app.create_post(boss.id, "Fuzz target", true, None, &["rust"]).await;
        // A first token takes id 1, the one `known` names; the fuzzer acts with the second.
        let every: Vec<&str> = entity::enums::Permission::all().iter().map(|p| p.as_str()).collect();
        let _decoy = make_token(&boss, &every).await;
        let token = make_token(&boss, &every).await;
        let api = Api::new(&app).await;
        let cases = std::env::var("MARQUEE_FUZZ_CASES")
            .ok()
            .and_then(|v| v.parse::<usize>().ok())
            .unwrap_or(24)
            .div_ceil(2);
        let operations = operations(&api.doc);
        assert!(operations.len() > 50, "{} operations", operations.len());
        for attempt in plan(&operations, cases) {
            let operation = &operations[attempt.operation];
            let query = attempt
                .query
                .iter()
                .map(|(k, v)| format!("{k}={}", marquee::routes::respond::urlencode(v)))
                .collect::<Vec<_>>()
                .join("&");
            let path = match query.is_empty() {
                true => attempt.path.clone(),
                false => format!("{}?{query}", attempt.path),
            };
            let mut call = api.call(operation.method.clone(), &path);
            call.token = Some(&token);
            if let Some(body) = attempt.body {
                let media = match attempt.json {
                    true => "application/json".to_owned(),
                    false => operation.body.as_ref().map(|(m, _)| m.clone()).unwrap_or_default(),
                };
                call.headers.push(("content-type", media.replace('*', "png")));
                call.raw = Some(body);
            }
            let shown: String = path.chars().take(200).collect();
            let reply = api.send(call).await;
            assert!(
                reply.status.as_u16() < 500,
                "{} {shown}: {} {}",
                operation.method,
                reply.status,
                reply.body
            );
        }

        // The token still acts, and nothing refusable was stored.
        assert_eq!(api.get("/api/v1/me", Some(&token)).await.status, reqwest::StatusCode::OK);
        nothing_refusable_is_stored(&app).await;
        app.stop().await;
    }
}
