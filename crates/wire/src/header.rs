//! Message framing (RFC 4271 §4.1, RFC 8654).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                                                               |
//! +                           Marker (16 octets of 0xff)          +
//! |                                                               |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |          Length               |      Type     |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! Framing checks the header and nothing else: marker, a length between 19 and
//! the negotiated maximum, a known type, and the per-type minimum length. The
//! caller then decodes the body.

use crate::error::{code, subcode, DecodeError, Reason};

/// Octets in the fixed header.
pub const HEADER_LEN: usize = 19;
/// The largest message without RFC 8654 extended messages.
pub const MAX_MESSAGE_LEN: usize = 4096;
/// The largest message with RFC 8654 extended messages.
pub const MAX_EXTENDED_MESSAGE_LEN: usize = 65535;
/// The 16-octet marker.
pub const MARKER: [u8; 16] = [0xff; 16];

/// The message type (RFC 4271 §4.1, RFC 2918).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageType {
    /// OPEN (1).
    Open,
    /// UPDATE (2).
    Update,
    /// NOTIFICATION (3).
    Notification,
    /// KEEPALIVE (4).
    Keepalive,
    /// ROUTE-REFRESH (5).
    RouteRefresh,
}

impl MessageType {
    /// Decodes the type octet.
    pub fn from_u8(v: u8) -> Option<Self> {
        Some(match v {
            1 => MessageType::Open,
            2 => MessageType::Update,
            3 => MessageType::Notification,
            4 => MessageType::Keepalive,
            5 => MessageType::RouteRefresh,
            _ => return None,
        })
    }

    /// The type octet.
    pub fn to_u8(self) -> u8 {
        match self {
            MessageType::Open => 1,
            MessageType::Update => 2,
            MessageType::Notification => 3,
            MessageType::Keepalive => 4,
            MessageType::RouteRefresh => 5,
        }
    }

    /// The smallest legal message of this type, header included.
    fn min_len(self) -> usize {
        match self {
            MessageType::Open => 29,
            MessageType::Update => 23,
            MessageType::Notification => 21,
            MessageType::Keepalive => 19,
            MessageType::RouteRefresh => 23,
        }
    }
}

/// A complete message found at the start of a buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frame {
    /// The message type.
    pub msg_type: MessageType,
    /// Total length including the header.
    pub len: usize,
}

/// Looks for one message at the start of `buf`.
///
/// Returns `Ok(None)` when more bytes are needed, `Ok(Some(frame))` when
/// `buf[..frame.len]` holds a whole message whose header is valid, and the
/// Message Header Error to send otherwise. `max_len` is 4096 or, with extended
/// messages negotiated, 65535; OPEN and KEEPALIVE never exceed 4096
/// (RFC 8654 §4).
pub fn frame(buf: &[u8], max_len: usize) -> Result<Option<Frame>, DecodeError> {
    if buf.len() < HEADER_LEN {
        return Ok(None);
    }
    if buf[..16] != MARKER {
        return Err(DecodeError::new(
            code::MESSAGE_HEADER,
            subcode::header::CONNECTION_NOT_SYNCHRONIZED,
            Reason::BadMarker,
        ));
    }
    let len16 = u16::from_be_bytes([buf[16], buf[17]]);
    let len = usize::from(len16);
    let Some(msg_type) = MessageType::from_u8(buf[18]) else {
        return Err(DecodeError::new(
            code::MESSAGE_HEADER,
            subcode::header::BAD_MESSAGE_TYPE,
            Reason::BadType,
        )
        .with_data([buf[18]]));
    };
    let type_max = match msg_type {
        MessageType::Open | MessageType::Keepalive => MAX_MESSAGE_LEN.min(max_len),
        _ => max_len,
    };
    if len < msg_type.min_len()
        || len > type_max
        || (msg_type == MessageType::Keepalive && len != HEADER_LEN)
    {
        return Err(DecodeError::header_length(len16));
    }
    if buf.len() < len {
        return Ok(None);
    }
    Ok(Some(Frame { msg_type, len }))
}

/// Appends a header for a message of `body_len` octets.
pub fn write_header(out: &mut Vec<u8>, msg_type: MessageType, body_len: usize) {
    out.extend_from_slice(&MARKER);
    let len = (HEADER_LEN + body_len).min(usize::from(u16::MAX)) as u16;
    out.extend_from_slice(&len.to_be_bytes());
    out.push(msg_type.to_u8());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(len: u16, t: u8) -> Vec<u8> {
        let mut v = MARKER.to_vec();
        v.extend_from_slice(&len.to_be_bytes());
        v.push(t);
        v
    }

    #[test]
    fn needs_more_bytes() {
        assert_eq!(frame(&MARKER, 4096), Ok(None));
        assert_eq!(frame(&header(23, 2), 4096), Ok(None));
    }

    #[test]
    fn bad_marker_is_1_1() {
        let mut h = header(19, 4);
        h[3] = 0;
        let e = frame(&h, 4096).unwrap_err();
        assert_eq!((e.code, e.subcode), (1, 1));
    }

    #[test]
    fn bad_length_is_1_2_with_the_length_as_data() {
        let e = frame(&header(18, 4), 4096).unwrap_err();
        assert_eq!((e.code, e.subcode, e.data.clone()), (1, 2, vec![0, 18]));
        let e = frame(&header(20, 4), 4096).unwrap_err();
        assert_eq!(e.subcode, 2);
        let e = frame(&header(5000, 2), 4096).unwrap_err();
        assert_eq!(e.subcode, 2);
        assert_eq!(frame(&header(5000, 2), 65535), Ok(None));
        // OPEN stays within 4096 even with extended messages.
        assert!(frame(&header(5000, 1), 65535).is_err());
    }

    #[test]
    fn bad_type_is_1_3_with_the_type_as_data() {
        let e = frame(&header(19, 9), 4096).unwrap_err();
        assert_eq!((e.code, e.subcode, e.data.clone()), (1, 3, vec![9]));
    }
}
