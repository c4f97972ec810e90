//! The local API and template.yaml must agree: every route served, every crate wired.

use std::collections::BTreeSet;

use tessera_local_api::{handlers::HANDLERS, routes::routes_from_template};
use tessera_tests::TEMPLATE;

#[test]
fn every_template_function_has_a_handler_and_every_handler_a_function() {
    let routes = routes_from_template(TEMPLATE).unwrap();
    assert!(!routes.is_empty());
    let template_crates: BTreeSet<&str> = routes.iter().map(|r| r.code_uri.as_str()).collect();
    let wired_crates: BTreeSet<&str> = HANDLERS.iter().map(|(uri, _)| *uri).collect();
    assert_eq!(template_crates, wired_crates);
}

#[test]
fn every_template_function_crate_exists_in_the_workspace() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let manifest = std::fs::read_to_string(format!("{root}/Cargo.toml")).unwrap();
    for route in routes_from_template(TEMPLATE).unwrap() {
        assert!(
            std::path::Path::new(&format!("{root}/{}/Cargo.toml", route.code_uri)).exists(),
            "{} has no crate at {}",
            route.function,
            route.code_uri
        );
        assert!(
            manifest.contains(&format!("\"{}\"", route.code_uri)),
            "{} is not a workspace member",
            route.code_uri
        );
    }
}

#[test]
fn no_route_is_declared_twice() {
    let routes = routes_from_template(TEMPLATE).unwrap();
    let keys: Vec<String> = routes.iter().map(|r| r.key()).collect();
    let unique: BTreeSet<&String> = keys.iter().collect();
    assert_eq!(unique.len(), keys.len(), "{keys:?}");
}

#[test]
fn the_access_token_routes_are_exactly_the_seed_routes() {
    let keys: BTreeSet<String> = routes_from_template(TEMPLATE)
        .unwrap()
        .iter()
        .map(|r| r.key())
        .collect();
    for expected in [
        "POST /accessTokens",
        "GET /accessTokens",
        "DELETE /accessTokens",
    ] {
        assert!(keys.contains(expected), "missing {expected}");
    }
}
