//! `peerd-config`: the TOML configuration file, parsed and validated.
//!
//! [`load`] and [`parse`] return a [`Config`] in which everything the daemon
//! needs is present and checked, or every problem found at once, each with
//! file, line, column and what was expected ([`ConfigError`]). Nothing here
//! touches the network or the running daemon.
//!
//! The file (see `docs/config.md`):
//!
//! ```toml
//! [router]
//! asn = 64500
//! router-id = "192.0.2.1"
//!
//! [[announce]]
//! prefix = "203.0.113.0/24"
//!
//! [[neighbor]]
//! name = "google-v4"
//! address = "198.51.100.1"
//! remote-as = 15169
//! role = "peer"
//! import = "accept"
//! export = "accept"
//! ```

#![deny(missing_docs)]

mod duration;
mod error;
mod model;
mod policy;
mod print;
mod raw;
mod validate;

pub use duration::parse_duration;
pub use error::{ConfigError, ConfigErrors};
pub use model::{
    Announce, AnnounceWhen, Api, Bestpath, Config, Fib, Log, LogFormat, LogLevel, MaxPrefix,
    MaxPrefixAction, Mrt, Neighbor, PolicySwitch, Router, StaticNextHop, StaticRoute,
};
pub use print::to_toml;

use std::path::Path;

/// Reads and validates a configuration file.
pub fn load(path: &Path) -> Result<Config, ConfigErrors> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        ConfigErrors(vec![ConfigError {
            file: path.display().to_string(),
            line: 0,
            column: 0,
            message: format!("cannot read the file: {e}"),
        }])
    })?;
    parse(&text, &path.display().to_string())
}

/// Parses and validates configuration text; `file` names it in errors.
pub fn parse(text: &str, file: &str) -> Result<Config, ConfigErrors> {
    let raw: raw::RawConfig = toml::from_str(text).map_err(|e| {
        let (line, column) = e.span().map_or((0, 0), |s| error::line_col(text, s.start));
        ConfigErrors(vec![ConfigError {
            file: file.to_string(),
            line,
            column,
            message: e.message().trim().to_string(),
        }])
    })?;
    validate::validate(raw, text, file)
}
