//! `peerctl mrt --json`: one JSON object per line, per prefix (like the
//! bgpdump lines), carrying every attribute.
//!
//! Keys: `type` (`rib`, `announce`, `withdraw`, `state`), `mrt_type`,
//! `timestamp` (seconds, with microseconds as a fraction for `_ET` records),
//! `peer_ip`, `peer_as`, `prefix`, `path_id`, and for routes an `attributes`
//! object: `origin`, `as_path` (segments), `next_hop`, `mp_next_hop`, `med`,
//! `local_pref`, `atomic_aggregate`, `aggregator`, `communities`,
//! `large_communities`, `extended_communities`, `originator_id`,
//! `cluster_list`, `otc`, `aigp`, `unknown` (type, flags, hex value), and
//! `errors` for malformed attributes (type, RFC 7606 action, NOTIFICATION code).

use super::Sink;
use peerd_mrt::{Body, Header, PeerIndexTable, Record};
use peerd_wire::attr::{AttrValue, Attribute, SegmentType};
use peerd_wire::{AttrError, Message, Nlri};
use std::fmt::Write as _;
use std::io::{self, Write};
use std::net::IpAddr;

#[derive(Default)]
pub struct Json {
    peers: Option<PeerIndexTable>,
}

fn esc(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn time(h: &Header) -> String {
    match h.microseconds {
        Some(us) => format!("{}.{:06}", h.timestamp, us),
        None => h.timestamp.to_string(),
    }
}

fn list<T>(items: &[T], out: &mut String, f: impl Fn(&T, &mut String)) {
    out.push('[');
    for (i, x) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        f(x, out);
    }
    out.push(']');
}

fn attributes(attrs: &[Attribute], errors: &[AttrError], four_octet_as: bool, out: &mut String) {
    out.push('{');
    let mut first = true;
    let mut key = |k: &str, out: &mut String| {
        if !first {
            out.push(',');
        }
        first = false;
        esc(k, out);
        out.push(':');
    };
    if let Some(p) = peerd_wire::message::update::real_as_path(attrs, four_octet_as) {
        key("as_path", out);
        list(&p.segments, out, |s, o| {
            let t = match s.kind {
                SegmentType::Sequence => "sequence",
                SegmentType::Set => "set",
                SegmentType::ConfedSequence => "confed_sequence",
                SegmentType::ConfedSet => "confed_set",
            };
            let _ = write!(o, "{{\"type\":\"{t}\",\"asns\":");
            list(&s.asns, o, |a, o| {
                let _ = write!(o, "{a}");
            });
            o.push('}');
        });
    }
    for a in attrs {
        match &a.value {
            AttrValue::Origin(v) => {
                key("origin", out);
                esc(v.as_str(), out);
            }
            AttrValue::AsPath(_) | AttrValue::As4Path(_) | AttrValue::As4Aggregator(_) => {}
            AttrValue::NextHop(v) => {
                key("next_hop", out);
                esc(&v.to_string(), out);
            }
            AttrValue::Med(v) => {
                key("med", out);
                let _ = write!(out, "{v}");
            }
            AttrValue::LocalPref(v) => {
                key("local_pref", out);
                let _ = write!(out, "{v}");
            }
            AttrValue::AtomicAggregate => {
                key("atomic_aggregate", out);
                out.push_str("true");
            }
            AttrValue::Aggregator(_) => {
                if let Some(g) = peerd_wire::message::update::real_aggregator(attrs, four_octet_as)
                {
                    key("aggregator", out);
                    let _ = write!(out, "{{\"asn\":{},\"address\":\"{}\"}}", g.asn, g.addr);
                }
            }
            AttrValue::Communities(c) => {
                key("communities", out);
                list(c, out, |c, o| {
                    let _ = write!(o, "\"{}:{}\"", c.asn(), c.value());
                });
            }
            AttrValue::LargeCommunities(c) => {
                key("large_communities", out);
                list(c, out, |c, o| esc(&c.to_string(), o));
            }
            AttrValue::ExtCommunities(c) => {
                key("extended_communities", out);
                list(c, out, |c, o| esc(&c.to_string(), o));
            }
            AttrValue::Ipv6ExtCommunities(c) => {
                key("ipv6_extended_communities", out);
                list(c, out, |c, o| {
                    esc(&format!("{}:{}", c.global(), c.local()), o)
                });
            }
            AttrValue::OriginatorId(v) => {
                key("originator_id", out);
                esc(&v.to_string(), out);
            }
            AttrValue::ClusterList(c) => {
                key("cluster_list", out);
                list(c, out, |c, o| esc(&c.to_string(), o));
            }
            AttrValue::MpReach(m) => {
                key("mp_next_hop", out);
                esc(&m.next_hop.to_string(), out);
            }
            AttrValue::MpUnreach(_) => {}
            AttrValue::Otc(v) => {
                key("otc", out);
                let _ = write!(out, "{v}");
            }
            AttrValue::Aigp(t) => {
                if let Some(m) = t.iter().find_map(|t| t.metric()) {
                    key("aigp", out);
                    let _ = write!(out, "{m}");
                }
            }
            AttrValue::Unknown { type_code, data } => {
                key("unknown", out);
                let _ = write!(
                    out,
                    "{{\"type\":{type_code},\"flags\":{},\"value\":\"",
                    a.flags
                );
                for b in data {
                    let _ = write!(out, "{b:02x}");
                }
                out.push_str("\"}");
            }
        }
    }
    if !errors.is_empty() {
        key("errors", out);
        list(errors, out, |e, o| {
            let _ = write!(
                o,
                "{{\"type\":{},\"action\":\"{:?}\",\"code\":{},\"subcode\":{}}}",
                e.type_code, e.action, e.error.code, e.error.subcode
            );
        });
    }
    out.push('}');
}

fn line_start(out: &mut String, kind: &str, h: &Header, peer: IpAddr, asn: u32) {
    out.clear();
    let _ = write!(
        out,
        "{{\"type\":\"{kind}\",\"mrt_type\":{},\"mrt_subtype\":{},\"timestamp\":{},\"peer_ip\":\"{peer}\",\"peer_as\":{asn}",
        h.mrt_type,
        h.subtype,
        time(h)
    );
}

fn prefix(out: &mut String, n: &Nlri) {
    let _ = write!(out, ",\"prefix\":\"{}\"", n.prefix);
    if let Some(id) = n.path_id {
        let _ = write!(out, ",\"path_id\":{id}");
    }
}

impl Sink for Json {
    fn record(&mut self, rec: &Record, w: &mut dyn Write) -> io::Result<()> {
        let h = &rec.header;
        let mut s = String::with_capacity(512);
        match &rec.body {
            Body::PeerIndexTable(p) => self.peers = Some(p.clone()),
            Body::TableDump(t) => {
                line_start(&mut s, "rib", h, t.peer_ip, t.peer_as);
                let _ = write!(
                    s,
                    ",\"prefix\":\"{}/{}\",\"attributes\":",
                    t.prefix_addr, t.prefix_len
                );
                attributes(&t.attributes, &t.errors, t.as4, &mut s);
                s.push('}');
                writeln!(w, "{s}")?;
            }
            Body::Rib(r) => {
                let Some(peers) = &self.peers else {
                    return Ok(());
                };
                for e in &r.entries {
                    let Some(p) = peers.peers.get(usize::from(e.peer_index)) else {
                        continue;
                    };
                    line_start(&mut s, "rib", h, p.ip, p.asn);
                    prefix(
                        &mut s,
                        &Nlri {
                            path_id: e.path_id,
                            prefix: r.prefix,
                        },
                    );
                    let _ = write!(s, ",\"originated\":{},\"attributes\":", e.originated);
                    attributes(&e.attributes, &e.errors, true, &mut s);
                    s.push('}');
                    writeln!(w, "{s}")?;
                }
            }
            Body::StateChange(c) => {
                line_start(&mut s, "state", h, c.peer_ip, c.peer_as);
                let _ = write!(
                    s,
                    ",\"old_state\":{},\"new_state\":{}}}",
                    c.old_state, c.new_state
                );
                writeln!(w, "{s}")?;
            }
            Body::Bgp4mpMessage(m) => {
                let Ok(Message::Update(u)) = &m.message else {
                    return Ok(());
                };
                for (_, n) in u.withdrawn_routes() {
                    line_start(&mut s, "withdraw", h, m.peer_ip, m.peer_as);
                    prefix(&mut s, n);
                    s.push('}');
                    writeln!(w, "{s}")?;
                }
                let mut attrs = String::new();
                attributes(&u.attributes, &u.errors, m.as4, &mut attrs);
                for (_, n) in u.announced() {
                    line_start(&mut s, "announce", h, m.peer_ip, m.peer_as);
                    prefix(&mut s, n);
                    let _ = write!(s, ",\"attributes\":{attrs}}}");
                    writeln!(w, "{s}")?;
                }
            }
            Body::LegacyBgp(b) => match &b.payload {
                peerd_mrt::LegacyPayload::StateChange {
                    old_state,
                    new_state,
                } => {
                    line_start(&mut s, "state", h, IpAddr::V4(b.peer_ip), b.peer_as);
                    let _ = write!(s, ",\"old_state\":{old_state},\"new_state\":{new_state}}}");
                    writeln!(w, "{s}")?;
                }
                peerd_mrt::LegacyPayload::Update { update: Ok(u), .. } => {
                    for n in &u.withdrawn {
                        line_start(&mut s, "withdraw", h, IpAddr::V4(b.peer_ip), b.peer_as);
                        prefix(&mut s, n);
                        s.push('}');
                        writeln!(w, "{s}")?;
                    }
                    let mut attrs = String::new();
                    attributes(&u.attributes, &u.errors, false, &mut attrs);
                    for n in &u.nlri {
                        line_start(&mut s, "announce", h, IpAddr::V4(b.peer_ip), b.peer_as);
                        prefix(&mut s, n);
                        let _ = write!(s, ",\"attributes\":{attrs}}}");
                        writeln!(w, "{s}")?;
                    }
                }
                _ => {}
            },
            Body::RibGeneric(_) | Body::Unsupported(_) => {}
        }
        Ok(())
    }
}
