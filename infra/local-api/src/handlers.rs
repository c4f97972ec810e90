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
];

pub fn handler_for(code_uri: &str) -> Option<Handler> {
    HANDLERS
        .iter()
        .find(|(uri, _)| *uri == code_uri)
        .map(|(_, handler)| *handler)
}
