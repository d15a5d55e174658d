//! What one session is configured to be. Validated by the config crate; the
//! state machine trusts it.

use peerd_wire::capability::{AddPathFamily, ExtendedNextHop, Role};
use peerd_wire::Family;
use std::net::Ipv4Addr;
use std::time::Duration;

/// Graceful restart as we advertise it (RFC 4724 §3). As a helper we keep
/// a restarting peer's routes whatever this says. As a restarting speaker
/// — when our forwarding state survives our own restart (`[fib] retain`) —
/// we list our families, so that peers keep our routes while we restart,
/// with the F bit when the forwarding state is there now, and set the R
/// bit while we have restarted and not yet re-sent everything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GracefulRestartConfig {
    /// The restart time we advertise, in seconds (at most 4095).
    pub restart_time: u16,
    /// Restart State (R): we have restarted and defer our End-of-RIB; the
    /// peer must not wait for it before sending its own routes.
    pub restarting: bool,
    /// `None`: helper only, no family listed. `Some(f)`: our families are
    /// listed, with Forwarding State (F) = `f`.
    pub forwarding: Option<bool>,
}

impl GracefulRestartConfig {
    /// A helper only: keeps a restarting peer's routes, lists no family.
    pub fn helper(restart_time: u16) -> Self {
        GracefulRestartConfig {
            restart_time,
            restarting: false,
            forwarding: None,
        }
    }
}

/// Idle-hold backoff for a peer that keeps failing (RFC 4271 §8.1.1
/// DampPeerOscillations): each failure doubles the wait, up to `max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdleHold {
    /// The first wait after a failure.
    pub initial: Duration,
    /// The longest wait.
    pub max: Duration,
}

/// The configuration of one BGP session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerConfig {
    /// Our AS.
    pub local_as: u32,
    /// Our BGP identifier.
    pub router_id: Ipv4Addr,
    /// The AS the peer must have.
    pub remote_as: u32,
    /// The hold time we propose, in seconds (0, or at least 3).
    pub hold_time: u16,
    /// The smallest hold time we accept from the peer (other than 0).
    pub min_hold_time: u16,
    /// The keepalive interval; `None` means a third of the negotiated hold time.
    pub keepalive: Option<Duration>,
    /// ConnectRetry time (RFC 4271 §10, default 120 s).
    pub connect_retry: Duration,
    /// Only accept connections, never connect out.
    pub passive: bool,
    /// Wait this long after the TCP connection comes up before sending OPEN
    /// (RFC 4271 §8.1.1 DelayOpen), unless the peer's OPEN comes first.
    pub delay_open: Option<Duration>,
    /// Drop a peer that does not read what we send for this long (RFC 9687).
    /// `None` derives it from the hold time: the larger of 8 minutes and twice
    /// the negotiated hold time.
    pub send_hold_time: Option<Duration>,
    /// Backoff before an automatic restart.
    pub idle_hold: IdleHold,
    /// The families we offer (Multiprotocol capabilities).
    pub families: Vec<Family>,
    /// ADD-PATH modes we offer.
    pub add_path: Vec<AddPathFamily>,
    /// Offer RFC 8654 extended messages.
    pub extended_message: bool,
    /// Offer RFC 8950 extended next hop (IPv4 NLRI over IPv6 next hops).
    pub extended_next_hop: Vec<ExtendedNextHop>,
    /// Offer route refresh and enhanced route refresh.
    pub route_refresh: bool,
    /// Graceful restart helper.
    pub graceful_restart: Option<GracefulRestartConfig>,
    /// Our RFC 9234 role on this session.
    pub role: Option<Role>,
    /// Refuse a peer that does not announce a role (RFC 9234 §4.2 strict mode).
    pub role_strict: bool,
    /// Host and domain name to announce (FQDN capability).
    pub hostname: Option<(String, String)>,
    /// Seed for timer jitter, so that runs are reproducible.
    pub jitter_seed: u64,
}

impl PeerConfig {
    /// A configuration with the usual defaults: hold 90 s, ConnectRetry
    /// 120 s, IPv4 and IPv6 unicast, route refresh, 4-octet AS.
    pub fn new(local_as: u32, router_id: Ipv4Addr, remote_as: u32) -> Self {
        PeerConfig {
            local_as,
            router_id,
            remote_as,
            hold_time: 90,
            min_hold_time: 3,
            keepalive: None,
            connect_retry: Duration::from_secs(120),
            passive: false,
            delay_open: None,
            send_hold_time: None,
            idle_hold: IdleHold {
                initial: Duration::from_secs(5),
                max: Duration::from_secs(300),
            },
            families: vec![Family::IPV4_UNICAST, Family::IPV6_UNICAST],
            add_path: Vec::new(),
            extended_message: true,
            extended_next_hop: Vec::new(),
            route_refresh: true,
            graceful_restart: None,
            role: None,
            role_strict: false,
            hostname: None,
            jitter_seed: u64::from(u32::from(router_id)) ^ u64::from(remote_as),
        }
    }

    /// Whether the peer is in another AS.
    pub fn is_ebgp(&self) -> bool {
        self.local_as != self.remote_as
    }
}
