//! GET /console/ and its files (routes `/console/`, `/console/{proxy+}`, and `/console`, which
//! redirects): the web console, a static page that calls this same API (so
//! there is one URL, no CORS and one deploy). The files under `assets/` are compiled into the
//! binary; the function reads nothing and holds no secret. Every response carries a strict
//! Content-Security-Policy: the page's own files only, no inline script or style, no framing.

use lambda_http::{
    http::{
        header::{CACHE_CONTROL, CONTENT_TYPE, LOCATION},
        HeaderValue, StatusCode,
    },
    Body, Request, RequestExt, Response,
};
use tessera_common::{lambda::Function, AppState};

mod assets;

pub use assets::ASSETS;

/// What main.rs runs and the local API calls.
pub const FUNCTION: Function = Function::Http(|state, req| Box::pin(handle(state, req)));

/// The policy of every response. `connect-src 'self'` is the API; nothing else is reachable.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self'; img-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; \
     form-action 'self'; frame-ancestors 'none'";

pub async fn handle(_state: &AppState, req: Request) -> Response<Body> {
    let asset = req.path_parameters_ref().and_then(|p| p.first("proxy"));
    serve(req.uri().path(), asset)
}

/// The response for a request path and its `{proxy+}` part (the file name), if any.
pub fn serve(path: &str, file: Option<&str>) -> Response<Body> {
    let file = file.filter(|f| !f.is_empty());
    match file {
        // `/console` without its slash: the page's relative links need the folder.
        None if !path.ends_with('/') => {
            let mut response = respond(StatusCode::PERMANENT_REDIRECT, TEXT, "");
            response
                .headers_mut()
                .insert(LOCATION, HeaderValue::from_static("console/"));
            response
        }
        None => asset_response("index.html"),
        Some(name) => asset_response(name),
    }
}

const TEXT: &str = "text/plain; charset=utf-8";

fn asset_response(name: &str) -> Response<Body> {
    match ASSETS.iter().find(|asset| asset.name == name) {
        Some(asset) => respond(StatusCode::OK, asset.content_type, asset.body),
        None => respond(
            StatusCode::NOT_FOUND,
            TEXT,
            "The console has no such file.\n",
        ),
    }
}

fn respond(status: StatusCode, content_type: &str, body: &'static str) -> Response<Body> {
    Response::builder()
        .status(status)
        .header(CONTENT_TYPE, content_type)
        // As every response of the API: a deploy's new console is seen at once, and the
        // files are small.
        .header(CACHE_CONTROL, "no-store")
        .header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        .header("X-Content-Type-Options", "nosniff")
        .header("Referrer-Policy", "no-referrer")
        .header("X-Frame-Options", "DENY")
        .header("Cross-Origin-Opener-Policy", "same-origin")
        .header("Cross-Origin-Resource-Policy", "same-origin")
        .body(Body::Text(body.to_owned()))
        .expect("static response parts are valid")
}

#[cfg(test)]
mod tests;
