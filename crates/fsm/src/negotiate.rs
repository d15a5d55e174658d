//! Building our OPEN, checking the peer's (RFC 4271 §6.2) and negotiating
//! capabilities (RFC 5492 and each capability's RFC).

use crate::config::PeerConfig;
use peerd_wire::attr::AS_TRANS;
use peerd_wire::capability::{
    AddPathFamily, Capability, ExtendedNextHop, GracefulRestart, GracefulRestartFamily, LlgrFamily,
    Role,
};
use peerd_wire::error::{code, subcode, DecodeError, Reason};
use peerd_wire::message::OptParam;
use peerd_wire::{DecodeContext, Family, FamilySet, Open};
use std::net::Ipv4Addr;
use std::time::Duration;

/// What both sides agreed on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Negotiated {
    /// The peer's AS (from its 4-octet AS capability when present).
    pub peer_as: u32,
    /// The peer's BGP identifier.
    pub peer_id: Ipv4Addr,
    /// The negotiated hold time in seconds (the smaller of the two; 0 means
    /// no keepalives and no hold timer).
    pub hold_time: u16,
    /// How often we send KEEPALIVE (`None` with a zero hold time).
    pub keepalive: Option<Duration>,
    /// Families both sides announced (RFC 4760 §8). A peer that sends no
    /// Multiprotocol capability gets IPv4 unicast only.
    pub families: Vec<Family>,
    /// Both sides support 4-octet AS numbers (RFC 6793).
    pub four_octet_as: bool,
    /// The peer accepts ROUTE-REFRESH (RFC 2918).
    pub route_refresh: bool,
    /// Both sides support enhanced route refresh (RFC 7313).
    pub enhanced_route_refresh: bool,
    /// Both sides accept extended messages (RFC 8654).
    pub extended_message: bool,
    /// Families whose NLRI we receive with path identifiers (RFC 7911).
    pub add_path_rx: FamilySet,
    /// Families whose NLRI we send with path identifiers.
    pub add_path_tx: FamilySet,
    /// Extended next hop encodings both sides announced (RFC 8950).
    pub extended_next_hop: Vec<ExtendedNextHop>,
    /// The peer's graceful restart capability, if any (RFC 4724).
    pub peer_graceful_restart: Option<GracefulRestart>,
    /// The peer's long-lived graceful restart families (RFC 9494).
    pub peer_llgr: Vec<LlgrFamily>,
    /// The peer's role (RFC 9234).
    pub peer_role: Option<Role>,
    /// The peer's host and domain name, if announced.
    pub peer_hostname: Option<(String, String)>,
    /// How we decode what the peer sends.
    pub rx: DecodeContext,
    /// How we encode what we send.
    pub tx: DecodeContext,
}

/// Our OPEN for this session.
pub fn our_open(cfg: &PeerConfig) -> Open {
    let mut caps = Vec::new();
    for f in &cfg.families {
        caps.push(Capability::Multiprotocol(*f));
    }
    if cfg.route_refresh {
        caps.push(Capability::RouteRefresh);
        caps.push(Capability::EnhancedRouteRefresh);
    }
    caps.push(Capability::FourOctetAs(cfg.local_as));
    if !cfg.add_path.is_empty() {
        caps.push(Capability::AddPath(cfg.add_path.clone()));
    }
    if cfg.extended_message {
        caps.push(Capability::ExtendedMessage);
    }
    if !cfg.extended_next_hop.is_empty() {
        caps.push(Capability::ExtendedNextHop(cfg.extended_next_hop.clone()));
    }
    if let Some(gr) = cfg.graceful_restart {
        let families = match gr.forwarding {
            None => Vec::new(),
            Some(f) => cfg
                .families
                .iter()
                .map(|&family| GracefulRestartFamily {
                    family,
                    flags: if f { 0x80 } else { 0 },
                })
                .collect(),
        };
        caps.push(Capability::GracefulRestart(GracefulRestart {
            // N bit (RFC 8538): we handle Hard Reset as such; R bit
            // (RFC 4724 §3) while we have restarted.
            flags: 0x4 | if gr.restarting { 0x8 } else { 0 },
            restart_time: gr.restart_time.min(4095),
            families,
        }));
    }
    if let Some(r) = cfg.role {
        caps.push(Capability::Role(r));
    }
    if let Some((h, d)) = &cfg.hostname {
        caps.push(Capability::Fqdn {
            hostname: h.as_bytes().to_vec(),
            domain: d.as_bytes().to_vec(),
        });
    }
    Open::new(cfg.local_as, cfg.hold_time, cfg.router_id, caps)
}

fn open_error(sub: u8, reason: Reason) -> DecodeError {
    DecodeError::new(code::OPEN_MESSAGE, sub, reason)
}

/// Checks the peer's OPEN against the configuration and negotiates. Errors
/// are the NOTIFICATION to send (RFC 4271 §6.2, RFC 5492, RFC 9234 §4.2).
pub fn negotiate(cfg: &PeerConfig, ours: &Open, theirs: &Open) -> Result<Negotiated, DecodeError> {
    if theirs.version != 4 {
        // Data: the largest version we support (RFC 4271 §6.2).
        return Err(open_error(
            subcode::open::UNSUPPORTED_VERSION,
            Reason::BadAttributeValue,
        )
        .with_data([0, 4]));
    }
    for p in &theirs.params {
        if let OptParam::Unknown { param_type, value } = p {
            let mut data = vec![*param_type];
            data.extend_from_slice(value);
            return Err(open_error(
                subcode::open::UNSUPPORTED_OPTIONAL_PARAMETER,
                Reason::BadOptionalParameter,
            )
            .with_data(data));
        }
    }
    let four_cap = theirs.capabilities().find_map(|c| match c {
        Capability::FourOctetAs(a) => Some(*a),
        _ => None,
    });
    let peer_as = four_cap.unwrap_or(u32::from(theirs.my_as));
    // RFC 6793 §4.1: with the capability, My AS must agree with it (or be AS_TRANS).
    let my_as_consistent = match four_cap {
        Some(a) => {
            u32::from(theirs.my_as) == a || (a > 0xffff && u32::from(theirs.my_as) == AS_TRANS)
        }
        None => true,
    };
    if peer_as != cfg.remote_as || !my_as_consistent {
        return Err(
            open_error(subcode::open::BAD_PEER_AS, Reason::BadAttributeValue)
                .with_data(theirs.my_as.to_be_bytes()),
        );
    }
    if theirs.hold_time == 1
        || theirs.hold_time == 2
        || (theirs.hold_time != 0 && theirs.hold_time < cfg.min_hold_time)
    {
        return Err(open_error(
            subcode::open::UNACCEPTABLE_HOLD_TIME,
            Reason::BadAttributeValue,
        ));
    }
    let id = theirs.bgp_id;
    if id.is_unspecified() || (!cfg.is_ebgp() && id == cfg.router_id) {
        return Err(
            open_error(subcode::open::BAD_BGP_IDENTIFIER, Reason::BadAttributeValue)
                .with_data(id.octets()),
        );
    }

    // Families (RFC 4760 §8): no Multiprotocol capability means IPv4 unicast.
    let their_fams: Vec<Family> = theirs
        .capabilities()
        .filter_map(|c| {
            if let Capability::Multiprotocol(f) = c {
                Some(*f)
            } else {
                None
            }
        })
        .collect();
    let their_fams = if their_fams.is_empty() {
        vec![Family::IPV4_UNICAST]
    } else {
        their_fams
    };
    let families: Vec<Family> = cfg
        .families
        .iter()
        .copied()
        .filter(|f| their_fams.contains(f))
        .collect();
    if families.is_empty() {
        // RFC 5492 §5: nothing in common; tell the peer what we wanted.
        let mut data = Vec::new();
        for c in ours
            .capabilities()
            .filter(|c| matches!(c, Capability::Multiprotocol(_)))
        {
            c.encode(&mut data);
        }
        return Err(
            open_error(subcode::open::UNSUPPORTED_CAPABILITY, Reason::BadCapability)
                .with_data(data),
        );
    }

    // Roles (RFC 9234 §4.2).
    let peer_role = theirs.capabilities().find_map(|c| {
        if let Capability::Role(r) = c {
            Some(*r)
        } else {
            None
        }
    });
    if let Some(ours_role) = cfg.role {
        match peer_role {
            Some(r) if Some(r) != ours_role.expected_peer_role() => {
                return Err(open_error(
                    subcode::open::ROLE_MISMATCH,
                    Reason::BadCapability,
                ));
            }
            None if cfg.role_strict => {
                return Err(open_error(
                    subcode::open::ROLE_MISMATCH,
                    Reason::BadCapability,
                ));
            }
            _ => {}
        }
    }

    let has = |o: &Open, f: fn(&Capability) -> bool| o.capabilities().any(f);
    let four_octet_as = four_cap.is_some();
    let route_refresh = has(theirs, |c| {
        matches!(
            c,
            Capability::RouteRefresh | Capability::Unknown { code: 128, .. }
        )
    });
    let enhanced_route_refresh =
        cfg.route_refresh && has(theirs, |c| matches!(c, Capability::EnhancedRouteRefresh));
    let extended_message = has(ours, |c| matches!(c, Capability::ExtendedMessage))
        && has(theirs, |c| matches!(c, Capability::ExtendedMessage));

    let modes = |o: &Open| -> Vec<AddPathFamily> {
        o.capabilities()
            .filter_map(|c| {
                if let Capability::AddPath(v) = c {
                    Some(v.clone())
                } else {
                    None
                }
            })
            .flatten()
            .collect()
    };
    let (our_ap, their_ap) = (modes(ours), modes(theirs));
    let mut add_path_rx = FamilySet::EMPTY;
    let mut add_path_tx = FamilySet::EMPTY;
    for a in &our_ap {
        if !families.contains(&a.family) {
            continue;
        }
        let peer = their_ap.iter().find(|b| b.family == a.family);
        if a.mode.receive() && peer.is_some_and(|b| b.mode.send()) {
            add_path_rx.insert(a.family);
        }
        if a.mode.send() && peer.is_some_and(|b| b.mode.receive()) {
            add_path_tx.insert(a.family);
        }
    }
    let their_enh: Vec<ExtendedNextHop> = theirs
        .capabilities()
        .filter_map(|c| {
            if let Capability::ExtendedNextHop(v) = c {
                Some(v.clone())
            } else {
                None
            }
        })
        .flatten()
        .collect();
    let extended_next_hop = cfg
        .extended_next_hop
        .iter()
        .copied()
        .filter(|e| their_enh.contains(e))
        .collect();
    let peer_graceful_restart = theirs.capabilities().find_map(|c| {
        if let Capability::GracefulRestart(g) = c {
            Some(g.clone())
        } else {
            None
        }
    });
    let peer_llgr = theirs
        .capabilities()
        .filter_map(|c| {
            if let Capability::LongLivedGracefulRestart(v) = c {
                Some(v.clone())
            } else {
                None
            }
        })
        .flatten()
        .collect();
    let peer_hostname = theirs.capabilities().find_map(|c| match c {
        Capability::Fqdn { hostname, domain } => Some((
            String::from_utf8_lossy(hostname).into_owned(),
            String::from_utf8_lossy(domain).into_owned(),
        )),
        _ => None,
    });

    let hold_time = cfg.hold_time.min(theirs.hold_time);
    let keepalive = if hold_time == 0 {
        None
    } else {
        let third = Duration::from_secs(u64::from(hold_time / 3).max(1));
        Some(cfg.keepalive.map_or(third, |k| k.min(third)))
    };
    let ctx = |add_path| DecodeContext {
        four_octet_as,
        add_path,
        extended_message,
    };
    Ok(Negotiated {
        peer_as,
        peer_id: id,
        hold_time,
        keepalive,
        families,
        four_octet_as,
        route_refresh,
        enhanced_route_refresh,
        extended_message,
        add_path_rx,
        add_path_tx,
        extended_next_hop,
        peer_graceful_restart,
        peer_llgr,
        peer_role,
        peer_hostname,
        rx: ctx(add_path_rx),
        tx: ctx(add_path_tx),
    })
}
