//! The management API's request parsing and routing: arbitrary bytes from
//! the control socket (or the TCP listener) never panic; what parses is
//! routed to an endpoint or an error.
#![no_main]

use libfuzzer_sys::fuzz_target;
use peerd_api::http::{parse, Parsed};

fuzz_target!(|data: &[u8]| {
    if let Ok(Parsed::Request(r)) = parse(data) {
        let _ = peerd_api::endpoint::endpoint(&r);
        let _ = r.bearer();
    }
});
