//! `make bench`: runs function binaries under an emulated Lambda Runtime API and measures
//! what a Lambda bills and a caller waits for: init, cold start, warm latency, CPU per
//! invocation, peak memory, and the AWS calls each request makes.

pub mod counting_proxy;
pub mod hot;
pub mod measure;
pub mod plan;
pub mod procfs;
pub mod report;
pub mod runtime_api;
pub mod stats;
