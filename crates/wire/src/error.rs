//! Decode errors that speak NOTIFICATION (RFC 4271 §4.5, §6) and the RFC 7606
//! error-handling outcomes for UPDATE messages.

use std::fmt;

/// NOTIFICATION error codes (RFC 4271 §4.5, IANA "BGP Error (Notification) Codes").
pub mod code {
    /// Message Header Error (1).
    pub const MESSAGE_HEADER: u8 = 1;
    /// OPEN Message Error (2).
    pub const OPEN_MESSAGE: u8 = 2;
    /// UPDATE Message Error (3).
    pub const UPDATE_MESSAGE: u8 = 3;
    /// Hold Timer Expired (4).
    pub const HOLD_TIMER_EXPIRED: u8 = 4;
    /// Finite State Machine Error (5, subcodes RFC 6608).
    pub const FSM: u8 = 5;
    /// Cease (6, subcodes RFC 4486).
    pub const CEASE: u8 = 6;
    /// ROUTE-REFRESH Message Error (7, RFC 7313).
    pub const ROUTE_REFRESH: u8 = 7;
    /// Send Hold Timer Expired (8, RFC 9687).
    pub const SEND_HOLD_TIMER_EXPIRED: u8 = 8;
}

/// NOTIFICATION error subcodes, grouped by error code.
pub mod subcode {
    /// Message Header Error subcodes (RFC 4271 §6.1).
    pub mod header {
        /// Connection Not Synchronized (1).
        pub const CONNECTION_NOT_SYNCHRONIZED: u8 = 1;
        /// Bad Message Length (2).
        pub const BAD_MESSAGE_LENGTH: u8 = 2;
        /// Bad Message Type (3).
        pub const BAD_MESSAGE_TYPE: u8 = 3;
    }
    /// OPEN Message Error subcodes (RFC 4271 §6.2, RFC 5492, RFC 9234).
    pub mod open {
        /// Unspecific (0).
        pub const UNSPECIFIC: u8 = 0;
        /// Unsupported Version Number (1).
        pub const UNSUPPORTED_VERSION: u8 = 1;
        /// Bad Peer AS (2).
        pub const BAD_PEER_AS: u8 = 2;
        /// Bad BGP Identifier (3).
        pub const BAD_BGP_IDENTIFIER: u8 = 3;
        /// Unsupported Optional Parameter (4).
        pub const UNSUPPORTED_OPTIONAL_PARAMETER: u8 = 4;
        /// Unacceptable Hold Time (6).
        pub const UNACCEPTABLE_HOLD_TIME: u8 = 6;
        /// Unsupported Capability (7, RFC 5492).
        pub const UNSUPPORTED_CAPABILITY: u8 = 7;
        /// Role Mismatch (11, RFC 9234).
        pub const ROLE_MISMATCH: u8 = 11;
    }
    /// UPDATE Message Error subcodes (RFC 4271 §6.3).
    pub mod update {
        /// Malformed Attribute List (1).
        pub const MALFORMED_ATTRIBUTE_LIST: u8 = 1;
        /// Unrecognized Well-known Attribute (2).
        pub const UNRECOGNIZED_WELL_KNOWN: u8 = 2;
        /// Missing Well-known Attribute (3).
        pub const MISSING_WELL_KNOWN: u8 = 3;
        /// Attribute Flags Error (4).
        pub const ATTRIBUTE_FLAGS: u8 = 4;
        /// Attribute Length Error (5).
        pub const ATTRIBUTE_LENGTH: u8 = 5;
        /// Invalid ORIGIN Attribute (6).
        pub const INVALID_ORIGIN: u8 = 6;
        /// Invalid NEXT_HOP Attribute (8).
        pub const INVALID_NEXT_HOP: u8 = 8;
        /// Optional Attribute Error (9).
        pub const OPTIONAL_ATTRIBUTE: u8 = 9;
        /// Invalid Network Field (10).
        pub const INVALID_NETWORK_FIELD: u8 = 10;
        /// Malformed AS_PATH (11).
        pub const MALFORMED_AS_PATH: u8 = 11;
    }
    /// Cease subcodes (RFC 4486, RFC 8538).
    pub mod cease {
        /// Maximum Number of Prefixes Reached (1).
        pub const MAX_PREFIXES: u8 = 1;
        /// Administrative Shutdown (2).
        pub const ADMIN_SHUTDOWN: u8 = 2;
        /// Peer De-configured (3).
        pub const PEER_DECONFIGURED: u8 = 3;
        /// Administrative Reset (4).
        pub const ADMIN_RESET: u8 = 4;
        /// Connection Rejected (5).
        pub const CONNECTION_REJECTED: u8 = 5;
        /// Other Configuration Change (6).
        pub const OTHER_CONFIG_CHANGE: u8 = 6;
        /// Connection Collision Resolution (7).
        pub const CONNECTION_COLLISION: u8 = 7;
        /// Out of Resources (8).
        pub const OUT_OF_RESOURCES: u8 = 8;
        /// Hard Reset (9, RFC 8538).
        pub const HARD_RESET: u8 = 9;
        /// BFD Down (10, RFC 9384).
        pub const BFD_DOWN: u8 = 10;
    }
    /// ROUTE-REFRESH Message Error subcodes (RFC 7313 §5).
    pub mod route_refresh {
        /// Invalid Message Length (1).
        pub const INVALID_MESSAGE_LENGTH: u8 = 1;
    }
}

/// A decode error: the NOTIFICATION a BGP speaker sends for it, plus what went wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    /// NOTIFICATION error code.
    pub code: u8,
    /// NOTIFICATION error subcode.
    pub subcode: u8,
    /// NOTIFICATION data field (what RFC 4271 §6 says to include).
    pub data: Vec<u8>,
    /// What was wrong, for logs and operators.
    pub reason: Reason,
}

/// Why a decode failed, in a form tests and logs can match on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// The 16-octet marker was not all ones.
    BadMarker,
    /// The header length is outside what the message type allows.
    BadLength,
    /// The message type is not known.
    BadType,
    /// A field ran past the end of its container.
    Truncated,
    /// Bytes were left over after a structure that should have filled its container.
    TrailingBytes,
    /// An OPEN optional parameter is malformed or unknown.
    BadOptionalParameter,
    /// A capability's value has the wrong length.
    BadCapability,
    /// A prefix length exceeds the address size.
    BadPrefixLength,
    /// The attribute flags contradict the attribute type.
    BadAttributeFlags,
    /// The attribute length is wrong for the attribute type.
    BadAttributeLength,
    /// An attribute value is not allowed.
    BadAttributeValue,
    /// A well-known attribute is not recognised.
    UnknownWellKnown,
    /// A mandatory well-known attribute is missing.
    MissingWellKnown,
    /// An attribute appears twice where that is fatal (MP_REACH/MP_UNREACH).
    DuplicateAttribute,
    /// The AS_PATH (or AS4_PATH) is malformed.
    MalformedAsPath,
    /// The MRT record or file is malformed (used by the MRT crate).
    Mrt,
}

impl DecodeError {
    /// Builds an error.
    pub fn new(code: u8, subcode: u8, reason: Reason) -> Self {
        DecodeError {
            code,
            subcode,
            data: Vec::new(),
            reason,
        }
    }

    /// Sets the NOTIFICATION data.
    pub fn with_data(mut self, data: impl Into<Vec<u8>>) -> Self {
        self.data = data.into();
        self
    }

    pub(crate) fn header_length(len: u16) -> Self {
        DecodeError::new(
            code::MESSAGE_HEADER,
            subcode::header::BAD_MESSAGE_LENGTH,
            Reason::BadLength,
        )
        .with_data(len.to_be_bytes())
    }

    pub(crate) fn malformed_attr_list(reason: Reason) -> Self {
        DecodeError::new(
            code::UPDATE_MESSAGE,
            subcode::update::MALFORMED_ATTRIBUTE_LIST,
            reason,
        )
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:?} (NOTIFICATION {}/{} {})",
            self.reason,
            self.code,
            self.subcode,
            crate::message::notification::describe(self.code, self.subcode)
        )
    }
}

impl std::error::Error for DecodeError {}

/// What to do about a malformed path attribute (RFC 7606 §2), weakest first so
/// that the strongest outcome of several errors is their maximum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AttrAction {
    /// Drop the attribute and carry on with the route (RFC 7606 §2 "attribute discard").
    AttributeDiscard,
    /// Treat every NLRI in the UPDATE as withdrawn (RFC 7606 §2 "treat-as-withdraw").
    TreatAsWithdraw,
    /// Disable the AFI/SAFI on the session (RFC 4760 §7, RFC 7606 §2).
    AfiSafiDisable,
    /// Send the NOTIFICATION and reset the session (RFC 7606 §2 "session reset").
    SessionReset,
}

/// One malformed path attribute in an UPDATE, with the RFC 7606 outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttrError {
    /// The attribute type code.
    pub type_code: u8,
    /// What RFC 7606 says to do.
    pub action: AttrAction,
    /// The family to disable when `action` is [`AttrAction::AfiSafiDisable`].
    pub family: Option<crate::Family>,
    /// The NOTIFICATION that RFC 4271 would have sent.
    pub error: DecodeError,
}
