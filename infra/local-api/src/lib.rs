//! A local stand-in for API Gateway: serves every route of `template.yaml` by calling the
//! function crates' handlers in-process with the payload v2 event API Gateway would send.

pub mod events;
pub mod handlers;
pub mod routes;
pub mod server;

pub use server::{serve, App, AppError};
