//! The kernel's forwarding table over an rtnetlink socket.
//!
//! This is the only module with `unsafe`: each block is one socket call
//! (`socket`, `bind`, `setsockopt` — also to attach a socket filter —,
//! `send`, `recv`, `poll`, `setns`) on a descriptor
//! this module owns, with buffers whose lengths it passes. Messages are
//! built and parsed in `netlink.rs`.
#![allow(unsafe_code)]

use crate::netlink::{self, Op, Reply};
use crate::watch::{self, Link};
use crate::{Fib, FibError, KernelRoute, Outcome};
use peerd_wire::Prefix;
use std::io;
use std::net::IpAddr;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::path::Path;

/// Requests per datagram: each is answered by its own ACK, and a batch of
/// this many stays far below the socket buffers.
const BATCH: usize = 512;

/// How long to wait for the kernel's next answer.
const RECV_TIMEOUT_SECS: libc::time_t = 10;

/// An rtnetlink socket.
#[derive(Debug)]
pub struct LinuxFib {
    fd: OwnedFd,
    seq: u32,
    buf: Vec<u8>,
}

impl LinuxFib {
    /// A socket in this process's network namespace.
    pub fn open() -> io::Result<LinuxFib> {
        Ok(LinuxFib {
            fd: socket(0)?,
            seq: 1,
            buf: vec![0; 1 << 16],
        })
    }

    /// A socket in the network namespace at `netns` (such as
    /// `/run/netns/NAME`): opened on a thread that enters the namespace,
    /// so this process stays where it is. The socket keeps its namespace.
    pub fn open_in(netns: &Path) -> io::Result<LinuxFib> {
        in_netns(netns, LinuxFib::open)
    }

    fn send(&self, b: &[u8]) -> io::Result<()> {
        // SAFETY: `b` is a live slice and its length is passed.
        let n = unsafe { libc::send(self.fd.as_raw_fd(), b.as_ptr().cast(), b.len(), 0) };
        if n < 0 {
            return Err(io::Error::last_os_error());
        }
        if n as usize != b.len() {
            return Err(io::Error::other("short netlink send"));
        }
        Ok(())
    }

    /// One datagram's replies.
    fn recv(&mut self) -> Result<Vec<Reply>, FibError> {
        loop {
            // SAFETY: `buf` is ours, and its length is passed.
            let n = unsafe {
                libc::recv(
                    self.fd.as_raw_fd(),
                    self.buf.as_mut_ptr().cast(),
                    self.buf.len(),
                    0,
                )
            };
            if n < 0 {
                let e = io::Error::last_os_error();
                if e.kind() == io::ErrorKind::Interrupted {
                    continue;
                }
                return Err(e.into());
            }
            let got = self.buf.get(..n as usize).unwrap_or(&[]);
            return netlink::parse(got).map_err(FibError::Malformed);
        }
    }

    fn next_seq(&mut self) -> u32 {
        self.seq = self.seq.wrapping_add(1).max(1);
        self.seq
    }
}

impl Fib for LinuxFib {
    fn apply(&mut self, changes: &[(Op, KernelRoute)]) -> Result<Vec<Outcome>, FibError> {
        let mut out = vec![None; changes.len()];
        let mut msg = Vec::new();
        for (c, chunk) in changes.chunks(BATCH).enumerate() {
            msg.clear();
            let first = self.seq.wrapping_add(1);
            for (i, (op, r)) in chunk.iter().enumerate() {
                let seq = self.next_seq();
                netlink::build_route(&mut msg, *op, r, seq, i + 1 == chunk.len());
            }
            self.send(&msg)?;
            // Failures are answered one by one; the last request's answer
            // (an ACK, or its own failure) ends the batch: every request
            // without a failure went in.
            let last = chunk.len() - 1;
            let slots = &mut out[c * BATCH..c * BATCH + chunk.len()];
            while slots[last].is_none() {
                for reply in self.recv()? {
                    if let Reply::Ack { seq, error } = reply {
                        let i = seq.wrapping_sub(first) as usize;
                        if let Some(slot) = slots.get_mut(i) {
                            *slot = Some(if error == 0 {
                                Outcome::Done
                            } else {
                                Outcome::Refused(-error)
                            });
                        }
                    }
                }
            }
            for slot in slots.iter_mut().filter(|s| s.is_none()) {
                *slot = Some(Outcome::Done);
            }
        }
        let missing = out.iter().filter(|o| o.is_none()).count();
        if missing > 0 {
            return Err(FibError::Unanswered(missing));
        }
        Ok(out.into_iter().flatten().collect())
    }

    fn routes(&mut self, table: u32, protocol: u8) -> Result<Vec<KernelRoute>, FibError> {
        self.dump_routes(|r| r.table == table && r.protocol == protocol)
    }
}

impl LinuxFib {
    /// The routes of both families, of every table, that `keep` wants.
    pub fn dump_routes(
        &mut self,
        mut keep: impl FnMut(&KernelRoute) -> bool,
    ) -> Result<Vec<KernelRoute>, FibError> {
        let mut found = Vec::new();
        for v6 in [false, true] {
            let mut msg = Vec::new();
            let seq = self.next_seq();
            netlink::build_dump(&mut msg, v6, seq);
            self.send(&msg)?;
            self.until_done(|reply| {
                if let Reply::Route(Some(r)) = reply {
                    if keep(&r) {
                        found.push(r);
                    }
                }
            })?;
        }
        Ok(found)
    }

    /// How the kernel forwards a packet to `addr` now: the routing table
    /// entry it uses (after policy rules), as `ip route get ADDR fibmatch`
    /// shows it.
    pub fn route_get(&mut self, addr: IpAddr) -> Result<RouteGet, FibError> {
        let mut msg = Vec::new();
        let seq = self.next_seq();
        netlink::build_get(&mut msg, addr, seq);
        self.send(&msg)?;
        loop {
            for reply in self.recv()? {
                match reply {
                    Reply::Route(Some(r)) => return Ok(RouteGet::Route(r)),
                    Reply::Route(None) => return Ok(RouteGet::Other),
                    Reply::Ack { error, .. } if error != 0 => {
                        let e = -error;
                        if e == libc::ENETUNREACH || e == libc::EHOSTUNREACH {
                            return Ok(RouteGet::Unreachable);
                        }
                        // What the kernel answers for a blackhole (EINVAL)
                        // or prohibit (EACCES) route, even with FIB_MATCH.
                        if e == libc::EINVAL || e == libc::EACCES {
                            return Ok(RouteGet::Discard);
                        }
                        return Err(io::Error::from_raw_os_error(e).into());
                    }
                    _ => {}
                }
            }
        }
    }

    /// Every interface, up or not.
    pub fn links(&mut self) -> Result<Vec<Link>, FibError> {
        let mut msg = Vec::new();
        let seq = self.next_seq();
        watch::build_link_dump(&mut msg, seq);
        self.send(&msg)?;
        let mut found = Vec::new();
        self.until_done(|reply| {
            if let Reply::Link(Some(l)) = reply {
                found.push(l);
            }
        })?;
        Ok(found)
    }

    /// The prefixes next hops resolve through now (see [`watch`]).
    pub fn resolvable(&mut self, tables: &[u32], ours: u8) -> Result<Vec<Prefix>, FibError> {
        let links = self.links()?;
        let routes = self.dump_routes(|r| tables.contains(&r.table) && r.protocol != ours)?;
        Ok(watch::resolvable(&links, &routes, tables, ours))
    }

    /// Reads the replies of a dump until its end.
    fn until_done(&mut self, mut each: impl FnMut(Reply)) -> Result<(), FibError> {
        loop {
            for reply in self.recv()? {
                match reply {
                    Reply::Done => return Ok(()),
                    Reply::Ack { error, .. } if error != 0 => {
                        return Err(io::Error::from_raw_os_error(-error).into())
                    }
                    r => each(r),
                }
            }
        }
    }
}

/// The kernel's answer to a route lookup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RouteGet {
    /// A unicast route.
    Route(KernelRoute),
    /// A blackhole or prohibit route drops it (the kernel does not say
    /// which route).
    Discard,
    /// Another kind of route: the address is local, or the route is
    /// unreachable, prohibit or throw.
    Other,
    /// No route at all.
    Unreachable,
}

/// The kernel's notifications of link, address and route changes.
#[derive(Debug)]
pub struct Watch {
    fd: OwnedFd,
    buf: Vec<u8>,
}

impl Watch {
    /// A socket in this process's namespace that joins [`watch::GROUPS`].
    /// Notifications of routes with protocol `ours` (our own installs,
    /// echoed to every listener) are dropped in the kernel by a socket
    /// filter, so a full table going in does not wake this socket a
    /// million times or overflow it.
    pub fn open(ours: u8) -> io::Result<Watch> {
        let fd = socket(watch::GROUPS)?;
        let prog = watch::filter(ours);
        let code: Vec<libc::sock_filter> = prog
            .iter()
            .map(|&(code, jt, jf, k)| libc::sock_filter { code, jt, jf, k })
            .collect();
        let fprog = libc::sock_fprog {
            len: code.len() as libc::c_ushort,
            filter: code.as_ptr().cast_mut(),
        };
        // SAFETY: `fprog` and the instructions it points to live across
        // the call (the kernel copies them), and its size is passed.
        let r = unsafe {
            libc::setsockopt(
                fd.as_raw_fd(),
                libc::SOL_SOCKET,
                libc::SO_ATTACH_FILTER,
                std::ptr::addr_of!(fprog).cast(),
                std::mem::size_of::<libc::sock_fprog>() as libc::socklen_t,
            )
        };
        if r < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(Watch {
            fd,
            buf: vec![0; 1 << 16],
        })
    }

    /// The same in the network namespace at `netns`.
    pub fn open_in(netns: &Path, ours: u8) -> io::Result<Watch> {
        in_netns(netns, move || Watch::open(ours))
    }

    /// Waits for one datagram and reads it into `buf`.
    fn datagram(&mut self, timeout: Option<std::time::Duration>) -> io::Result<Datagram> {
        let ms = timeout.map_or(-1, |t| t.as_millis().min(i32::MAX as u128) as libc::c_int);
        let mut pfd = libc::pollfd {
            fd: self.fd.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one pollfd that lives across the call.
        let r = unsafe { libc::poll(&mut pfd, 1, ms) };
        if r < 0 {
            let e = io::Error::last_os_error();
            return if e.kind() == io::ErrorKind::Interrupted {
                Ok(Datagram::None)
            } else {
                Err(e)
            };
        }
        if r == 0 {
            return Ok(Datagram::None);
        }
        // SAFETY: `buf` is ours, and its length is passed.
        let n = unsafe {
            libc::recv(
                self.fd.as_raw_fd(),
                self.buf.as_mut_ptr().cast(),
                self.buf.len(),
                libc::MSG_DONTWAIT,
            )
        };
        if n < 0 {
            let e = io::Error::last_os_error();
            return match e.raw_os_error() {
                Some(libc::ENOBUFS) => Ok(Datagram::Lost),
                Some(libc::EAGAIN) | Some(libc::EINTR) => Ok(Datagram::None),
                _ => Err(e),
            };
        }
        Ok(Datagram::Got(n as usize))
    }
}

impl Watch {
    /// Waits up to `timeout` (`None`: for ever) for a datagram of
    /// notifications and says what it changes for the routes of `tables`
    /// that are not `ours` (see [`watch::changes`]); `None` when none
    /// came. Lost notifications (the socket's buffer ran over) ask for a
    /// resync.
    pub fn changes(
        &mut self,
        timeout: Option<std::time::Duration>,
        ours: u8,
        tables: &[u32],
    ) -> io::Result<Option<watch::Changes>> {
        match self.datagram(timeout)? {
            Datagram::None => Ok(None),
            Datagram::Lost => Ok(Some(watch::Changes {
                resync: true,
                ..Default::default()
            })),
            Datagram::Got(n) => Ok(Some(watch::changes(
                self.buf.get(..n).unwrap_or(&[]),
                ours,
                tables,
            ))),
        }
    }
}

/// What a wait for a datagram found.
enum Datagram {
    None,
    Lost,
    Got(usize),
}

/// Runs `open` on a short-lived thread that enters the network namespace
/// at `netns`; what it opens keeps that namespace.
fn in_netns<T: Send>(netns: &Path, open: impl FnOnce() -> io::Result<T> + Send) -> io::Result<T> {
    let ns = std::fs::File::open(netns)?;
    std::thread::scope(|s| {
        s.spawn(|| {
            // SAFETY: setns(2) on a descriptor we hold open; it changes
            // this thread's namespace only.
            let r = unsafe { libc::setns(ns.as_raw_fd(), libc::CLONE_NEWNET) };
            if r < 0 {
                return Err(io::Error::last_os_error());
            }
            open()
        })
        .join()
        .unwrap_or_else(|_| Err(io::Error::other("netns thread panicked")))
    })
}

/// An rtnetlink socket bound to the multicast `groups` (0: none), with a
/// large receive buffer and a receive timeout.
fn socket(groups: u32) -> io::Result<OwnedFd> {
    // SAFETY: plain socket(2); the result is checked before use.
    let fd = unsafe {
        libc::socket(
            libc::AF_NETLINK,
            libc::SOCK_RAW | libc::SOCK_CLOEXEC,
            libc::NETLINK_ROUTE,
        )
    };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `fd` is a new descriptor nobody else owns.
    let fd = unsafe { OwnedFd::from_raw_fd(fd) };
    // SAFETY: an all-zero sockaddr_nl is valid (pid 0: the kernel picks).
    let mut addr: libc::sockaddr_nl = unsafe { std::mem::zeroed() };
    addr.nl_family = libc::AF_NETLINK as libc::sa_family_t;
    addr.nl_groups = groups;
    // SAFETY: `addr` lives across the call and its size is passed.
    let r = unsafe {
        libc::bind(
            fd.as_raw_fd(),
            std::ptr::addr_of!(addr).cast(),
            std::mem::size_of::<libc::sockaddr_nl>() as libc::socklen_t,
        )
    };
    if r < 0 {
        return Err(io::Error::last_os_error());
    }
    // A dump of a full table arrives faster than it is read: a larger
    // receive buffer (best effort; the kernel caps it).
    let size: libc::c_int = 8 << 20;
    // SAFETY: `size` lives across the call and its size is passed.
    unsafe {
        libc::setsockopt(
            fd.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_RCVBUF,
            std::ptr::addr_of!(size).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        );
    }
    // Every request is answered at once; an answer that does not come
    // within this time ends the batch with an error instead of waiting
    // for ever.
    let timeout = libc::timeval {
        tv_sec: RECV_TIMEOUT_SECS,
        tv_usec: 0,
    };
    // SAFETY: `timeout` lives across the call and its size is passed.
    let r = unsafe {
        libc::setsockopt(
            fd.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_RCVTIMEO,
            std::ptr::addr_of!(timeout).cast(),
            std::mem::size_of::<libc::timeval>() as libc::socklen_t,
        )
    };
    if r < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(fd)
}
