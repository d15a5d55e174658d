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

use super::Sink;
use peerd_mrt::{
    Bgp4mpMessage, Body, Header, LegacyBgp, LegacyPayload, PeerIndexTable, Record, StateChange,
    TableDump,
};
use peerd_wire::attr::{AttrValue, Attribute, MpReach, NextHop};
use peerd_wire::message::update::{real_aggregator, real_as_path};
use peerd_wire::{Afi, AttrError, Message, Nlri, Safi};
use std::fmt;
use std::io::{self, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// An address as bgpdump prints it. IPv6 differs from RFC 5952 (and Rust's
/// `Display`): the longest run of zero groups is shortened to `::` even when
/// it is a single group, and IPv4-compatible addresses (`::a.b.c.d`) are
/// printed dotted like IPv4-mapped ones.
struct Ip(IpAddr);

impl fmt::Display for Ip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let a = match self.0 {
            IpAddr::V4(a) => return write!(f, "{a}"),
            IpAddr::V6(a) => a,
        };
        let g = a.segments();
        let o = a.octets();
        let low = u32::from_be_bytes([o[12], o[13], o[14], o[15]]);
        if g[..5].iter().all(|&x| x == 0) && (g[5] == 0xffff || (g[5] == 0 && low > 1)) {
            let v4 = Ipv4Addr::new(o[12], o[13], o[14], o[15]);
            return if g[5] == 0xffff {
                write!(f, "::ffff:{v4}")
            } else {
                write!(f, "::{v4}")
            };
        }
        // The first longest run of zero groups, of any length.
        let (mut best, mut best_len, mut run) = (usize::MAX, 0, 0);
        for i in (0..8).rev() {
            run = if g[i] == 0 { run + 1 } else { 0 };
            if run >= best_len && run > 0 {
                best = i;
                best_len = run;
            }
        }
        let mut i = 0;
        while i < 8 {
            if i == best {
                f.write_str(if i == 0 { "::" } else { ":" })?;
                i += best_len;
                continue;
            }
            write!(f, "{:x}", g[i])?;
            if i != 7 {
                f.write_str(":")?;
            }
            i += 1;
        }
        Ok(())
    }
}

/// A prefix as bgpdump prints it.
struct Pfx(peerd_wire::Prefix);

impl fmt::Display for Pfx {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", Ip(self.0.addr()), self.0.len())
    }
}

#[derive(Default)]
pub struct Bgpdump {
    peers: Option<PeerIndexTable>,
}

/// The attribute fields of a line, computed once per attribute set.
struct Fields {
    as_path: String,
    origin: &'static str,
    next_hop: Ipv4Addr,
    local_pref: u32,
    med: u32,
    communities: Option<String>,
    atomic: bool,
    aggregator: Option<(u32, Ipv4Addr)>,
}

const NONE: Ipv4Addr = Ipv4Addr::BROADCAST;

impl Fields {
    fn new(attrs: &[Attribute], errors: &[AttrError], four_octet_as: bool) -> Fields {
        let mut f = Fields {
            as_path: real_as_path(attrs, four_octet_as)
                .map(|p| p.to_string())
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
                    let mut s = String::with_capacity(c.len() * 11);
                    for (i, c) in c.iter().enumerate() {
                        if i > 0 {
                            s.push(' ');
                        }
                        match c.0 {
                            0xFFFF_FF01 => s.push_str("no-export"),
                            0xFFFF_FF02 => s.push_str("no-advertise"),
                            0xFFFF_FF03 => s.push_str("local-AS"),
                            _ => {
                                use std::fmt::Write as _;
                                let _ = write!(s, "{}:{}", c.asn(), c.value());
                            }
                        }
                    }
                    f.communities = Some(s);
                }
                _ => {}
            }
        }
        f
    }

    /// `AS path|origin|` — the part before the next hop.
    fn head(&self, out: &mut dyn Write) -> io::Result<()> {
        write!(out, "{}|{}|", self.as_path, self.origin)
    }

    /// `local pref|MED|communities|AG|aggregator|` and the newline.
    fn tail(&self, out: &mut dyn Write, signed: bool) -> io::Result<()> {
        if signed {
            write!(out, "|{}|{}|", self.local_pref as i32, self.med as i32)?;
        } else {
            write!(out, "|{}|{}|", self.local_pref, self.med)?;
        }
        let ag = if self.atomic { "AG" } else { "NAG" };
        write!(out, "{}|{ag}|", self.communities.as_deref().unwrap_or(""))?;
        match self.aggregator {
            Some((asn, addr)) => writeln!(out, "{asn} {addr}|"),
            None => writeln!(out, "|"),
        }
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
fn rib_next_hop(attrs: &[Attribute], fields: &Fields) -> String {
    for a in attrs {
        if let AttrValue::MpReach(m) = &a.value {
            let v6_slot =
                m.abbreviated || (m.family.afi == Afi::Ipv6 && m.family.safi == Safi::Unicast);
            if v6_slot {
                return Ip(IpAddr::V6(v6_view(&m.next_hop))).to_string();
            }
        }
    }
    fields.next_hop.to_string()
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

fn time(h: &Header) -> String {
    match h.microseconds {
        Some(us) => format!("{}.{:06}", h.timestamp, us),
        None => h.timestamp.to_string(),
    }
}

impl Sink for Bgpdump {
    fn record(&mut self, rec: &Record, out: &mut dyn Write) -> io::Result<()> {
        match &rec.body {
            Body::PeerIndexTable(p) => {
                self.peers = Some(p.clone());
                Ok(())
            }
            Body::TableDump(t) => table_dump(&rec.header, t, out),
            Body::Rib(rib) => {
                let Some(peers) = &self.peers else {
                    return Ok(());
                };
                let kind = if rib.add_path {
                    "TABLE_DUMP2_AP"
                } else {
                    "TABLE_DUMP2"
                };
                for e in &rib.entries {
                    let Some(peer) = peers.peers.get(usize::from(e.peer_index)) else {
                        continue;
                    };
                    let f = Fields::new(&e.attributes, &e.errors, true);
                    write!(
                        out,
                        "{kind}|{}|B|{}|{}|{}|",
                        rec.header.timestamp,
                        Ip(peer.ip),
                        peer.asn,
                        Pfx(rib.prefix)
                    )?;
                    if let Some(id) = e.path_id.filter(|_| rib.add_path) {
                        write!(out, "{id}|")?;
                    }
                    f.head(out)?;
                    write!(out, "{}", rib_next_hop(&e.attributes, &f))?;
                    f.tail(out, false)?;
                }
                Ok(())
            }
            Body::Bgp4mpMessage(m) => message(&rec.header, m, out),
            Body::StateChange(s) => state(&rec.header, s, out),
            Body::LegacyBgp(b) => legacy(&rec.header, b, out),
            _ => Ok(()),
        }
    }
}

fn table_dump(h: &Header, t: &TableDump, out: &mut dyn Write) -> io::Result<()> {
    let f = Fields::new(&t.attributes, &t.errors, t.as4);
    write!(
        out,
        "TABLE_DUMP|{}|B|{}|{}|{}/{}|",
        h.timestamp,
        Ip(t.peer_ip),
        t.peer_as,
        Ip(t.prefix_addr),
        t.prefix_len
    )?;
    f.head(out)?;
    write!(out, "{}", rib_next_hop(&t.attributes, &f))?;
    f.tail(out, false)
}

fn state(h: &Header, s: &StateChange, out: &mut dyn Write) -> io::Result<()> {
    let kind = if h.microseconds.is_some() {
        "BGP4MP_ET"
    } else {
        "BGP4MP"
    };
    writeln!(
        out,
        "{kind}|{}|STATE|{}|{}|{}|{}",
        time(h),
        Ip(s.peer_ip),
        s.peer_as,
        s.old_state,
        s.new_state
    )
}

fn message(h: &Header, m: &Bgp4mpMessage, out: &mut dyn Write) -> io::Result<()> {
    let Ok(Message::Update(u)) = &m.message else {
        return Ok(());
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
    let t = time(h);
    let (peer, asn): (IpAddr, u32) = if m.local {
        (m.local_ip, m.local_as)
    } else {
        (m.peer_ip, m.peer_as)
    };
    let prefix_line = |out: &mut dyn Write, code: &str, n: &Nlri| -> io::Result<()> {
        write!(
            out,
            "{kind}|{t}|{code}|{}|{asn}|{}",
            Ip(peer),
            Pfx(n.prefix)
        )
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
        prefix_line(out, "W", n)?;
        match path_id(n) {
            Some(id) => writeln!(out, "|{id}")?,
            None => writeln!(out)?,
        }
    }
    let mp_reach: Option<&MpReach> = u.mp_reach().filter(|x| shown(x.family.afi, x.family.safi));
    if u.nlri.is_empty() && mp_reach.is_none() {
        return Ok(());
    }
    let f = Fields::new(&u.attributes, &u.errors, m.as4);
    let announce = |out: &mut dyn Write, n: &Nlri, nh: &str, signed: bool| -> io::Result<()> {
        prefix_line(out, "A", n)?;
        out.write_all(b"|")?;
        if let Some(id) = path_id(n) {
            write!(out, "{id}|")?;
        }
        f.head(out)?;
        out.write_all(nh.as_bytes())?;
        f.tail(out, signed)
    };
    let nh = f.next_hop.to_string();
    for n in &u.nlri {
        announce(out, n, &nh, false)?;
    }
    if let Some(mp) = mp_reach {
        let (nh, signed) = match mp.family.afi {
            Afi::Ipv4 => (v4_view(&mp.next_hop).to_string(), true),
            _ => (Ip(IpAddr::V6(v6_view(&mp.next_hop))).to_string(), false),
        };
        for n in mp.nlri.prefixes() {
            announce(out, n, &nh, signed)?;
        }
    }
    Ok(())
}

/// The deprecated MRTd BGP type. bgpdump's lines for it have no community
/// column of their own: communities, when present, follow the MED with no
/// separator. We print the same layout. One deliberate difference: bgpdump
/// prints the peer address in place of the withdrawn prefix's address (both
/// come from one static `inet_ntoa` buffer); we print the prefix.
fn legacy(h: &Header, b: &LegacyBgp, out: &mut dyn Write) -> io::Result<()> {
    let t = h.timestamp;
    match &b.payload {
        LegacyPayload::StateChange {
            old_state,
            new_state,
        } => {
            writeln!(
                out,
                "BGP|{t}|STATE|{}|{}|{old_state}|{new_state}",
                b.peer_ip, b.peer_as
            )
        }
        LegacyPayload::Update { update: Ok(u), .. } => {
            for n in &u.withdrawn {
                writeln!(out, "BGP|{t}|W|{}|{}|{}", b.peer_ip, b.peer_as, n.prefix)?;
            }
            if u.nlri.is_empty() {
                return Ok(());
            }
            let f = Fields::new(&u.attributes, &u.errors, false);
            let ag = if f.atomic { "AG" } else { "NAG" };
            for n in &u.nlri {
                write!(out, "BGP|{t}|A|{}|{}|{}|", b.peer_ip, b.peer_as, n.prefix)?;
                f.head(out)?;
                write!(out, "{}|{}|{}", f.next_hop, f.local_pref, f.med)?;
                match &f.communities {
                    Some(c) => write!(out, "{c}|{ag}|")?,
                    None => write!(out, "|{ag}|")?,
                }
                match f.aggregator {
                    Some((asn, addr)) => writeln!(out, "{asn} {addr}|")?,
                    None => writeln!(out, "|")?,
                }
            }
            Ok(())
        }
        _ => Ok(()),
    }
}
