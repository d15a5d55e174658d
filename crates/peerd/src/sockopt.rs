//! Socket options that std and tokio do not expose: TCP-MD5 (RFC 2385),
//! GTSM (RFC 5082) and the eBGP multihop TTL.
//!
//! This is the only module with `unsafe`: each block is one `setsockopt(2)`
//! call on a descriptor we own, with a correctly sized, initialised value.
#![allow(unsafe_code)]

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::os::fd::AsRawFd;

/// `struct tcp_md5sig` from `<linux/tcp.h>`.
#[repr(C)]
struct TcpMd5Sig {
    tcpm_addr: libc::sockaddr_storage,
    tcpm_flags: u8,
    tcpm_prefixlen: u8,
    tcpm_keylen: u16,
    tcpm_ifindex: libc::c_int,
    tcpm_key: [u8; MD5_MAX_KEY],
}

/// `TCP_MD5SIG_MAXKEYLEN`.
const MD5_MAX_KEY: usize = 80;

fn setsockopt<T>(fd: i32, level: i32, name: i32, value: &T) -> io::Result<()> {
    // SAFETY: `value` points to a live, initialised `T` of the given size for
    // the duration of the call; the kernel copies it.
    let r = unsafe {
        libc::setsockopt(
            fd,
            level,
            name,
            (value as *const T).cast::<libc::c_void>(),
            std::mem::size_of::<T>() as libc::socklen_t,
        )
    };
    if r == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Sets (or clears, with an empty key) the TCP-MD5 key for `peer` on a
/// listening or connecting socket (RFC 2385, Linux `TCP_MD5SIG`).
pub fn set_md5(sock: &impl AsRawFd, peer: IpAddr, key: &[u8]) -> io::Result<()> {
    if key.len() > MD5_MAX_KEY {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "TCP-MD5 key longer than 80 octets",
        ));
    }
    let mut sig = TcpMd5Sig {
        tcpm_addr: sockaddr_storage(SocketAddr::new(peer, 0)),
        tcpm_flags: 0,
        tcpm_prefixlen: 0,
        tcpm_keylen: key.len() as u16,
        tcpm_ifindex: 0,
        tcpm_key: [0; MD5_MAX_KEY],
    };
    sig.tcpm_key[..key.len()].copy_from_slice(key);
    setsockopt(sock.as_raw_fd(), libc::IPPROTO_TCP, libc::TCP_MD5SIG, &sig)
}

fn sockaddr_storage(a: SocketAddr) -> libc::sockaddr_storage {
    // SAFETY: an all-zero `sockaddr_storage` is valid; we then fill the
    // family-specific prefix through a correctly typed, aligned view.
    let mut ss: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
    match a {
        SocketAddr::V4(v4) => {
            let sin = libc::sockaddr_in {
                sin_family: libc::AF_INET as libc::sa_family_t,
                sin_port: v4.port().to_be(),
                sin_addr: libc::in_addr {
                    s_addr: u32::from_ne_bytes(v4.ip().octets()),
                },
                sin_zero: [0; 8],
            };
            // SAFETY: sockaddr_storage is larger than and aligned for sockaddr_in.
            unsafe {
                std::ptr::write(
                    (&mut ss as *mut libc::sockaddr_storage).cast::<libc::sockaddr_in>(),
                    sin,
                )
            };
        }
        SocketAddr::V6(v6) => {
            let sin6 = libc::sockaddr_in6 {
                sin6_family: libc::AF_INET6 as libc::sa_family_t,
                sin6_port: v6.port().to_be(),
                sin6_flowinfo: 0,
                sin6_addr: libc::in6_addr {
                    s6_addr: v6.ip().octets(),
                },
                sin6_scope_id: v6.scope_id(),
            };
            // SAFETY: sockaddr_storage is larger than and aligned for sockaddr_in6.
            unsafe {
                std::ptr::write(
                    (&mut ss as *mut libc::sockaddr_storage).cast::<libc::sockaddr_in6>(),
                    sin6,
                )
            };
        }
    }
    ss
}

/// Sets the outgoing TTL / hop limit.
pub fn set_ttl(sock: &impl AsRawFd, v6: bool, ttl: u8) -> io::Result<()> {
    let v: libc::c_int = libc::c_int::from(ttl);
    if v6 {
        setsockopt(
            sock.as_raw_fd(),
            libc::IPPROTO_IPV6,
            libc::IPV6_UNICAST_HOPS,
            &v,
        )
    } else {
        setsockopt(sock.as_raw_fd(), libc::IPPROTO_IP, libc::IP_TTL, &v)
    }
}

/// GTSM (RFC 5082): send with TTL 255 and have the kernel drop anything that
/// arrives with a lower TTL.
pub fn set_gtsm(sock: &impl AsRawFd, v6: bool) -> io::Result<()> {
    set_ttl(sock, v6, 255)?;
    let min: libc::c_int = 255;
    if v6 {
        setsockopt(
            sock.as_raw_fd(),
            libc::IPPROTO_IPV6,
            libc::IPV6_MINHOPCOUNT,
            &min,
        )
    } else {
        setsockopt(sock.as_raw_fd(), libc::IPPROTO_IP, libc::IP_MINTTL, &min)
    }
}

/// The index of a network interface, for IPv6 link-local scopes.
pub fn ifindex(name: &str) -> Option<u32> {
    let c = std::ffi::CString::new(name).ok()?;
    // SAFETY: `c` is a valid NUL-terminated string for the duration of the call.
    let i = unsafe { libc::if_nametoindex(c.as_ptr()) };
    (i != 0).then_some(i)
}

/// Restricts an IPv6 socket to IPv6, so an IPv4 listener can share the port.
pub fn set_v6only(sock: &impl AsRawFd) -> io::Result<()> {
    let one: libc::c_int = 1;
    setsockopt(
        sock.as_raw_fd(),
        libc::IPPROTO_IPV6,
        libc::IPV6_V6ONLY,
        &one,
    )
}
