//! Route-leak prevention with BGP roles and the Only to Customer attribute
//! (RFC 9234 §5).
//!
//! `role` is always *our* role on the session, as configured: `Provider`
//! means the neighbour is our customer, `Customer` that it is our provider,
//! `RouteServer` that it is a route-server client, `RouteServerClient` that
//! it is a route server, `Peer` a lateral peer. The rules apply to eBGP
//! sessions with a role; without one, nothing is added or checked (the
//! neighbour's relationship is unknown).
//!
//! Because every route learned from a provider, a peer or a route server
//! gets an OTC on the way in, and no route with an OTC goes to a provider,
//! a peer or a route server, export is "valley-free" with no policy at all:
//! what we learn from peers and providers goes only to customers (and
//! route-server clients); our own and our customers' routes go everywhere.

use peerd_wire::capability::Role;

/// What to do with a route received on a session with a role (§5, ingress).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ingress {
    /// Keep the route as it is.
    Keep,
    /// A route leak: keep it, but it is ineligible for selection.
    Leak,
    /// Add an OTC with this value (the neighbour's AS).
    AddOtc(u32),
}

/// What to do with a route sent on a session with a role (§5, egress).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Egress {
    /// Send it as it is.
    Keep,
    /// Do not send it: it would leak.
    Block,
    /// Send it with an OTC of this value (our AS).
    AddOtc(u32),
}

/// RFC 9234 §5 ingress rules for a route with `otc` from a neighbour in
/// `remote_as` to which we have `role`.
pub fn ingress(role: Option<Role>, remote_as: u32, otc: Option<u32>) -> Ingress {
    let Some(role) = role else {
        return Ingress::Keep;
    };
    match (role, otc) {
        // 1. From a customer or a route-server client, any OTC is a leak.
        (Role::Provider | Role::RouteServer, Some(_)) => Ingress::Leak,
        // 2. From a peer, an OTC other than the peer's own AS is a leak.
        (Role::Peer, Some(v)) if v != remote_as => Ingress::Leak,
        // 3. From a provider, a peer or a route server, mark it.
        (Role::Customer | Role::Peer | Role::RouteServerClient, None) => Ingress::AddOtc(remote_as),
        _ => Ingress::Keep,
    }
}

/// RFC 9234 §5 egress rules for a route with `otc` sent to a neighbour to
/// which we have `role`.
pub fn egress(role: Option<Role>, local_as: u32, otc: Option<u32>) -> Egress {
    let Some(role) = role else {
        return Egress::Keep;
    };
    match (role, otc) {
        // 2. A route with an OTC never goes to a provider, a peer or a route server.
        (Role::Customer | Role::Peer | Role::RouteServerClient, Some(_)) => Egress::Block,
        // 1. To a customer, a peer or (as a route server) a client, mark it.
        (Role::Provider | Role::Peer | Role::RouteServer, None) => Egress::AddOtc(local_as),
        _ => Egress::Keep,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const US: u32 = 64500;
    const THEM: u32 = 64511;

    /// The ingress table of §5, row by row: our role, the OTC received,
    /// what happens.
    #[test]
    fn ingress_table() {
        let rows = [
            (Role::Provider, None, Ingress::Keep),
            (Role::Provider, Some(THEM), Ingress::Leak),
            (Role::Provider, Some(1), Ingress::Leak),
            (Role::RouteServer, None, Ingress::Keep),
            (Role::RouteServer, Some(THEM), Ingress::Leak),
            (Role::Peer, None, Ingress::AddOtc(THEM)),
            (Role::Peer, Some(THEM), Ingress::Keep),
            (Role::Peer, Some(1), Ingress::Leak),
            (Role::Customer, None, Ingress::AddOtc(THEM)),
            (Role::Customer, Some(1), Ingress::Keep),
            (Role::RouteServerClient, None, Ingress::AddOtc(THEM)),
            (Role::RouteServerClient, Some(1), Ingress::Keep),
        ];
        for (role, otc, want) in rows {
            assert_eq!(ingress(Some(role), THEM, otc), want, "{role:?} {otc:?}");
        }
        assert_eq!(ingress(None, THEM, Some(1)), Ingress::Keep);
        assert_eq!(ingress(None, THEM, None), Ingress::Keep);
    }

    /// The egress table of §5: our role towards the receiver, the route's
    /// OTC, what is sent.
    #[test]
    fn egress_table() {
        let rows = [
            (Role::Provider, None, Egress::AddOtc(US)),
            (Role::Provider, Some(1), Egress::Keep),
            (Role::RouteServer, None, Egress::AddOtc(US)),
            (Role::RouteServer, Some(1), Egress::Keep),
            (Role::Peer, None, Egress::AddOtc(US)),
            (Role::Peer, Some(1), Egress::Block),
            (Role::Customer, None, Egress::Keep),
            (Role::Customer, Some(1), Egress::Block),
            (Role::RouteServerClient, None, Egress::Keep),
            (Role::RouteServerClient, Some(1), Egress::Block),
        ];
        for (role, otc, want) in rows {
            assert_eq!(egress(Some(role), US, otc), want, "{role:?} {otc:?}");
        }
        assert_eq!(egress(None, US, Some(1)), Egress::Keep);
    }

    /// Valley-free by construction: whatever comes in from a provider or a
    /// peer (and so carries an OTC after ingress) goes only to customers and
    /// route-server clients.
    #[test]
    fn routes_from_peers_and_providers_go_only_to_customers() {
        for from in [Role::Customer, Role::Peer, Role::RouteServerClient] {
            let otc = match ingress(Some(from), THEM, None) {
                Ingress::AddOtc(v) => Some(v),
                other => panic!("{from:?}: {other:?}"),
            };
            for to in [
                Role::Provider,
                Role::RouteServer,
                Role::Peer,
                Role::Customer,
                Role::RouteServerClient,
            ] {
                let sent = egress(Some(to), US, otc) != Egress::Block;
                let to_customer = matches!(to, Role::Provider | Role::RouteServer);
                assert_eq!(sent, to_customer, "from {from:?} to {to:?}");
            }
        }
    }
}
