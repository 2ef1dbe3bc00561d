//! A visitor with their own cookie jar: requests, forms, sign-in, and what a page or a
//! response says (its session cookie, its redirect, a preview's digest).

#[allow(unused_imports)]
use super::*;
use reqwest::StatusCode;

/// One person with their own cookie jar.
pub struct Visitor {
    pub address: String,
    pub client: reqwest::Client,
}

/// The digest a preview page's form confirms (`name="confirm" value="…"`).
pub fn preview_digest(html: &str) -> Option<String> {
    let field = "name=\"confirm\" value=\"";
    let start = html.find(field)? + field.len();
    html[start..].split('"').next().map(str::to_owned)
}

impl Visitor {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    /// GETs `path` with one more request header.
    pub async fn client_get_with(&self, path: &str, header: (&str, &str)) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .header(header.0, header.1)
            .send()
            .await
            .expect("GET")
    }

    pub async fn get_html(&self, path: &str) -> (reqwest::StatusCode, String) {
        let response = self.get(path).await;
        let status = response.status();
        (status, response.text().await.expect("a body"))
    }

    /// The session's CSRF token: in the head of every page once the session has one (always
    /// when signed in), otherwise from the login form, which makes one.
    pub async fn csrf(&self) -> String {
        let (_, html) = self.get_html("/").await;
        let meta = "<meta name=\"csrf-token\" content=\"";
        if let Some(start) = html.find(meta) {
            return html[start + meta.len()..]
                .split('"')
                .next()
                .unwrap()
                .to_owned();
        }
        let (_, html) = self.get_html("/login").await;
        let field = "name=\"csrf_token\" value=\"";
        let start = html.find(field).expect("a csrf field on the login form") + field.len();
        html[start..].split('"').next().unwrap().to_owned()
    }

    /// POSTs a form with the session's CSRF token added.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let token = self.csrf().await;
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        all.push(("csrf_token", token.as_str()));
        self.post_raw(path, &all).await
    }

    /// POSTs a `multipart/form-data` form, the session's CSRF token first, then `parts`:
    /// (name, file name for a file, bytes).
    pub async fn post_multipart(
        &self,
        path: &str,
        parts: &[(&str, Option<&str>, &[u8])],
    ) -> reqwest::Response {
        let token = self.csrf().await;
        let boundary = "marquee-test-boundary-7d41";
        let mut body = Vec::new();
        let csrf = [("csrf_token", None, token.as_bytes())];
        for (name, file, bytes) in csrf.iter().chain(parts) {
            body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
            let disposition = match file {
                Some(file) => format!(
                    "Content-Disposition: form-data; name=\"{name}\"; filename=\"{file}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                ),
                None => format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n"),
            };
            body.extend_from_slice(disposition.as_bytes());
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        self.client
            .post(self.url(path))
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body)
            .send()
            .await
            .expect("POST")
    }

    /// POSTs an admin change and, when the answer is its preview, confirms what it shows: the
    /// way an administrator saves one. Anything else (a refusal, a redirect) is returned as is.
    pub async fn post_confirmed(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let first = self.post(path, fields).await;
        if first.status() != reqwest::StatusCode::OK {
            return first;
        }
        let html = first.text().await.expect("a body");
        let digest = preview_digest(&html).expect("a preview with a confirm field");
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        all.push(("confirm", digest.as_str()));
        self.post(path, &all).await
    }

    /// POSTs exactly these fields (no token added).
    pub async fn post_raw(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .form(fields)
            .send()
            .await
            .expect("POST")
    }

    /// `POST /posts/new`: a post with this title and text, published or a draft.
    pub async fn write_post(&self, title: &str, body: &str, published: bool) -> reqwest::Response {
        let status = if published { "published" } else { "draft" };
        self.post(
            "/posts/new",
            &[("title", title), ("body", body), ("status", status)],
        )
        .await
    }

    /// `POST /movies/{id}/reviews`.
    pub async fn review(&self, movie_id: i32, rating: &str, body: &str) -> reqwest::Response {
        self.post(
            &format!("/movies/{movie_id}/reviews"),
            &[("rating", rating), ("body", body)],
        )
        .await
    }

    /// `POST /groups`: a new group.
    pub async fn create_group(&self, name: &str, description: &str) -> reqwest::Response {
        self.post("/groups", &[("name", name), ("description", description)])
            .await
    }

    pub async fn login(&self, login: &str, password: &str) -> reqwest::Response {
        self.post("/login", &[("login", login), ("password", password)])
            .await
    }

    /// Logs in and checks that it worked.
    pub async fn login_ok(&self, login: &str, password: &str) {
        let response = self.login(login, password).await;
        assert_eq!(
            response.status(),
            StatusCode::SEE_OTHER,
            "login as {login} should succeed"
        );
    }

    /// The username shown in the navigation, if signed in.
    pub async fn nav_username(&self) -> Option<String> {
        let (_, html) = self.get_html("/").await;
        let marker = "class=\"nav-username\" href=\"/users/";
        let start = html.find(marker)? + marker.len();
        Some(html[start..].split('"').next()?.to_owned())
    }
}

/// The session cookie a response sets (`marquee_session=…`), as someone who copied it would
/// have it.
pub fn session_cookie(response: &reqwest::Response) -> String {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("marquee_session="))
        .and_then(|v| v.split(';').next())
        .expect("a session cookie")
        .to_owned()
}

pub fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}
