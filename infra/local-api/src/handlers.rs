//! Which handler serves which function crate. The template says which routes a crate
//! serves; this says which Rust function is that crate's handler.

pub use tessera_common::lambda::Handler;

/// Every function crate with its handler, keyed by the crate folder (the template's CodeUri).
pub const HANDLERS: &[(&str, Handler)] = &[
    ("functions/create-access-token", |state, req| {
        Box::pin(create_access_token::handle(state, req))
    }),
    ("functions/list-access-tokens", |state, req| {
        Box::pin(list_access_tokens::handle(state, req))
    }),
    ("functions/delete-access-tokens", |state, req| {
        Box::pin(delete_access_tokens::handle(state, req))
    }),
    ("functions/base-access-token", |state, req| {
        Box::pin(base_access_token::handle(state, req))
    }),
    ("functions/share-link-access-token", |state, req| {
        Box::pin(share_link_access_token::handle(state, req))
    }),
    ("functions/app-access-token", |state, req| {
        Box::pin(app_access_token::handle(state, req))
    }),
    ("functions/temp-api-token", |state, req| {
        Box::pin(temp_api_token::handle(state, req))
    }),
    ("functions/list-api-tokens", |state, req| {
        Box::pin(list_api_tokens::handle(state, req))
    }),
    ("functions/create-api-token", |state, req| {
        Box::pin(create_api_token::handle(state, req))
    }),
    ("functions/update-api-token", |state, req| {
        Box::pin(update_api_token::handle(state, req))
    }),
    ("functions/delete-api-token", |state, req| {
        Box::pin(delete_api_token::handle(state, req))
    }),
    ("functions/create-share-link", |state, req| {
        Box::pin(create_share_link::handle(state, req))
    }),
    ("functions/list-share-links", |state, req| {
        Box::pin(list_share_links::handle(state, req))
    }),
    ("functions/delete-share-link", |state, req| {
        Box::pin(delete_share_link::handle(state, req))
    }),
];

pub fn handler_for(code_uri: &str) -> Option<Handler> {
    HANDLERS
        .iter()
        .find(|(uri, _)| *uri == code_uri)
        .map(|(_, handler)| *handler)
}
