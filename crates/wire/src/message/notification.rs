//! NOTIFICATION (RFC 4271 §4.5) and the shutdown communication (RFC 9003).
//!
//! ```text
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! | Error code    | Error subcode |   Data (variable)             |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! For Cease / Administrative Shutdown (6/2) and Administrative Reset (6/4),
//! the data may carry a length octet and up to 255 octets of UTF-8 text for the
//! operator on the other side (RFC 9003 §2).

use crate::error::{code, subcode, DecodeError};

/// A NOTIFICATION message.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Notification {
    /// Error code.
    pub code: u8,
    /// Error subcode.
    pub subcode: u8,
    /// Data.
    pub data: Vec<u8>,
}

impl From<&DecodeError> for Notification {
    fn from(e: &DecodeError) -> Self {
        Notification {
            code: e.code,
            subcode: e.subcode,
            data: e.data.clone(),
        }
    }
}

impl Notification {
    /// Builds a NOTIFICATION.
    pub fn new(code: u8, subcode: u8, data: Vec<u8>) -> Self {
        Notification {
            code,
            subcode,
            data,
        }
    }

    /// A Cease with a shutdown communication (RFC 9003). `subcode` should be
    /// Administrative Shutdown or Administrative Reset. The text is cut to 255
    /// octets on a character boundary.
    pub fn shutdown(subcode: u8, message: &str) -> Self {
        let mut end = message.len().min(255);
        while !message.is_char_boundary(end) {
            end -= 1;
        }
        let text = &message.as_bytes()[..end];
        let mut data = Vec::with_capacity(1 + text.len());
        data.push(text.len() as u8);
        data.extend_from_slice(text);
        Notification {
            code: code::CEASE,
            subcode,
            data,
        }
    }

    /// The RFC 9003 shutdown communication, if this is a Cease 6/2 or 6/4
    /// whose data holds a well-formed one. `Some(Err(..))` when data is present
    /// but malformed (length overruns, or not UTF-8): the receiver should log
    /// that rather than the text.
    pub fn shutdown_communication(&self) -> Option<Result<&str, ShutdownCommunicationError>> {
        if self.code != code::CEASE
            || !matches!(
                self.subcode,
                subcode::cease::ADMIN_SHUTDOWN | subcode::cease::ADMIN_RESET
            )
        {
            return None;
        }
        let (&len, rest) = self.data.split_first()?;
        let Some(text) = rest.get(..usize::from(len)) else {
            return Some(Err(ShutdownCommunicationError::Truncated));
        };
        Some(std::str::from_utf8(text).map_err(|_| ShutdownCommunicationError::NotUtf8))
    }

    /// `inner` wrapped in a Cease / Hard Reset (6/9): its code, subcode
    /// and data become the Hard Reset's data (RFC 8538 §3).
    pub fn hard_reset(inner: &Notification) -> Self {
        let mut data = Vec::with_capacity(2 + inner.data.len());
        data.push(inner.code);
        data.push(inner.subcode);
        data.extend_from_slice(&inner.data);
        Notification::new(code::CEASE, subcode::cease::HARD_RESET, data)
    }

    /// Whether RFC 8538 §5 has this Cease sent as a Hard Reset once both
    /// sides have set the N bit: the subcodes whose sender wants the
    /// neighbour's routes gone rather than kept as stale (Maximum Number
    /// of Prefixes, Administrative Shutdown, Peer De-configured, and BFD
    /// Down by RFC 9384). Administrative Reset is left to the operator by
    /// the RFC, so it is not among them: the caller wraps it or not.
    pub fn wants_hard_reset(&self) -> bool {
        self.code == code::CEASE
            && matches!(
                self.subcode,
                subcode::cease::MAX_PREFIXES
                    | subcode::cease::ADMIN_SHUTDOWN
                    | subcode::cease::PEER_DECONFIGURED
                    | subcode::cease::BFD_DOWN
            )
    }

    /// The NOTIFICATION a Cease / Hard Reset (6/9) carries: RFC 8538 §3 puts
    /// the original error code, subcode and data in its data field. `None`
    /// for anything else, or when the data is too short to hold one.
    pub fn hard_reset_inner(&self) -> Option<Notification> {
        if self.code != code::CEASE || self.subcode != subcode::cease::HARD_RESET {
            return None;
        }
        match self.data.as_slice() {
            [c, s, data @ ..] => Some(Notification::new(*c, *s, data.to_vec())),
            _ => None,
        }
    }

    /// Decodes the body (after the header).
    pub fn decode(body: &[u8]) -> Result<Notification, DecodeError> {
        match body {
            [c, s, data @ ..] => Ok(Notification {
                code: *c,
                subcode: *s,
                data: data.to_vec(),
            }),
            _ => Err(DecodeError::header_length((body.len() + 19) as u16)),
        }
    }

    /// Appends the body.
    pub fn encode_body(&self, out: &mut Vec<u8>) {
        out.push(self.code);
        out.push(self.subcode);
        out.extend_from_slice(&self.data);
    }
}

/// Why a shutdown communication could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShutdownCommunicationError {
    /// The length octet runs past the data.
    Truncated,
    /// The text is not UTF-8.
    NotUtf8,
}

/// A short name for a code and subcode, as operators see them in logs.
pub fn describe(code: u8, subcode: u8) -> &'static str {
    match (code, subcode) {
        (1, 1) => "Message Header Error / Connection Not Synchronized",
        (1, 2) => "Message Header Error / Bad Message Length",
        (1, 3) => "Message Header Error / Bad Message Type",
        (1, _) => "Message Header Error",
        (2, 1) => "OPEN Message Error / Unsupported Version Number",
        (2, 2) => "OPEN Message Error / Bad Peer AS",
        (2, 3) => "OPEN Message Error / Bad BGP Identifier",
        (2, 4) => "OPEN Message Error / Unsupported Optional Parameter",
        (2, 6) => "OPEN Message Error / Unacceptable Hold Time",
        (2, 7) => "OPEN Message Error / Unsupported Capability",
        (2, 11) => "OPEN Message Error / Role Mismatch",
        (2, _) => "OPEN Message Error",
        (3, 1) => "UPDATE Message Error / Malformed Attribute List",
        (3, 2) => "UPDATE Message Error / Unrecognized Well-known Attribute",
        (3, 3) => "UPDATE Message Error / Missing Well-known Attribute",
        (3, 4) => "UPDATE Message Error / Attribute Flags Error",
        (3, 5) => "UPDATE Message Error / Attribute Length Error",
        (3, 6) => "UPDATE Message Error / Invalid ORIGIN Attribute",
        (3, 8) => "UPDATE Message Error / Invalid NEXT_HOP Attribute",
        (3, 9) => "UPDATE Message Error / Optional Attribute Error",
        (3, 10) => "UPDATE Message Error / Invalid Network Field",
        (3, 11) => "UPDATE Message Error / Malformed AS_PATH",
        (3, _) => "UPDATE Message Error",
        (4, _) => "Hold Timer Expired",
        (5, 1) => "FSM Error / Unexpected Message in OpenSent",
        (5, 2) => "FSM Error / Unexpected Message in OpenConfirm",
        (5, 3) => "FSM Error / Unexpected Message in Established",
        (5, _) => "Finite State Machine Error",
        (6, 1) => "Cease / Maximum Number of Prefixes Reached",
        (6, 2) => "Cease / Administrative Shutdown",
        (6, 3) => "Cease / Peer De-configured",
        (6, 4) => "Cease / Administrative Reset",
        (6, 5) => "Cease / Connection Rejected",
        (6, 6) => "Cease / Other Configuration Change",
        (6, 7) => "Cease / Connection Collision Resolution",
        (6, 8) => "Cease / Out of Resources",
        (6, 9) => "Cease / Hard Reset",
        (6, 10) => "Cease / BFD Down",
        (6, _) => "Cease",
        (7, 1) => "ROUTE-REFRESH Message Error / Invalid Message Length",
        (7, _) => "ROUTE-REFRESH Message Error",
        (8, _) => "Send Hold Timer Expired",
        _ => "Unknown error code",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shutdown_communication_round_trip() {
        let n =
            Notification::shutdown(subcode::cease::ADMIN_SHUTDOWN, "maintenance, back at 14:00");
        assert_eq!(
            n.shutdown_communication(),
            Some(Ok("maintenance, back at 14:00"))
        );
        let mut body = Vec::new();
        n.encode_body(&mut body);
        assert_eq!(Notification::decode(&body).unwrap(), n);
    }

    #[test]
    fn shutdown_text_is_cut_on_a_char_boundary() {
        let long = "é".repeat(200);
        let n = Notification::shutdown(2, &long);
        assert_eq!(n.data[0], 254);
        assert!(n.shutdown_communication().unwrap().is_ok());
    }

    #[test]
    fn hard_reset_carries_the_original_notification() {
        let inner = Notification::shutdown(subcode::cease::ADMIN_SHUTDOWN, "fibre cut");
        let mut data = vec![inner.code, inner.subcode];
        data.extend_from_slice(&inner.data);
        let hard = Notification::new(6, 9, data);
        let got = hard.hard_reset_inner().unwrap();
        assert_eq!(got, inner);
        assert_eq!(got.shutdown_communication(), Some(Ok("fibre cut")));
        assert_eq!(Notification::new(6, 9, vec![6]).hard_reset_inner(), None);
        let admin = Notification::shutdown(2, "bye");
        let wrapped = Notification::hard_reset(&admin);
        assert_eq!((wrapped.code, wrapped.subcode), (6, 9));
        assert_eq!(wrapped.hard_reset_inner(), Some(admin.clone()));
        assert!(admin.wants_hard_reset());
        assert!(!Notification::new(6, 6, vec![]).wants_hard_reset());
        assert_eq!(inner.hard_reset_inner(), None);
    }

    #[test]
    fn malformed_shutdown_communication() {
        let n = Notification::new(6, 2, vec![10, b'a']);
        assert_eq!(
            n.shutdown_communication(),
            Some(Err(ShutdownCommunicationError::Truncated))
        );
        let n = Notification::new(6, 4, vec![1, 0xff]);
        assert_eq!(
            n.shutdown_communication(),
            Some(Err(ShutdownCommunicationError::NotUtf8))
        );
        assert_eq!(
            Notification::new(6, 3, vec![]).shutdown_communication(),
            None
        );
    }
}
