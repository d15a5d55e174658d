//! The MRT common header (RFC 6396 §2) and the extended-timestamp header (§3).
//!
//! ```text
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                           Timestamp                           |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |             Type              |            Subtype            |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                             Length                            |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |      Microsecond Timestamp (only _ET types, counted in Length)|
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```

/// MRT type codes (RFC 6396 §4, IANA "MRT Types").
pub mod mrt_type {
    /// Legacy MRTd BGP (5, deprecated).
    pub const BGP: u16 = 5;
    /// TABLE_DUMP (12).
    pub const TABLE_DUMP: u16 = 12;
    /// TABLE_DUMP_V2 (13).
    pub const TABLE_DUMP_V2: u16 = 13;
    /// BGP4MP (16).
    pub const BGP4MP: u16 = 16;
    /// BGP4MP_ET (17).
    pub const BGP4MP_ET: u16 = 17;
    /// ISIS_ET (33).
    pub const ISIS_ET: u16 = 33;
    /// OSPFv3_ET (49).
    pub const OSPFV3_ET: u16 = 49;

    /// Whether the type carries a microsecond timestamp.
    pub fn is_extended(t: u16) -> bool {
        matches!(t, BGP4MP_ET | ISIS_ET | OSPFV3_ET)
    }
}

/// The common header of one record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// Seconds since the Unix epoch.
    pub timestamp: u32,
    /// Microseconds, for `_ET` types.
    pub microseconds: Option<u32>,
    /// MRT type.
    pub mrt_type: u16,
    /// MRT subtype.
    pub subtype: u16,
    /// Length of the body (after the 12-octet header, including the
    /// microsecond field for `_ET` types).
    pub length: u32,
}
