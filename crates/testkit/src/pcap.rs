//! A minimal pcap / pcapng reader for BGP session captures.
//!
//! It understands Ethernet, Linux cooked (SLL), raw IP and BSD loopback link
//! types, IPv4 and IPv6, and TCP. Payloads are concatenated per direction
//! (source address and port to destination) in capture order, which is
//! enough for the small, loss-free captures in the shared data.

use std::collections::BTreeMap;

/// A TCP direction: (source ip, source port, destination ip, destination port).
pub type Flow = (Vec<u8>, u16, Vec<u8>, u16);

/// The concatenated TCP payload of each direction, in order of first packet.
pub fn tcp_streams(file: &[u8]) -> Vec<(Flow, Vec<u8>)> {
    let packets = packets(file);
    let mut order: Vec<Flow> = Vec::new();
    let mut data: BTreeMap<Flow, Vec<u8>> = BTreeMap::new();
    for (link, p) in packets {
        if let Some((flow, payload)) = tcp_payload(link, &p) {
            if !data.contains_key(&flow) {
                order.push(flow.clone());
            }
            data.entry(flow).or_default().extend_from_slice(payload);
        }
    }
    order
        .into_iter()
        .map(|f| {
            let d = data.remove(&f).unwrap_or_default();
            (f, d)
        })
        .collect()
}

fn u16le(b: &[u8], big: bool) -> u16 {
    let a = [b[0], b[1]];
    if big {
        u16::from_be_bytes(a)
    } else {
        u16::from_le_bytes(a)
    }
}

fn u32le(b: &[u8], big: bool) -> u32 {
    let a = [b[0], b[1], b[2], b[3]];
    if big {
        u32::from_be_bytes(a)
    } else {
        u32::from_le_bytes(a)
    }
}

/// Every packet with its link type.
fn packets(f: &[u8]) -> Vec<(u32, Vec<u8>)> {
    let mut out = Vec::new();
    if f.len() < 24 {
        return out;
    }
    let magic = u32::from_le_bytes([f[0], f[1], f[2], f[3]]);
    match magic {
        0xa1b2c3d4 | 0xd4c3b2a1 | 0xa1b23c4d | 0x4d3cb2a1 => {
            let big = matches!(magic, 0xd4c3b2a1 | 0x4d3cb2a1);
            let link = u32le(&f[20..24], big);
            let mut i = 24;
            while i + 16 <= f.len() {
                let incl = u32le(&f[i + 8..i + 12], big) as usize;
                let start = i + 16;
                let end = (start + incl).min(f.len());
                out.push((link, f[start..end].to_vec()));
                i = start + incl;
            }
        }
        0x0a0d0d0a => {
            let mut big = false;
            let mut links: Vec<u32> = Vec::new();
            let mut i = 0;
            while i + 12 <= f.len() {
                let btype_le = u32::from_le_bytes([f[i], f[i + 1], f[i + 2], f[i + 3]]);
                if btype_le == 0x0a0d0d0a {
                    let bom = u32::from_le_bytes([f[i + 8], f[i + 9], f[i + 10], f[i + 11]]);
                    big = bom == 0x4d3c2b1a;
                    links.clear();
                }
                let btype = u32le(&f[i..i + 4], big);
                let blen = u32le(&f[i + 4..i + 8], big) as usize;
                if blen < 12 || i + blen > f.len() {
                    break;
                }
                let body = &f[i + 8..i + blen - 4];
                match btype {
                    1 => links.push(u32::from(u16le(&body[0..2], big))),
                    6 if body.len() >= 20 => {
                        let iface = u32le(&body[0..4], big) as usize;
                        let cap = u32le(&body[12..16], big) as usize;
                        let data = &body[20..(20 + cap).min(body.len())];
                        out.push((links.get(iface).copied().unwrap_or(1), data.to_vec()));
                    }
                    3 if body.len() >= 4 => {
                        out.push((links.first().copied().unwrap_or(1), body[4..].to_vec()))
                    }
                    _ => {}
                }
                i += blen;
            }
        }
        _ => {}
    }
    out
}

/// The flow and TCP payload of a packet, if it is TCP.
fn tcp_payload(link: u32, p: &[u8]) -> Option<(Flow, &[u8])> {
    let ip = match link {
        1 => {
            // Ethernet, with any 802.1Q tags.
            let mut off = 12;
            let mut et = u16::from_be_bytes([*p.get(off)?, *p.get(off + 1)?]);
            while et == 0x8100 || et == 0x88a8 {
                off += 4;
                et = u16::from_be_bytes([*p.get(off)?, *p.get(off + 1)?]);
            }
            p.get(off + 2..)?
        }
        113 => p.get(16..)?,
        9 => {
            // PPP, with or without the address/control octets.
            let q = if p.starts_with(&[0xff, 0x03]) {
                p.get(2..)?
            } else {
                p
            };
            q.get(2..)?
        }
        178 => {
            // Juniper Ethernet: "MGC", flags, optional extensions, Ethernet.
            let flags = *p.get(3)?;
            let mut off = 4;
            if flags & 0x80 != 0 {
                off += 2 + usize::from(u16::from_be_bytes([*p.get(4)?, *p.get(5)?]));
            }
            return tcp_payload(1, p.get(off..)?);
        }
        276 => p.get(20..)?,
        0 | 108 => p.get(4..)?,
        12 | 101 | 228 | 229 => p,
        _ => return None,
    };
    let ver = ip.first()? >> 4;
    let (src, dst, proto, l4) = if ver == 4 {
        let ihl = usize::from(ip[0] & 0x0f) * 4;
        let total = usize::from(u16::from_be_bytes([*ip.get(2)?, *ip.get(3)?]));
        let end = total.min(ip.len());
        (
            ip.get(12..16)?.to_vec(),
            ip.get(16..20)?.to_vec(),
            *ip.get(9)?,
            ip.get(ihl..end)?,
        )
    } else if ver == 6 {
        let plen = usize::from(u16::from_be_bytes([*ip.get(4)?, *ip.get(5)?]));
        let end = (40 + plen).min(ip.len());
        (
            ip.get(8..24)?.to_vec(),
            ip.get(24..40)?.to_vec(),
            *ip.get(6)?,
            ip.get(40..end)?,
        )
    } else {
        return None;
    };
    if proto != 6 {
        return None;
    }
    let sport = u16::from_be_bytes([*l4.first()?, *l4.get(1)?]);
    let dport = u16::from_be_bytes([*l4.get(2)?, *l4.get(3)?]);
    let off = usize::from(l4.get(12)? >> 4) * 4;
    Some(((src, sport, dst, dport), l4.get(off..)?))
}
