//! `peerd-api`: peerd's management API, sans IO (issue 7).
//!
//! HTTP/1.1 with JSON bodies, one request per connection, served by the
//! daemon on its Unix socket (and optionally on TCP with a bearer token).
//! This crate holds everything but the sockets, so that the daemon, the
//! client (`peerctl`) and the tests share one definition:
//!
//! - [`http`]: a request head and body parsed from bytes (bounded sizes,
//!   every malformation an [`ApiError`], never a panic), answers built;
//! - [`endpoint`]: the method and path of a request made into an
//!   [`Endpoint`], with its parameters checked;
//! - [`types`]: what the endpoints answer, each type with its JSON Schema
//!   generated from the same field list ([`schema`]);
//! - [`openapi`]: the OpenAPI 3.1 description, generated from the endpoint
//!   table and those schemas, served at `/openapi.json`;
//! - [`metrics`]: the Prometheus text format, for `/metrics`.

#![deny(missing_docs)]

pub mod endpoint;
pub mod http;
pub mod metrics;
pub mod openapi;
pub mod schema;
pub mod types;

pub use endpoint::{Endpoint, PageRequest, RouteSet};
pub use types::{ApiError, ErrorCode};
