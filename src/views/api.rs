//! The API reference page (`/docs/api`), rendered from the served OpenAPI document itself, so
//! the page, the document and the handlers cannot disagree.

use askama::Template;
use askama_web::WebTemplate;
use entity::enums::Permission;
use serde_json::Value;

use super::PageContext;

pub struct Param {
    pub name: String,
    pub location: String,
    pub required: bool,
    pub kind: String,
    pub description: String,
}

pub struct Reply {
    pub status: String,
    pub description: String,
    pub kind: String,
}

pub struct Operation {
    pub anchor: String,
    pub method: String,
    pub path: String,
    /// The handler's doc comment (Markdown, made safe): its first line, then the rest.
    pub summary_html: String,
    pub description_html: String,
    pub access: String,
    pub params: Vec<Param>,
    pub body: String,
    pub replies: Vec<Reply>,
}

pub struct Section {
    pub tag: String,
    pub description: String,
    pub operations: Vec<Operation>,
}

pub struct Field {
    pub name: String,
    pub kind: String,
    pub required: bool,
    pub description: String,
}

pub struct SchemaDoc {
    pub name: String,
    pub description: String,
    pub fields: Vec<Field>,
    /// For an enumeration: its values.
    pub values: Vec<String>,
}

/// A kind of problem (`type` in problem details is `/docs/api#{slug}`).
pub struct ProblemKind {
    pub slug: &'static str,
    pub title: &'static str,
    pub status: u16,
}

/// What the reference page shows, read once from the served document.
pub struct Reference {
    pub title: String,
    pub version: String,
    pub description_html: String,
    pub sections: Vec<Section>,
    pub schemas: Vec<SchemaDoc>,
    pub problems: Vec<ProblemKind>,
    /// What every operation may also answer.
    pub common: Vec<(&'static str, &'static str)>,
}

static REFERENCE: std::sync::LazyLock<Reference> =
    std::sync::LazyLock::new(|| Reference::from_document(&crate::api::doc::DOCUMENT));

#[derive(Template, WebTemplate)]
#[template(path = "api/reference.html")]
pub struct ApiReferencePage {
    pub ctx: PageContext,
    pub reference: &'static Reference,
}

impl ApiReferencePage {
    pub fn new(ctx: PageContext) -> ApiReferencePage {
        ApiReferencePage {
            ctx,
            reference: &REFERENCE,
        }
    }
}

fn text(value: &Value, key: &str) -> String {
    value
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned()
}

/// A schema in words: `Post`, `array of string`, `string or null`.
pub fn kind(schema: &Value) -> String {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        return reference.rsplit('/').next().unwrap_or(reference).to_owned();
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        if let Some(options) = schema.get(key).and_then(Value::as_array) {
            return options.iter().map(kind).collect::<Vec<_>>().join(" or ");
        }
    }
    let base = match schema.get("type") {
        Some(Value::String(t)) => t.clone(),
        Some(Value::Array(types)) => types
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(" or "),
        _ => "any".to_owned(),
    };
    match schema.get("items") {
        Some(items) => base.replacen("array", &format!("array of {}", kind(items)), 1),
        None => match schema.get("format").and_then(Value::as_str) {
            Some(format) if !format.starts_with("int") => format!("{base} ({format})"),
            _ => base,
        },
    }
}

fn access(operation: &Value) -> String {
    let Some(requirements) = operation.get("security").and_then(Value::as_array) else {
        return "anyone".to_owned();
    };
    let optional = requirements
        .iter()
        .any(|r| r.as_object().is_some_and(|o| o.is_empty()));
    let scopes: Vec<String> = requirements
        .iter()
        .filter_map(|r| r.get("bearer").and_then(Value::as_array))
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect();
    match (optional, scopes.is_empty()) {
        (true, _) => "anyone; a token or a session shows more".to_owned(),
        (false, true) => "a token (or, to read, a session)".to_owned(),
        (false, false) => format!("a token with {}", scopes.join(", ")),
    }
}

fn operation(method: &str, path: &str, op: &Value) -> Operation {
    let params = op
        .get("parameters")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .map(|p| Param {
                    name: text(p, "name"),
                    location: text(p, "in"),
                    required: p.get("required").and_then(Value::as_bool).unwrap_or(false),
                    kind: p.get("schema").map(kind).unwrap_or_default(),
                    description: text(p, "description"),
                })
                .collect()
        })
        .unwrap_or_default();
    let body = op
        .pointer("/requestBody/content/application~1json/schema")
        .map(kind)
        .unwrap_or_default();
    let replies = op
        .get("responses")
        .and_then(Value::as_object)
        .map(|responses| {
            responses
                .iter()
                // The answers every operation has are listed once, on their own.
                .filter(|(status, reply)| {
                    !crate::api::doc::COMMON_RESPONSES.contains(&(
                        status.as_str(),
                        reply
                            .get("description")
                            .and_then(Value::as_str)
                            .unwrap_or(""),
                    ))
                })
                .map(|(status, reply)| Reply {
                    status: status.clone(),
                    description: text(reply, "description"),
                    kind: reply
                        .get("content")
                        .and_then(Value::as_object)
                        .and_then(|c| c.values().next())
                        .and_then(|c| c.get("schema"))
                        .map(kind)
                        .unwrap_or_default(),
                })
                .collect()
        })
        .unwrap_or_default();
    let id = format!("{method}-{path}")
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect::<String>();
    Operation {
        anchor: id,
        method: method.to_uppercase(),
        path: path.to_owned(),
        summary_html: markup::to_safe_html(&text(op, "summary")),
        description_html: markup::to_safe_html(&text(op, "description")),
        access: access(op),
        params,
        body,
        replies,
    }
}

impl Reference {
    fn from_document(document: &Value) -> Reference {
        let mut sections: Vec<Section> = document
            .get("tags")
            .and_then(Value::as_array)
            .map(|tags| {
                tags.iter()
                    .map(|t| Section {
                        tag: text(t, "name"),
                        description: text(t, "description"),
                        operations: Vec::new(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        if let Some(paths) = document.get("paths").and_then(Value::as_object) {
            for (path, item) in paths {
                for method in ["get", "post", "put", "patch", "delete"] {
                    let Some(op) = item.get(method) else { continue };
                    let tag = op
                        .pointer("/tags/0")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_owned();
                    let found = operation(method, path, op);
                    match sections.iter_mut().find(|s| s.tag == tag) {
                        Some(section) => section.operations.push(found),
                        None => sections.push(Section {
                            tag,
                            description: String::new(),
                            operations: vec![found],
                        }),
                    }
                }
            }
        }
        let schemas = document
            .pointer("/components/schemas")
            .and_then(Value::as_object)
            .map(|all| {
                all.iter()
                    .map(|(name, schema)| {
                        let required: Vec<&str> = schema
                            .get("required")
                            .and_then(Value::as_array)
                            .map(|r| r.iter().filter_map(Value::as_str).collect())
                            .unwrap_or_default();
                        SchemaDoc {
                            name: name.clone(),
                            description: text(schema, "description"),
                            fields: schema
                                .get("properties")
                                .and_then(Value::as_object)
                                .map(|props| {
                                    props
                                        .iter()
                                        .map(|(field, s)| Field {
                                            name: field.clone(),
                                            kind: kind(s),
                                            required: required.contains(&field.as_str()),
                                            description: text(s, "description"),
                                        })
                                        .collect()
                                })
                                .unwrap_or_default(),
                            values: schema
                                .get("enum")
                                .and_then(Value::as_array)
                                .map(|v| {
                                    v.iter()
                                        .filter_map(Value::as_str)
                                        .map(str::to_owned)
                                        .collect()
                                })
                                .unwrap_or_default(),
                        }
                    })
                    .collect()
            })
            .unwrap_or_default();
        let problems = [
            400u16, 401, 403, 404, 405, 409, 412, 413, 422, 429, 500, 503,
        ]
        .into_iter()
        .map(|status| {
            let code = actix_web::http::StatusCode::from_u16(status)
                .unwrap_or(actix_web::http::StatusCode::INTERNAL_SERVER_ERROR);
            let (slug, title) = crate::api::problem::kind_of(code);
            ProblemKind {
                slug,
                title,
                status,
            }
        })
        .collect();
        Reference {
            title: document
                .pointer("/info/title")
                .and_then(Value::as_str)
                .unwrap_or("API")
                .to_owned(),
            version: document
                .pointer("/info/version")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned(),
            // The document's own Markdown, made safe like any post.
            description_html: markup::to_safe_html(
                document
                    .pointer("/info/description")
                    .and_then(Value::as_str)
                    .unwrap_or(""),
            ),
            sections,
            schemas,
            problems,
            common: crate::api::doc::COMMON_RESPONSES.to_vec(),
        }
    }
}
