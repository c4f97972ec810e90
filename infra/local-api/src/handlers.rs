//! Which function crate serves which template function: the table build.rs writes from
//! this crate's Cargo.toml.

pub use tessera_common::lambda::{Function, Handler};

include!(concat!(env!("OUT_DIR"), "/handlers.rs"));

pub fn handler_for(code_uri: &str) -> Option<Function> {
    HANDLERS
        .iter()
        .find(|(uri, _)| *uri == code_uri)
        .map(|(_, function)| *function)
}

/// The HTTP handler of a function crate, if it is an HTTP function.
pub fn http_handler_for(code_uri: &str) -> Option<Handler> {
    match handler_for(code_uri)? {
        Function::Http(handler) => Some(handler),
        Function::Authorizer(_)
        | Function::SecretRotation(_)
        | Function::TableStream(_)
        | Function::Queue(_)
        | Function::Scheduled(_) => None,
    }
}
