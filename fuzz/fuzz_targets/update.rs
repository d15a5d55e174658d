//! UPDATE body decode with an arbitrary DecodeContext, plus the derived views
//! the session layer uses.
#![no_main]
mod common;

use libfuzzer_sys::fuzz_target;
use peerd_wire::Update;

fuzz_target!(|data: &[u8]| {
    let Some((&b, rest)) = data.split_first() else { return };
    let ctx = common::context(b);
    if let Ok(u) = Update::decode(rest, &ctx) {
        let _ = u.action();
        let _ = u.real_as_path(&ctx).map(|p| p.to_string());
        let _ = u.end_of_rib();
        let _ = u.announced().count() + u.withdrawn_routes().count();
        let mut out = Vec::new();
        u.encode_body(&mut out, &ctx);
        if u.errors.is_empty() {
            let again = Update::decode(&out, &ctx).expect("re-encoded UPDATE decodes");
            assert_eq!(again.attributes, u.attributes);
            assert_eq!(again.nlri, u.nlri);
            assert_eq!(again.withdrawn, u.withdrawn);
        }
    }
});
