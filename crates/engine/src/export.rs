//! What a route looks like when sent to a given neighbour (RFC 4271 §5.1,
//! §9.1.3; RFC 1997 well-known communities).

use crate::role::{self, Egress};
use crate::route::Route;
use peerd_wire::attr::{AttrValue, Attribute, Community, NextHop};
use peerd_wire::capability::Role;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The receiving side of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target {
    /// Our AS.
    pub local_as: u32,
    /// The neighbour is in another AS.
    pub ebgp: bool,
    /// The neighbour's index (a route is not sent back where it came from).
    pub peer: usize,
    /// Our address on the session (next hop self).
    pub local_addr: IpAddr,
    /// Whether the session carries 4-octet AS numbers.
    pub four_octet_as: bool,
    /// Next hop self for IPv4 routes, instead of the session address.
    pub ipv4_next_hop: Option<Ipv4Addr>,
    /// Next hop self for IPv6 routes, instead of the session address.
    pub ipv6_next_hop: Option<Ipv6Addr>,
    /// Our RFC 9234 role towards the neighbour (eBGP only).
    pub role: Option<Role>,
    /// iBGP: the neighbour is a route-reflector client (RFC 4456).
    pub rr_client: bool,
    /// iBGP: routes learned over eBGP go with our address as next hop.
    pub next_hop_self: bool,
    /// Our cluster ID, prepended to CLUSTER_LIST when reflecting.
    pub cluster_id: Ipv4Addr,
}

/// What an export policy decided beyond the attributes it changed.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// The policy overrode RFC 9234's egress rule for this route.
    pub allow_leak: bool,
    /// The policy set or removed the MED: send it as the route has it,
    /// even to eBGP.
    pub keep_med: bool,
    /// The policy chose this next hop.
    pub next_hop: Option<NextHop>,
    /// The policy asked for our address as next hop (also towards iBGP).
    pub next_hop_self: bool,
}

/// The attributes (without NEXT_HOP/MP_*) and next hop to send, or `None`
/// when the route must not be sent to this neighbour.
pub fn export(
    route: &Route,
    t: &Target,
    v6_route: bool,
    ov: &Overrides,
) -> Option<(Vec<Attribute>, NextHop)> {
    if route.peer() == Some(t.peer) || route.leak {
        return None;
    }
    let egress = if t.ebgp {
        role::egress(t.role, t.local_as, route.otc())
    } else {
        Egress::Keep
    };
    if egress == Egress::Block && !ov.allow_leak {
        return None;
    }
    // RFC 4456 §6: an iBGP-learned route goes to iBGP neighbours only by
    // reflection — from a client to everyone, from a non-client to clients.
    let reflect = !t.ebgp && route.peer().is_some() && !route.ebgp();
    if reflect && !(route.learned.rr_client || t.rr_client) {
        return None;
    }
    let communities: &[Community] = route
        .attrs
        .iter()
        .find_map(|a| {
            if let AttrValue::Communities(c) = &a.value {
                Some(c.as_slice())
            } else {
                None
            }
        })
        .unwrap_or(&[]);
    if communities.contains(&Community::NO_ADVERTISE) {
        return None;
    }
    if t.ebgp
        && (communities.contains(&Community::NO_EXPORT)
            || communities.contains(&Community::NO_EXPORT_SUBCONFED))
    {
        return None;
    }
    let mut out = Vec::with_capacity(route.attrs.len() + 2);
    let mut has_local_pref = false;
    let mut has_cluster_list = false;
    for a in route.attrs.iter() {
        match &a.value {
            AttrValue::AsPath(_) | AttrValue::As4Path(_) => {}
            AttrValue::LocalPref(_) => {
                if !t.ebgp {
                    has_local_pref = true;
                    out.push(a.clone());
                }
            }
            // A MED learned from one AS is not passed to another (RFC 4271 §5.1.4).
            AttrValue::Med(_) => {
                if ov.keep_med || (!t.ebgp && route.peer().is_some()) {
                    out.push(a.clone());
                }
            }
            // RFC 4456 §8: reflecting prepends our cluster ID.
            AttrValue::ClusterList(c) if reflect => {
                has_cluster_list = true;
                let mut l = Vec::with_capacity(c.len() + 1);
                l.push(t.cluster_id);
                l.extend_from_slice(c);
                out.push(Attribute::new(AttrValue::ClusterList(l)));
            }
            AttrValue::OriginatorId(_) | AttrValue::ClusterList(_) | AttrValue::Aigp(_) => {
                if !t.ebgp {
                    out.push(a.clone());
                }
            }
            AttrValue::Unknown { .. } => {
                if a.is_passed_on() {
                    let mut a = a.clone();
                    a.mark_partial_if_unrecognised();
                    out.push(a);
                }
            }
            // Non-transitive extended communities stay inside the AS (RFC 4360 §2).
            AttrValue::ExtCommunities(c) if t.ebgp && c.iter().any(|e| !e.is_transitive()) => {
                let kept: Vec<_> = c.iter().copied().filter(|e| e.is_transitive()).collect();
                if !kept.is_empty() {
                    out.push(Attribute::new(AttrValue::ExtCommunities(kept)));
                }
            }
            AttrValue::NextHop(_) | AttrValue::MpReach(_) | AttrValue::MpUnreach(_) => {}
            _ => out.push(a.clone()),
        }
    }
    let mut path = route.as_path.to_as_path();
    if t.ebgp {
        path.prepend(t.local_as);
    }
    // AS_PATH goes second, after ORIGIN, as most speakers write it.
    let pos = out
        .iter()
        .position(|a| matches!(a.value, AttrValue::Origin(_)))
        .map_or(0, |p| p + 1);
    if !t.four_octet_as && path.has_four_octet_asns() {
        out.insert(pos, Attribute::new(AttrValue::As4Path(path.clone())));
    }
    out.insert(pos, Attribute::new(AttrValue::AsPath(path)));
    if !t.ebgp && !has_local_pref {
        out.push(Attribute::new(AttrValue::LocalPref(100)));
    }
    if reflect {
        // RFC 4456 §8: ORIGINATOR_ID names the router that brought the
        // route into the AS, set once; CLUSTER_LIST starts with us.
        if route.originator_id().is_none() {
            out.push(Attribute::new(AttrValue::OriginatorId(
                route.learned.peer_id,
            )));
        }
        if !has_cluster_list {
            out.push(Attribute::new(AttrValue::ClusterList(vec![t.cluster_id])));
        }
    }
    if let Egress::AddOtc(v) = egress {
        out.push(Attribute::new(AttrValue::Otc(v)));
    }
    out.sort_by_key(|a| a.type_code());
    let next_hop = if let Some(nh) = &ov.next_hop {
        nh.clone()
    } else if t.ebgp
        || route.peer().is_none()
        || ov.next_hop_self
        || (t.next_hop_self && route.ebgp())
    {
        self_next_hop(t, v6_route)?
    } else {
        (**route.next_hop()).clone()
    };
    Some((out, next_hop))
}

/// Our address as a next hop for a route of the given family: the
/// configured next hop of that family if there is one (like BIRD's `next hop
/// address`) — with our link-local session address beside it on a
/// link-local session — else our session address; an IPv6 route over an IPv4 session
/// without a configured next hop gets the IPv4-mapped address (as FRR sends;
/// BIRD refuses it).
fn self_next_hop(t: &Target, v6_route: bool) -> Option<NextHop> {
    Some(match (t.local_addr, v6_route) {
        (IpAddr::V4(a), false) => NextHop::Ipv4(t.ipv4_next_hop.unwrap_or(a)),
        // RFC 2545 §3: over a link-local session the neighbour shares our
        // link, so our link-local address goes with the global one.
        (IpAddr::V6(a), true) => match t.ipv6_next_hop {
            Some(global) if a.is_unicast_link_local() => NextHop::Ipv6 {
                global,
                link_local: Some(a),
            },
            global => NextHop::Ipv6 {
                global: global.unwrap_or(a),
                link_local: None,
            },
        },
        (IpAddr::V4(a), true) => NextHop::Ipv6 {
            global: t.ipv6_next_hop.unwrap_or(a.to_ipv6_mapped()),
            link_local: None,
        },
        (IpAddr::V6(a), false) => NextHop::Ipv4(
            t.ipv4_next_hop
                .or(a.to_ipv4_mapped())
                .unwrap_or(Ipv4Addr::UNSPECIFIED),
        ),
    })
    .filter(|nh| {
        !matches!(nh, NextHop::Ipv4(a) if a.is_unspecified())
            && !matches!(nh, NextHop::Ipv6 { global, .. } if *global == Ipv6Addr::UNSPECIFIED)
    })
}
