//! The local API and template.yaml must agree: every route served, every crate wired.

use std::collections::BTreeSet;

use tessera_common::lambda::Function;
use tessera_local_api::{
    handlers::{handler_for, HANDLERS},
    routes::routes_from_template,
};
use tessera_tests::TEMPLATE;

#[test]
fn every_template_function_has_a_handler_and_every_handler_a_function() {
    let template_crates: BTreeSet<String> =
        tessera_tests::template::functions().into_keys().collect();
    let wired_crates: BTreeSet<String> = HANDLERS.iter().map(|(uri, _)| uri.to_string()).collect();
    assert_eq!(template_crates, wired_crates);
}

#[test]
fn the_local_api_serves_every_route_and_runs_every_authorizer_of_the_template() {
    let state_free = tessera_local_api::routes::api_from_template(TEMPLATE).unwrap();
    for route in &state_free.routes {
        assert!(
            matches!(handler_for(&route.code_uri), Some(Function::Http(_))),
            "{} is served by {}, which is no HTTP function",
            route.key(),
            route.code_uri
        );
    }
    assert!(!state_free.authorizers.is_empty());
    for spec in state_free.authorizers.values() {
        assert!(
            matches!(handler_for(&spec.code_uri), Some(Function::Authorizer(_))),
            "{} is no authorizer",
            spec.code_uri
        );
    }
}

#[test]
fn every_template_function_crate_exists_in_the_workspace() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let manifest = std::fs::read_to_string(format!("{root}/Cargo.toml")).unwrap();
    assert!(
        manifest.contains("\"functions/*\""),
        "the workspace takes every folder of functions/ as a member"
    );
    for spec in tessera_tests::template::functions().values() {
        assert!(
            spec.code_uri.starts_with("functions/")
                && std::path::Path::new(&format!("{root}/{}/Cargo.toml", spec.code_uri)).exists(),
            "{} has no crate at {}",
            spec.logical_id,
            spec.code_uri
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

#[test]
fn every_function_crate_has_a_template_function() {
    let functions = tessera_tests::template::functions();
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../functions");
    for entry in std::fs::read_dir(root).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        // A function is a crate with a main.rs; common, jwt, rudderstack and seatable are libraries.
        if std::path::Path::new(&format!("{root}/{name}/src/main.rs")).exists() {
            assert!(
                functions.contains_key(&format!("functions/{name}")),
                "functions/{name} has no function in template.yaml"
            );
        }
    }
}

#[test]
fn only_functions_that_sign_or_verify_can_read_the_secret() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    for spec in tessera_tests::template::functions().values() {
        let main =
            std::fs::read_to_string(format!("{root}/{}/src/main.rs", spec.code_uri)).unwrap();
        let signs = main.contains("tessera_jwt::function_main!");
        let lib = std::fs::read_to_string(format!("{root}/{}/src/lib.rs", spec.code_uri)).unwrap();
        if lib.contains("Function::SecretRotation") {
            // The rotation function's policy is checked against the calls it makes in
            // tests/tests/rotation.rs.
            assert!(!signs && spec.reads_secret, "{}", spec.logical_id);
            continue;
        }
        assert_eq!(
            spec.reads_secret, signs,
            "{}: reads the secret: {}, signs: {signs}",
            spec.logical_id, spec.reads_secret
        );
        assert_eq!(
            spec.environment.contains("SIGNING_SECRET_ID"),
            signs,
            "{}: SIGNING_SECRET_ID goes to exactly the functions that sign",
            spec.logical_id
        );
        // The webhook key likewise: to the functions that start with it, and only them.
        let webhook_key = main.contains("tessera_webhooks::function_main!");
        assert_eq!(spec.reads_webhook_key, webhook_key, "{}", spec.logical_id);
        assert_eq!(
            spec.environment.contains("WEBHOOK_KEY_SECRET_ID"),
            webhook_key,
            "{}",
            spec.logical_id
        );
    }
}

#[test]
fn no_policy_uses_a_wildcard() {
    for spec in tessera_tests::template::functions().values() {
        // A function without a policy must need none (events.rs checks what it uses).
        for text in &spec.policy_text {
            assert!(!text.contains('*'), "{}: {text}", spec.logical_id);
        }
    }
}
