//! MRT stream decode: every record of arbitrary bytes, and the writer on
//! whatever decodes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use peerd_mrt::{MrtReader, MrtWriter};

fuzz_target!(|data: &[u8]| {
    let mut w = MrtWriter::new(Vec::new());
    for (i, r) in MrtReader::new(data).enumerate() {
        if i > 10_000 {
            break;
        }
        if let Ok(rec) = r {
            let _ = w.write(&rec);
        }
    }
});
