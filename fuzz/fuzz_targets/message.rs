//! Whole-message decode with an arbitrary DecodeContext. Anything that decodes
//! cleanly must encode, and decode again to the same value.
#![no_main]
mod common;

use libfuzzer_sys::fuzz_target;
use peerd_wire::{frame, Message};

fuzz_target!(|data: &[u8]| {
    let Some((&b, rest)) = data.split_first() else { return };
    let ctx = common::context(b);
    let _ = frame(rest, ctx.max_message_len());
    if let Ok(m) = Message::decode(rest, &ctx) {
        let clean = match &m {
            Message::Update(u) => u.errors.is_empty(),
            _ => true,
        };
        let bytes = m.encode(&ctx);
        if clean && bytes.len() <= ctx.max_message_len() {
            let again = Message::decode(&bytes, &ctx).expect("re-encoded message decodes");
            assert_eq!(again, m);
        }
    }
});
