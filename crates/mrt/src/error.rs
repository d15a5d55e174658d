//! MRT read errors, always with the byte offset where the bad record starts.

use std::fmt;

/// An error reading an MRT stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MrtError {
    /// Offset in the decompressed stream of the record where the error is.
    pub offset: u64,
    /// What went wrong.
    pub kind: MrtErrorKind,
}

/// What went wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MrtErrorKind {
    /// The stream ended inside a record.
    Truncated {
        /// Octets the record needed (header included).
        needed: u64,
        /// Octets that were there.
        got: u64,
    },
    /// The header claims a record longer than any real one.
    TooLong(u32),
    /// A record body is malformed; the stream continues after it.
    Malformed {
        /// MRT type.
        mrt_type: u16,
        /// MRT subtype.
        subtype: u16,
        /// What was wrong.
        what: &'static str,
    },
    /// Reading or decompressing failed.
    Io(String),
}

impl MrtError {
    /// Whether the reader can go on after this error.
    pub fn is_recoverable(&self) -> bool {
        matches!(self.kind, MrtErrorKind::Malformed { .. })
    }
}

impl fmt::Display for MrtError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            MrtErrorKind::Truncated { needed, got } => write!(
                f,
                "at byte {}: truncated record: needed {needed} bytes, the file has {got}",
                self.offset
            ),
            MrtErrorKind::TooLong(l) => {
                write!(
                    f,
                    "at byte {}: record length {l} is larger than any MRT record",
                    self.offset
                )
            }
            MrtErrorKind::Malformed {
                mrt_type,
                subtype,
                what,
            } => write!(
                f,
                "at byte {}: malformed record (type {mrt_type}, subtype {subtype}): {what}",
                self.offset
            ),
            MrtErrorKind::Io(e) => write!(f, "at byte {}: read error: {e}", self.offset),
        }
    }
}

impl std::error::Error for MrtError {}
