//! A route as the kernel's forwarding table holds it.

use peerd_wire::Prefix;
use std::net::IpAddr;

/// One next hop of a unicast route.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NextHop {
    /// The gateway.
    pub gateway: IpAddr,
    /// The interface, when the gateway alone does not say (an IPv6
    /// link-local gateway); `None`: the kernel finds it.
    pub ifindex: Option<u32>,
    /// Share of the traffic among the route's next hops (1-256).
    pub weight: u8,
}

/// What the route does with a packet.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RouteKind {
    /// Forward it to one of these next hops (more than one: ECMP).
    Unicast(Vec<NextHop>),
    /// Forward it out of this interface (by index), with no gateway.
    Device(u32),
    /// Drop it.
    Blackhole,
}

/// A route in one kernel table.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct KernelRoute {
    /// Destination.
    pub prefix: Prefix,
    /// Kernel table id (254 is `main`).
    pub table: u32,
    /// Who installed it (`rtm_protocol`): peerd's own number, so that its
    /// routes are told apart from everyone else's.
    pub protocol: u8,
    /// Metric (`RTA_PRIORITY`).
    pub metric: u32,
    /// What it does.
    pub kind: RouteKind,
}
