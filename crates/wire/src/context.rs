//! What the OPEN exchange negotiated, as the codec needs it.

use crate::afi::{Family, FamilySet};

/// Negotiated parameters that change how messages are encoded and decoded.
///
/// One context describes one direction of one session: ADD-PATH may be
/// negotiated to receive but not to send, so a session keeps a context for
/// decoding what it receives and another for encoding what it sends. The same
/// type is used for both ([`EncodeContext`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DecodeContext {
    /// 4-octet AS numbers in AS_PATH and AGGREGATOR (RFC 6793), negotiated when
    /// both speakers sent the capability.
    pub four_octet_as: bool,
    /// Families whose NLRI carry ADD-PATH path identifiers in this direction (RFC 7911).
    pub add_path: FamilySet,
    /// Messages up to 65535 octets (RFC 8654) instead of 4096.
    pub extended_message: bool,
}

/// The encode side uses the same negotiated facts as the decode side.
pub type EncodeContext = DecodeContext;

impl Default for DecodeContext {
    fn default() -> Self {
        DecodeContext::MODERN
    }
}

impl DecodeContext {
    /// A modern session: 4-octet AS, no ADD-PATH, 4096-octet messages.
    pub const MODERN: DecodeContext = DecodeContext {
        four_octet_as: true,
        add_path: FamilySet::EMPTY,
        extended_message: false,
    };

    /// A session with an RFC 4271 speaker that lacks 4-octet AS support.
    pub const LEGACY: DecodeContext = DecodeContext {
        four_octet_as: false,
        add_path: FamilySet::EMPTY,
        extended_message: false,
    };

    /// Whether NLRI of `family` carry path identifiers.
    pub fn add_path_for(&self, family: Family) -> bool {
        self.add_path.contains(family)
    }

    /// The largest message this context allows (RFC 4271 §4.1, RFC 8654 §3).
    pub fn max_message_len(&self) -> usize {
        if self.extended_message {
            crate::MAX_EXTENDED_MESSAGE_LEN
        } else {
            crate::MAX_MESSAGE_LEN
        }
    }
}
