//! Output identical to `bgpdump -m` (Debian bgpdump 1.6.2), one line per prefix.
//!
//! The layout and its quirks are bgpdump's, reproduced on purpose so that
//! scripts written for bgpdump keep working:
//!
//! - `TYPE|time|B|peer|peer-AS|prefix|AS path|origin|next hop|local pref|MED|communities|AG or NAG|aggregator AS and address|`
//!   for RIB entries (`TABLE_DUMP`, `TABLE_DUMP2`, `TABLE_DUMP2_AP` with the path id after the prefix);
//! - `BGP4MP|time|A|…` the same for announcements, `BGP4MP|time|W|peer|peer-AS|prefix` for withdrawals,
//!   `BGP4MP|time|STATE|peer|peer-AS|old|new` for state changes; `_ET` types add
//!   microseconds to the time, `_LOCAL` and `_AP` subtypes extend the type name;
//! - an absent ORIGIN prints `INCOMPLETE`, an absent NEXT_HOP `255.255.255.255`,
//!   absent LOCAL_PREF and MED `0`; only NO_EXPORT, NO_ADVERTISE and
//!   NO_EXPORT_SUBCONFED (`local-AS`) are named; large and extended
//!   communities are not shown;
//! - on 2-octet sessions the AS path and aggregator are rebuilt from AS4_PATH
//!   and AS4_AGGREGATOR (RFC 6793);
//! - IPv4 routes carried in MP_REACH_NLRI print LOCAL_PREF and MED as signed
//!   32-bit numbers (bgpdump uses `%d` there);
//! - in RIB entries, an abbreviated MP_REACH_NLRI is read as an IPv6 next hop
//!   whatever its length, as bgpdump does.
//!
//! One deliberate difference: prefixes are printed with host bits cleared
//! (`11.8.0.0/13`, as RFC 4271 readers do and bgpdump's own test expects),
//! where bgpdump 1.6.2 prints the bits as sent.

use super::text::Text;
use super::Sink;
use peerd_mrt::{
    Bgp4mpMessage, Body, Header, LegacyBgp, LegacyPayload, PeerIndexTable, Record, StateChange,
    TableDump,
};
use peerd_wire::attr::{AttrValue, Attribute, MpReach, NextHop};
use peerd_wire::message::update::{real_aggregator, real_as_path};
use peerd_wire::{Afi, AttrError, Message, Nlri, Safi};
use std::io::{self, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Output is written in blocks of about this size.
const FLUSH_AT: usize = 1 << 16;

#[derive(Default)]
pub struct Bgpdump {
    peers: Option<PeerIndexTable>,
    text: Text,
}

/// The attribute fields of a line, computed once per attribute set.
struct Fields {
    as_path: Vec<u8>,
    origin: &'static str,
    next_hop: Ipv4Addr,
    local_pref: u32,
    med: u32,
    communities: Option<Vec<u8>>,
    atomic: bool,
    aggregator: Option<(u32, Ipv4Addr)>,
}

const NONE: Ipv4Addr = Ipv4Addr::BROADCAST;

impl Fields {
    fn new(attrs: &[Attribute], errors: &[AttrError], four_octet_as: bool) -> Fields {
        let mut f = Fields {
            as_path: real_as_path(attrs, four_octet_as)
                .map(|p| p.to_string().into_bytes())
                .unwrap_or_default(),
            origin: "INCOMPLETE",
            next_hop: NONE,
            local_pref: 0,
            med: 0,
            communities: None,
            atomic: false,
            aggregator: real_aggregator(attrs, four_octet_as)
                .filter(|a| a.addr != NONE)
                .map(|a| (a.asn, a.addr))
                .or_else(|| misread_aggregator(errors, four_octet_as)),
        };
        for a in attrs {
            match &a.value {
                AttrValue::Origin(o) => f.origin = o.as_str(),
                AttrValue::NextHop(n) => f.next_hop = *n,
                AttrValue::LocalPref(v) => f.local_pref = *v,
                AttrValue::Med(v) => f.med = *v,
                AttrValue::AtomicAggregate => f.atomic = true,
                AttrValue::Communities(c) => {
                    let mut t = Text::default();
                    for (i, c) in c.iter().enumerate() {
                        if i > 0 {
                            t.byte(b' ');
                        }
                        match c.0 {
                            0xFFFF_FF01 => t.str("no-export"),
                            0xFFFF_FF02 => t.str("no-advertise"),
                            0xFFFF_FF03 => t.str("local-AS"),
                            _ => {
                                t.u32(u32::from(c.asn()));
                                t.byte(b':');
                                t.u32(u32::from(c.value()));
                            }
                        }
                    }
                    f.communities = Some(t.buf);
                }
                _ => {}
            }
        }
        f
    }

    /// `AS path|origin|` — the part before the next hop.
    fn head(&self, t: &mut Text) {
        t.buf.extend_from_slice(&self.as_path);
        t.byte(b'|');
        t.str(self.origin);
        t.byte(b'|');
    }

    /// `|local pref|MED|communities|AG|aggregator|` and the newline.
    fn tail(&self, t: &mut Text, signed: bool) {
        t.byte(b'|');
        if signed {
            t.i32(self.local_pref as i32);
            t.byte(b'|');
            t.i32(self.med as i32);
        } else {
            t.u32(self.local_pref);
            t.byte(b'|');
            t.u32(self.med);
        }
        t.byte(b'|');
        if let Some(c) = &self.communities {
            t.buf.extend_from_slice(c);
        }
        t.byte(b'|');
        t.str(if self.atomic { "AG" } else { "NAG" });
        t.byte(b'|');
        self.aggregator_end(t);
    }

    /// `AS address|` or `|`, and the newline.
    fn aggregator_end(&self, t: &mut Text) {
        if let Some((asn, addr)) = self.aggregator {
            t.u32(asn);
            t.byte(b' ');
            t.ipv4(addr);
        }
        t.str("|\n");
    }
}

/// bgpdump reads an AGGREGATOR of the wrong length anyway: the AS in the
/// session's width, then four octets of address (zeros past the end).
fn misread_aggregator(errors: &[AttrError], four_octet_as: bool) -> Option<(u32, Ipv4Addr)> {
    let e = errors
        .iter()
        .find(|e| e.type_code == 7 && e.error.subcode == 5)?;
    let d = &e.error.data;
    let hdr = if d.first()? & 0x10 != 0 { 4 } else { 3 };
    let v = d.get(hdr..)?;
    let mut b = [0u8; 8];
    for (i, x) in v.iter().take(8).enumerate() {
        b[i] = *x;
    }
    let (asn, a) = if four_octet_as {
        (
            u32::from_be_bytes([b[0], b[1], b[2], b[3]]),
            [b[4], b[5], b[6], b[7]],
        )
    } else {
        (
            u32::from(u16::from_be_bytes([b[0], b[1]])),
            [b[2], b[3], b[4], b[5]],
        )
    };
    let addr = Ipv4Addr::from(a);
    (addr != NONE).then_some((asn, addr))
}

/// The next hop bgpdump shows for RIB entries: MP_REACH_NLRI's, when bgpdump
/// files it as IPv6 unicast (any abbreviated one, or a full one of that
/// family), else NEXT_HOP.
fn rib_next_hop(attrs: &[Attribute], fields: &Fields, t: &mut Text) {
    for a in attrs {
        if let AttrValue::MpReach(m) = &a.value {
            let v6_slot =
                m.abbreviated || (m.family.afi == Afi::Ipv6 && m.family.safi == Safi::Unicast);
            if v6_slot {
                t.ipv6(v6_view(&m.next_hop));
                return;
            }
        }
    }
    t.ipv4(fields.next_hop);
}

/// A next hop seen through bgpdump's IPv6 field.
fn v6_view(nh: &NextHop) -> Ipv6Addr {
    match nh {
        NextHop::Ipv6 { global, .. } => *global,
        NextHop::Ipv4(a) => {
            let mut b = [0u8; 16];
            b[..4].copy_from_slice(&a.octets());
            Ipv6Addr::from(b)
        }
        NextHop::Other(_) => Ipv6Addr::UNSPECIFIED,
    }
}

/// A next hop seen through bgpdump's IPv4 field.
fn v4_view(nh: &NextHop) -> Ipv4Addr {
    match nh {
        NextHop::Ipv4(a) => *a,
        NextHop::Ipv6 { global, .. } => {
            let o = global.octets();
            Ipv4Addr::new(o[0], o[1], o[2], o[3])
        }
        NextHop::Other(_) => Ipv4Addr::UNSPECIFIED,
    }
}

fn time(t: &mut Text, h: &Header) {
    t.u32(h.timestamp);
    if let Some(us) = h.microseconds {
        t.byte(b'.');
        t.micros(us);
    }
}

impl Sink for Bgpdump {
    fn record(&mut self, rec: &Record, out: &mut dyn Write) -> io::Result<()> {
        let t = &mut self.text;
        match &rec.body {
            Body::PeerIndexTable(p) => self.peers = Some(p.clone()),
            Body::TableDump(d) => table_dump(t, &rec.header, d),
            Body::Rib(rib) => {
                let Some(peers) = &self.peers else {
                    return Ok(());
                };
                let kind = if rib.add_path {
                    "TABLE_DUMP2_AP|"
                } else {
                    "TABLE_DUMP2|"
                };
                for e in &rib.entries {
                    let Some(peer) = peers.peers.get(usize::from(e.peer_index)) else {
                        continue;
                    };
                    let f = Fields::new(&e.attributes, &e.errors, true);
                    t.str(kind);
                    t.u32(rec.header.timestamp);
                    t.str("|B|");
                    t.ip(peer.ip);
                    t.byte(b'|');
                    t.u32(peer.asn);
                    t.byte(b'|');
                    t.prefix(rib.prefix);
                    t.byte(b'|');
                    if let Some(id) = e.path_id.filter(|_| rib.add_path) {
                        t.u32(id);
                        t.byte(b'|');
                    }
                    f.head(t);
                    rib_next_hop(&e.attributes, &f, t);
                    f.tail(t, false);
                }
            }
            Body::Bgp4mpMessage(m) => message(t, &rec.header, m),
            Body::StateChange(s) => state(t, &rec.header, s),
            Body::LegacyBgp(b) => legacy(t, &rec.header, b),
            Body::RibGeneric(_) | Body::Unsupported(_) => {}
        }
        if self.text.buf.len() >= FLUSH_AT {
            out.write_all(&self.text.buf)?;
            self.text.buf.clear();
        }
        Ok(())
    }

    fn finish(&mut self, out: &mut dyn Write) -> io::Result<()> {
        out.write_all(&self.text.buf)?;
        self.text.buf.clear();
        Ok(())
    }
}

fn table_dump(t: &mut Text, h: &Header, d: &TableDump) {
    let f = Fields::new(&d.attributes, &d.errors, d.as4);
    t.str("TABLE_DUMP|");
    t.u32(h.timestamp);
    t.str("|B|");
    t.ip(d.peer_ip);
    t.byte(b'|');
    t.u32(d.peer_as);
    t.byte(b'|');
    // The prefix address as written in the file, host bits and all.
    t.ip(d.prefix_addr);
    t.byte(b'/');
    t.u32(u32::from(d.prefix_len));
    t.byte(b'|');
    f.head(t);
    rib_next_hop(&d.attributes, &f, t);
    f.tail(t, false);
}

fn state(t: &mut Text, h: &Header, s: &StateChange) {
    t.str(if h.microseconds.is_some() {
        "BGP4MP_ET|"
    } else {
        "BGP4MP|"
    });
    time(t, h);
    t.str("|STATE|");
    t.ip(s.peer_ip);
    t.byte(b'|');
    t.u32(s.peer_as);
    t.byte(b'|');
    t.u32(u32::from(s.old_state));
    t.byte(b'|');
    t.u32(u32::from(s.new_state));
    t.byte(b'\n');
}

fn message(t: &mut Text, h: &Header, m: &Bgp4mpMessage) {
    let Ok(Message::Update(u)) = &m.message else {
        return;
    };
    let mut kind = String::from("BGP4MP");
    if h.microseconds.is_some() {
        kind.push_str("_ET");
    }
    if m.local {
        kind.push_str("_LOCAL");
    }
    if m.add_path {
        kind.push_str("_AP");
    }
    // bgpdump shows the first address and AS of the record, the peer's, for
    // received and _LOCAL messages alike.
    let (peer, asn): (IpAddr, u32) = (m.peer_ip, m.peer_as);
    let line_start = |t: &mut Text, code: &str, n: &Nlri| {
        t.str(&kind);
        t.byte(b'|');
        time(t, h);
        t.byte(b'|');
        t.str(code);
        t.byte(b'|');
        t.ip(peer);
        t.byte(b'|');
        t.u32(asn);
        t.byte(b'|');
        t.prefix(n.prefix);
    };
    let path_id = |n: &Nlri| if m.add_path { n.path_id } else { None };
    let shown = |afi: Afi, safi: Safi| {
        matches!(afi, Afi::Ipv4 | Afi::Ipv6) && matches!(safi, Safi::Unicast | Safi::Multicast)
    };
    let mp_unreach = u
        .mp_unreach()
        .filter(|x| shown(x.family.afi, x.family.safi));
    for n in u
        .withdrawn
        .iter()
        .chain(mp_unreach.iter().flat_map(|x| x.nlri.prefixes()))
    {
        line_start(t, "W", n);
        if let Some(id) = path_id(n) {
            t.byte(b'|');
            t.u32(id);
        }
        t.byte(b'\n');
    }
    let mp_reach: Option<&MpReach> = u.mp_reach().filter(|x| shown(x.family.afi, x.family.safi));
    if u.nlri.is_empty() && mp_reach.is_none() {
        return;
    }
    let f = Fields::new(&u.attributes, &u.errors, m.as4);
    let announce = |t: &mut Text, n: &Nlri, nh: IpAddr, signed: bool| {
        line_start(t, "A", n);
        t.byte(b'|');
        if let Some(id) = path_id(n) {
            t.u32(id);
            t.byte(b'|');
        }
        f.head(t);
        t.ip(nh);
        f.tail(t, signed);
    };
    for n in &u.nlri {
        announce(t, n, IpAddr::V4(f.next_hop), false);
    }
    if let Some(mp) = mp_reach {
        // IPv4 routes in MP_REACH_NLRI: bgpdump prints LOCAL_PREF and MED with %d.
        let (nh, signed) = match mp.family.afi {
            Afi::Ipv4 => (IpAddr::V4(v4_view(&mp.next_hop)), true),
            _ => (IpAddr::V6(v6_view(&mp.next_hop)), false),
        };
        for n in mp.nlri.prefixes() {
            announce(t, n, nh, signed);
        }
    }
}

/// The deprecated MRTd BGP type. bgpdump's lines for it have no community
/// column of their own: communities, when present, follow the MED with no
/// separator. We print the same layout. One deliberate difference: bgpdump
/// prints the peer address in place of the withdrawn prefix's address (both
/// come from one static `inet_ntoa` buffer); we print the prefix.
fn legacy(t: &mut Text, h: &Header, b: &LegacyBgp) {
    let start = |t: &mut Text, code: &str, n: &Nlri| {
        t.str("BGP|");
        t.u32(h.timestamp);
        t.byte(b'|');
        t.str(code);
        t.byte(b'|');
        t.ipv4(b.peer_ip);
        t.byte(b'|');
        t.u32(b.peer_as);
        t.byte(b'|');
        t.prefix(n.prefix);
    };
    match &b.payload {
        LegacyPayload::StateChange {
            old_state,
            new_state,
        } => {
            t.str("BGP|");
            t.u32(h.timestamp);
            t.str("|STATE|");
            t.ipv4(b.peer_ip);
            t.byte(b'|');
            t.u32(b.peer_as);
            t.byte(b'|');
            t.u32(u32::from(*old_state));
            t.byte(b'|');
            t.u32(u32::from(*new_state));
            t.byte(b'\n');
        }
        LegacyPayload::Update { update: Ok(u), .. } => {
            for n in &u.withdrawn {
                start(t, "W", n);
                t.byte(b'\n');
            }
            if u.nlri.is_empty() {
                return;
            }
            let f = Fields::new(&u.attributes, &u.errors, false);
            for n in &u.nlri {
                start(t, "A", n);
                t.byte(b'|');
                f.head(t);
                t.ipv4(f.next_hop);
                t.byte(b'|');
                t.u32(f.local_pref);
                t.byte(b'|');
                t.u32(f.med);
                if let Some(c) = &f.communities {
                    t.buf.extend_from_slice(c);
                }
                t.byte(b'|');
                t.str(if f.atomic { "AG" } else { "NAG" });
                t.byte(b'|');
                f.aggregator_end(t);
            }
        }
        _ => {}
    }
}
