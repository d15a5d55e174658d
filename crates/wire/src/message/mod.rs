//! BGP messages (RFC 4271 §4): framing plus one file per message type.

pub mod builder;
pub mod notification;
pub mod open;
pub mod route_refresh;
pub mod update;

use crate::context::DecodeContext;
use crate::error::DecodeError;
use crate::header::{frame, write_header, MessageType, HEADER_LEN};

pub use notification::Notification;
pub use open::{Open, OptParam};
pub use route_refresh::{RouteRefresh, RouteRefreshSubtype};
pub use update::Update;

/// A decoded BGP message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// OPEN.
    Open(Open),
    /// UPDATE (with any RFC 7606 attribute errors in [`Update::errors`]).
    Update(Update),
    /// NOTIFICATION.
    Notification(Notification),
    /// KEEPALIVE.
    Keepalive,
    /// ROUTE-REFRESH.
    RouteRefresh(RouteRefresh),
}

impl Message {
    /// The message type.
    pub fn msg_type(&self) -> MessageType {
        match self {
            Message::Open(_) => MessageType::Open,
            Message::Update(_) => MessageType::Update,
            Message::Notification(_) => MessageType::Notification,
            Message::Keepalive => MessageType::Keepalive,
            Message::RouteRefresh(_) => MessageType::RouteRefresh,
        }
    }

    /// Decodes exactly one whole message (header included).
    pub fn decode(bytes: &[u8], ctx: &DecodeContext) -> Result<Message, DecodeError> {
        let f = frame(bytes, ctx.max_message_len())?.ok_or_else(|| {
            let len = bytes
                .get(16..18)
                .map_or(0, |b| u16::from_be_bytes([b[0], b[1]]));
            DecodeError::header_length(len)
        })?;
        if f.len != bytes.len() {
            return Err(DecodeError::header_length(f.len as u16));
        }
        Self::decode_body(f.msg_type, &bytes[HEADER_LEN..], ctx)
    }

    /// Decodes a message body of a known type.
    pub fn decode_body(
        msg_type: MessageType,
        body: &[u8],
        ctx: &DecodeContext,
    ) -> Result<Message, DecodeError> {
        Ok(match msg_type {
            MessageType::Open => Message::Open(Open::decode(body)?),
            MessageType::Update => Message::Update(Update::decode(body, ctx)?),
            MessageType::Notification => Message::Notification(Notification::decode(body)?),
            MessageType::Keepalive => {
                if !body.is_empty() {
                    return Err(DecodeError::header_length((body.len() + HEADER_LEN) as u16));
                }
                Message::Keepalive
            }
            MessageType::RouteRefresh => Message::RouteRefresh(RouteRefresh::decode(body)?),
        })
    }

    /// Appends the whole message, header included.
    pub fn encode_into(&self, out: &mut Vec<u8>, ctx: &DecodeContext) {
        let start = out.len();
        write_header(out, self.msg_type(), 0);
        match self {
            Message::Open(o) => o.encode_body(out),
            Message::Update(u) => u.encode_body(out, ctx),
            Message::Notification(n) => n.encode_body(out),
            Message::Keepalive => {}
            Message::RouteRefresh(r) => r.encode_body(out),
        }
        let len = (out.len() - start).min(usize::from(u16::MAX)) as u16;
        out[start + 16..start + 18].copy_from_slice(&len.to_be_bytes());
    }

    /// The whole message, header included.
    pub fn encode(&self, ctx: &DecodeContext) -> Vec<u8> {
        let mut v = Vec::new();
        self.encode_into(&mut v, ctx);
        v
    }
}
