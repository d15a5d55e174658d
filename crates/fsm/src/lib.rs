//! `peerd-fsm`: the BGP session state machine, sans-IO.
//!
//! [`Session::process`] takes an [`Input`] (operator command, connection
//! event, decoded message) and the current time and returns [`Output`]s
//! (connect, send, close, established, route updates, down). Timers are data:
//! [`Session::poll_timeout`] gives the next deadline and
//! [`Session::handle_timeout`] fires whatever expired. No sockets, no clock,
//! no runtime: the same inputs at the same times give the same outputs.
//!
//! # Standards
//!
//! | RFC | What |
//! |---|---|
//! | 4271 §8 | states, events, ConnectRetry/Hold/Keepalive/DelayOpen/IdleHold timers, jitter (§10) |
//! | 4271 §6.8 | connection collision detection, two connection slots |
//! | 4271 §6.2, 5492 | OPEN checks: version, peer AS, hold time, BGP identifier, capabilities |
//! | 4724, 8538 | graceful restart helper: when to keep a peer's routes as stale |
//! | 4760 | family negotiation |
//! | 6608 | FSM error subcodes |
//! | 6793 | 4-octet AS negotiation |
//! | 7313, 2918 | route refresh, enhanced route refresh (length check) |
//! | 7606 | session reset on the errors that call for it |
//! | 7911 | ADD-PATH per family and direction |
//! | 8654 | extended messages |
//! | 8950 | extended next hop |
//! | 9003 | shutdown communication on stop |
//! | 9234 | role negotiation, role mismatch, strict mode |
//! | 9687 | send hold timer |

#![deny(missing_docs)]

pub mod config;
pub mod negotiate;
pub mod session;
pub mod timer;

pub use config::{GracefulRestartConfig, IdleHold, PeerConfig};
pub use negotiate::{negotiate, our_open, Negotiated};
pub use session::{ConnId, DownReason, Input, Output, Session, State};
pub use timer::{Timer, Timers};
