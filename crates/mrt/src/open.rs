//! Opening MRT files that may be gzip- or bzip2-compressed.
//!
//! The format is recognised from the first bytes, not the file name: gzip
//! starts `1f 8b`, bzip2 starts `BZh`. Multi-member streams are read through.

use crate::reader::MrtReader;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

/// How a stream is compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// Not compressed.
    None,
    /// gzip (RFC 1952).
    Gzip,
    /// bzip2.
    Bzip2,
}

impl Compression {
    /// Recognises the compression from the first bytes of a stream.
    pub fn detect(head: &[u8]) -> Compression {
        if head.starts_with(&[0x1f, 0x8b]) {
            Compression::Gzip
        } else if head.starts_with(b"BZh") {
            Compression::Bzip2
        } else {
            Compression::None
        }
    }
}

/// Wraps `input` in the decompressor its first bytes call for.
pub fn decompress<R: Read + 'static>(input: R) -> io::Result<(Box<dyn Read>, Compression)> {
    let mut buffered = BufReader::with_capacity(1 << 16, input);
    let head = buffered.fill_buf()?;
    let c = Compression::detect(head);
    let r: Box<dyn Read> = match c {
        Compression::Gzip => Box::new(flate2::bufread::MultiGzDecoder::new(buffered)),
        Compression::Bzip2 => Box::new(bzip2::bufread::MultiBzDecoder::new(buffered)),
        Compression::None => Box::new(buffered),
    };
    Ok((r, c))
}

/// Opens an MRT file, plain or compressed.
pub fn open(path: impl AsRef<Path>) -> io::Result<MrtReader<Box<dyn Read>>> {
    let f = File::open(path)?;
    let (r, _) = decompress(f)?;
    Ok(MrtReader::new(r))
}
