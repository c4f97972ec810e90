use std::collections::BTreeSet;

use lambda_http::Body;
use tessera_admin::apigw::HttpApiRequest;
use tessera_test_support::broken_state;

use super::*;

fn text(response: &Response<Body>) -> &str {
    match response.body() {
        Body::Text(text) => text,
        other => panic!("a text body, not {other:?}"),
    }
}

fn header<'a>(response: &'a Response<Body>, name: &str) -> &'a str {
    response
        .headers()
        .get(name)
        .unwrap_or_else(|| panic!("no {name} header"))
        .to_str()
        .unwrap()
}

async fn get(path: &str, proxy: Option<&str>) -> Response<Body> {
    let route = if proxy.is_some() {
        "/console/{proxy+}"
    } else {
        "/console"
    };
    let mut req = HttpApiRequest::new("GET", route, path);
    if let Some(proxy) = proxy {
        req = req.path_parameter("proxy", proxy);
    }
    // It must not need DynamoDB or the signing key.
    handle(&broken_state().await, req.to_lambda_request()).await
}

#[tokio::test]
async fn the_page_and_its_files_are_served_with_their_types_and_the_security_headers() {
    let page = get("/console/", None).await;
    assert_eq!(page.status(), 200);
    assert_eq!(header(&page, "content-type"), "text/html; charset=utf-8");
    assert!(text(&page).contains("<label for=\"workspace-token\">Workspace token</label>"));
    for (path, proxy, content_type) in [
        (
            "/console/main.js",
            "main.js",
            "text/javascript; charset=utf-8",
        ),
        ("/console/style.css", "style.css", "text/css; charset=utf-8"),
        ("/console/icon.svg", "icon.svg", "image/svg+xml"),
    ] {
        let response = get(path, Some(proxy)).await;
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(header(&response, "content-type"), content_type, "{path}");
    }
    for response in [page, get("/console/nope.js", Some("nope.js")).await] {
        let csp = header(&response, "content-security-policy");
        for directive in [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "frame-ancestors 'none'",
        ] {
            assert!(
                csp.split("; ").any(|d| d == directive),
                "{csp} lacks {directive}"
            );
        }
        assert!(
            !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
            "{csp}"
        );
        assert_eq!(header(&response, "x-content-type-options"), "nosniff");
        assert_eq!(header(&response, "referrer-policy"), "no-referrer");
        assert_eq!(header(&response, "cache-control"), "no-store");
    }
}

#[tokio::test]
async fn the_folder_without_its_slash_redirects_and_unknown_files_are_404() {
    let bare = get("/console", None).await;
    assert_eq!(bare.status(), 308);
    assert_eq!(header(&bare, "location"), "console/");
    for (path, proxy) in [
        ("/console/nope.js", "nope.js"),
        ("/console/a/main.js", "a/main.js"),
    ] {
        let response = get(path, Some(proxy)).await;
        assert_eq!(response.status(), 404, "{path}");
        assert!(text(&response).contains("no such file"));
    }
}

/// Every `src="…"`, `href="…"` and `from "./…"` in the assets, as file names.
fn references() -> BTreeSet<(&'static str, String)> {
    let mut found = BTreeSet::new();
    for asset in ASSETS {
        for marker in ["src=\"", "href=\"", "from \"./", "import(\"./"] {
            for (i, _) in asset.body.match_indices(marker) {
                let rest = &asset.body[i + marker.len()..];
                let target = &rest[..rest.find('"').expect("a closing quote")];
                found.insert((asset.name, target.to_owned()));
            }
        }
    }
    found
}

#[test]
fn every_file_the_page_refers_to_is_served_and_none_is_remote() {
    let names: BTreeSet<&str> = ASSETS.iter().map(|a| a.name).collect();
    let references = references();
    assert!(references.len() >= 10, "{references:?}");
    for (from, target) in &references {
        assert!(
            !target.contains("//"),
            "{from} refers to another origin: {target}"
        );
        assert!(
            names.contains(target.as_str()),
            "{from} refers to {target}, which is not served"
        );
    }
    // And every served module is reachable from the page.
    for name in names.iter().filter(|n| n.ends_with(".js")) {
        assert!(
            references.iter().any(|(_, t)| t == name),
            "{name} is served but never loaded"
        );
    }
}

#[test]
fn the_page_has_no_inline_script_style_or_handler() {
    for asset in ASSETS.iter().filter(|a| a.name.ends_with(".html")) {
        let html = asset.body;
        assert!(
            !html.contains("<style"),
            "{}: a <style> element",
            asset.name
        );
        assert!(
            !html.contains(" style=\""),
            "{}: a style attribute",
            asset.name
        );
        assert!(
            !has_inline_handler(html),
            "{}: an inline event handler",
            asset.name
        );
        for (i, _) in html.match_indices("<script") {
            let tag = &html[i..i + html[i..].find('>').unwrap()];
            assert!(
                tag.contains(" src=\""),
                "{}: an inline script: {tag}",
                asset.name
            );
        }
    }
    for asset in ASSETS.iter().filter(|a| a.name.ends_with(".js")) {
        // Values from the API are text: no markup is ever parsed from a string.
        for sink in [
            "innerHTML",
            "outerHTML",
            "insertAdjacentHTML",
            "document.write",
            "eval(",
        ] {
            assert!(!asset.body.contains(sink), "{} uses {sink}", asset.name);
        }
    }
}

/// Whether markup has an attribute such as ` onclick="`.
fn has_inline_handler(html: &str) -> bool {
    html.match_indices(" on").any(|(i, _)| {
        let rest = &html[i + 3..];
        let letters = rest.bytes().take_while(u8::is_ascii_lowercase).count();
        letters > 0 && rest[letters..].starts_with("=\"")
    })
}

#[test]
fn the_inline_handler_check_finds_one() {
    assert!(has_inline_handler(r#"<button onclick="x()">"#));
    assert!(!has_inline_handler("<p>one day on the road</p>"));
}

/// Issue 27, item 2: no form can submit a secret by itself. A password input without a
/// `name` is never part of a form's submission, and a form that navigates (not
/// `method="dialog"`) starts with its submit button disabled, for the module to enable once
/// it handles the form: with main.js slow or blocked, Enter put the workspace token in the URL.
#[test]
fn no_form_can_submit_a_secret_by_itself() {
    for asset in ASSETS.iter().filter(|a| a.name.ends_with(".html")) {
        let html = asset.body;
        for (i, _) in html.match_indices("<input") {
            let tag = &html[i..i + html[i..].find('>').unwrap()];
            if tag.contains("type=\"password\"") {
                assert!(
                    !tag.contains(" name="),
                    "{}: a named secret input: {tag}",
                    asset.name
                );
            }
        }
        for (i, _) in html.match_indices("<form") {
            let form = &html[i..i + html[i..].find("</form>").unwrap()];
            if form.contains("method=\"dialog\"") {
                continue;
            }
            let submit = form
                .match_indices("<button")
                .map(|(j, _)| &form[j..j + form[j..].find('>').unwrap()])
                .find(|tag| tag.contains("type=\"submit\""))
                .expect("a form that navigates has a submit button");
            assert!(
                submit.contains(" disabled"),
                "{}: a form's submit button works before its handler: {submit}",
                asset.name
            );
        }
    }
}
