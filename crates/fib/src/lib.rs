//! `peerd-fib`: the forwarding table (issue 6).
//!
//! [`Fib`] is what the daemon programs: a batch of route changes in, what
//! became of each one out, and a read of what the table holds (for
//! reconciliation at start). Two implementations: [`LinuxFib`], over an
//! rtnetlink socket (`linux.rs`, the only `unsafe` here: the socket calls),
//! with the messages built and parsed sans IO in [`netlink`]; and
//! [`MemoryFib`], a table in memory for tests.
//!
//! The daemon's FIB task (`crates/peerd/src/fib_task.rs`) drives it, and
//! keeps routes across a restart with `[fib] retain`. [`watch`] and
//! [`Watch`] follow the kernel's links, addresses and routes for next-hop
//! resolution (`crates/peerd/src/nexthop_task.rs`), and [`import`] picks
//! the other programs' routes the routing table may import (`[fib]
//! import`). Not yet here (issue 6): kernel nexthop objects.

#![deny(missing_docs)]

pub mod import;
mod linux;
mod memory;
pub mod netlink;
mod route;
pub mod watch;

pub use import::{Foreign, ForeignVia};
pub use linux::{LinuxFib, RouteGet, Watch};
pub use memory::MemoryFib;
pub use netlink::Op;
pub use route::{KernelRoute, NextHop, RouteKind};

/// What became of one change of a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Done.
    Done,
    /// Refused, with the errno the kernel gave (e.g. 101, ENETUNREACH: no
    /// route to the gateway).
    Refused(i32),
}

/// Why the table could not be reached at all.
#[derive(Debug)]
pub enum FibError {
    /// The socket failed.
    Io(std::io::Error),
    /// The kernel's answer did not parse.
    Malformed(netlink::Malformed),
    /// The kernel did not answer every request of a batch.
    Unanswered(usize),
}

impl std::fmt::Display for FibError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FibError::Io(e) => write!(f, "netlink: {e}"),
            FibError::Malformed(e) => e.fmt(f),
            FibError::Unanswered(n) => write!(f, "netlink: {n} requests got no answer"),
        }
    }
}

impl std::error::Error for FibError {}

impl From<std::io::Error> for FibError {
    fn from(e: std::io::Error) -> Self {
        FibError::Io(e)
    }
}

/// A forwarding table.
pub trait Fib {
    /// Applies the changes in order, as few round trips as it takes;
    /// returns what became of each one (same order). A refused change is
    /// reported, never dropped.
    fn apply(&mut self, changes: &[(Op, KernelRoute)]) -> Result<Vec<Outcome>, FibError>;

    /// The routes of `table` installed by `protocol`, both families.
    fn routes(&mut self, table: u32, protocol: u8) -> Result<Vec<KernelRoute>, FibError>;
}
