//! Which handler serves which function crate. The template says which routes a crate
//! serves; this says which Rust function is that crate's handler.

use futures::future::BoxFuture;
use lambda_http::{Body, Request, Response};
use tessera_common::AppState;

pub type Handler = for<'a> fn(&'a AppState, Request) -> BoxFuture<'a, Response<Body>>;

fn create_access_token(state: &AppState, req: Request) -> BoxFuture<'_, Response<Body>> {
    Box::pin(create_access_token::handle(state, req))
}

fn list_access_tokens(state: &AppState, req: Request) -> BoxFuture<'_, Response<Body>> {
    Box::pin(list_access_tokens::handle(state, req))
}

fn delete_access_tokens(state: &AppState, req: Request) -> BoxFuture<'_, Response<Body>> {
    Box::pin(delete_access_tokens::handle(state, req))
}

/// Every function crate with its handler, keyed by the crate folder (the template's CodeUri).
pub const HANDLERS: &[(&str, Handler)] = &[
    ("functions/create-access-token", create_access_token),
    ("functions/list-access-tokens", list_access_tokens),
    ("functions/delete-access-tokens", delete_access_tokens),
];

pub fn handler_for(code_uri: &str) -> Option<Handler> {
    HANDLERS
        .iter()
        .find(|(uri, _)| *uri == code_uri)
        .map(|(_, handler)| *handler)
}
