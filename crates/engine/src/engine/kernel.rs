//! Other programs' kernel routes in the routing table (`[fib] import`):
//! a default route from a DHCP client as the regular internet connection,
//! a route an operator added with `ip route`, another daemon's routes.
//!
//! The daemon reads them from the kernel (`peerd-fib`'s `import`) and
//! hands over the whole set whenever it changes ([`Event::KernelRoutes`]);
//! the import policy picks those the routing table takes. A taken route
//! then behaves as a static route of the configured administrative
//! distance (by default 250: BGP wins, as BIRD's kernel protocol ranks
//! learned routes below BGP), with two differences:
//!
//! - it is never installed by us — it is in the kernel already. Where it
//!   wins, our own kernel route for the prefix goes; where it loses, ours
//!   is installed beside it and the kernel picks by metric;
//! - its way out is not resolved again: the kernel holds it, so it works.
//!
//! It covers conditional announcements (`when = "covered"`), shows in the
//! routing table as protocol "kernel", and enters BGP only when
//! redistributed (`[redistribute] kernel`), as our own route with ORIGIN
//! INCOMPLETE.
//!
//! [`Event::KernelRoutes`]: crate::Event::KernelRoutes

use super::{family_of, Action, Engine, RouteKey, Static, Via};
use peerd_policy::{evaluate, Context, Direction, PolicyId, Subject};
use peerd_wire::attr::{AsPath, AttrValue, Attribute, NextHop, Origin};
use peerd_wire::Prefix;
use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Administrative distance of an imported kernel route unless configured.
pub const KERNEL_DISTANCE: u8 = 250;

/// How the routing table takes other programs' kernel routes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KernelImport {
    /// Which: none (`None`), all (`Some(None)`), or those a policy accepts.
    pub import: Option<Option<PolicyId>>,
    /// Their administrative distance against static and BGP routes.
    pub distance: u8,
    /// Into BGP: not at all (`None`), all, or through a policy.
    pub redistribute: Option<Option<PolicyId>>,
}

impl Default for KernelImport {
    fn default() -> Self {
        KernelImport {
            import: None,
            distance: KERNEL_DISTANCE,
            redistribute: None,
        }
    }
}

/// The next hop a policy sees for a route that goes `via`.
pub(super) fn next_hop_of(prefix: &Prefix, via: &Via) -> NextHop {
    match via {
        Via::Address(IpAddr::V4(a), _) => NextHop::Ipv4(*a),
        Via::Address(IpAddr::V6(a), _) => NextHop::Ipv6 {
            global: *a,
            link_local: None,
        },
        _ if prefix.addr().is_ipv6() => NextHop::Ipv6 {
            global: Ipv6Addr::UNSPECIFIED,
            link_local: None,
        },
        _ => NextHop::Ipv4(Ipv4Addr::UNSPECIFIED),
    }
}

impl Engine {
    /// Sets how kernel routes are imported; returns the UPDATEs that follow.
    pub fn set_kernel_import(&mut self, k: KernelImport) -> Vec<Action> {
        let mut actions = Vec::new();
        self.kernel_import = k;
        self.import_kernel(&mut actions);
        self.refresh_local(&mut actions);
        actions
    }

    /// The kernel's other routes changed: these are all of them now.
    pub(super) fn set_kernel_routes(
        &mut self,
        routes: Vec<(Prefix, Via)>,
        actions: &mut Vec<Action>,
    ) {
        if routes == self.kernel_seen {
            return;
        }
        self.kernel_seen = routes;
        self.import_kernel(actions);
        self.refresh_local(actions);
    }

    /// Runs the kernel's routes through the import policy again, and tells
    /// the forwarding table about the prefixes whose routing-table entry
    /// may have changed.
    pub(super) fn import_kernel(&mut self, actions: &mut Vec<Action>) {
        let mut now = BTreeMap::new();
        if let Some(policy) = self.kernel_import.import {
            let ctx = Context {
                local_as: self.local_as,
                neighbor_as: self.local_as,
                role: None,
                direction: Direction::Import,
            };
            let attrs = vec![Attribute::new(AttrValue::Origin(Origin::Incomplete))];
            let path = AsPath::default();
            for (prefix, via) in &self.kernel_seen {
                let take = match policy {
                    None => true,
                    Some(id) => {
                        let nh = next_hop_of(prefix, via);
                        let mut sub = Subject::new(*prefix, &attrs, &path, &nh);
                        evaluate(&self.policies, id, &ctx, &mut sub)
                    }
                };
                if take {
                    let s = Static {
                        prefix: *prefix,
                        via: via.clone(),
                        distance: self.kernel_import.distance,
                    };
                    now.insert((family_of(prefix), *prefix), s);
                }
            }
        }
        let changed: Vec<RouteKey> = now
            .iter()
            .filter(|(k, s)| self.kernel.get(k) != Some(s))
            .map(|(k, _)| *k)
            .chain(self.kernel.keys().filter(|k| !now.contains_key(k)).copied())
            .collect();
        self.kernel = now;
        self.emit_forward(&changed, actions);
    }

    /// The routing table's other-than-BGP route for `key`: the active
    /// static route or the imported kernel route, the lower distance first
    /// (the static route on a tie); `true` for the kernel's.
    pub(super) fn table_route(&self, key: &RouteKey) -> Option<(&Static, bool)> {
        let s = self.statics.get(key).filter(|s| self.static_active(s));
        let k = self.kernel.get(key);
        match (s, k) {
            (Some(s), Some(k)) if k.distance < s.distance => Some((k, true)),
            (Some(s), _) => Some((s, false)),
            (None, Some(k)) => Some((k, true)),
            (None, None) => None,
        }
    }
}
