//! Operator code and local stacks: what the CLI does (workspace and SeaTable administration),
//! the table from template.yaml, the public fixture data set, and the API Gateway events the
//! local API builds. No Lambda function depends on it.

pub mod apigw;
pub mod fixtures;
pub mod provision;
pub mod seatable_admin;
pub mod store;
pub mod workspace_admin;
