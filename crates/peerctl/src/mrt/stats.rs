//! `peerctl mrt --stats`: records by type, prefixes by family, peers.

use super::Sink;
use peerd_mrt::{Body, MrtError, Record};
use peerd_wire::{Family, Message};
use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Write};
use std::net::IpAddr;

#[derive(Default)]
pub struct Stats {
    records: BTreeMap<String, u64>,
    /// (family, kind) -> count, kind one of rib / announce / withdraw.
    prefixes: BTreeMap<(String, &'static str), u64>,
    peers: BTreeSet<(IpAddr, u32)>,
    errors: u64,
    attribute_errors: u64,
}

fn type_name(t: u16, st: u16) -> String {
    let (tn, sn) = match t {
        12 => (
            "TABLE_DUMP",
            match st {
                1 => "AFI_IPv4",
                2 => "AFI_IPv6",
                _ => "",
            },
        ),
        13 => (
            "TABLE_DUMP_V2",
            match st {
                1 => "PEER_INDEX_TABLE",
                2 => "RIB_IPV4_UNICAST",
                3 => "RIB_IPV4_MULTICAST",
                4 => "RIB_IPV6_UNICAST",
                5 => "RIB_IPV6_MULTICAST",
                6 => "RIB_GENERIC",
                8 => "RIB_IPV4_UNICAST_ADDPATH",
                9 => "RIB_IPV4_MULTICAST_ADDPATH",
                10 => "RIB_IPV6_UNICAST_ADDPATH",
                11 => "RIB_IPV6_MULTICAST_ADDPATH",
                12 => "RIB_GENERIC_ADDPATH",
                _ => "",
            },
        ),
        16 | 17 => (
            if t == 16 { "BGP4MP" } else { "BGP4MP_ET" },
            match st {
                0 => "STATE_CHANGE",
                1 => "MESSAGE",
                4 => "MESSAGE_AS4",
                5 => "STATE_CHANGE_AS4",
                6 => "MESSAGE_LOCAL",
                7 => "MESSAGE_AS4_LOCAL",
                8 => "MESSAGE_ADDPATH",
                9 => "MESSAGE_AS4_ADDPATH",
                10 => "MESSAGE_LOCAL_ADDPATH",
                11 => "MESSAGE_AS4_LOCAL_ADDPATH",
                _ => "",
            },
        ),
        5 => ("BGP", ""),
        _ => ("", ""),
    };
    match (tn, sn) {
        ("", _) => format!("type{t}/{st}"),
        (tn, "") => format!("{tn}/{st}"),
        (tn, sn) => format!("{tn}/{sn}"),
    }
}

impl Stats {
    fn count(&mut self, f: Family, kind: &'static str, n: u64) {
        *self.prefixes.entry((f.to_string(), kind)).or_default() += n;
    }
}

impl Sink for Stats {
    fn record(&mut self, rec: &Record, _out: &mut dyn Write) -> io::Result<()> {
        *self
            .records
            .entry(type_name(rec.header.mrt_type, rec.header.subtype))
            .or_default() += 1;
        match &rec.body {
            Body::PeerIndexTable(p) => {
                for peer in &p.peers {
                    self.peers.insert((peer.ip, peer.asn));
                }
            }
            Body::TableDump(t) => {
                self.peers.insert((t.peer_ip, t.peer_as));
                let f = if t.prefix_addr.is_ipv6() {
                    Family::IPV6_UNICAST
                } else {
                    Family::IPV4_UNICAST
                };
                self.count(f, "rib", 1);
                self.attribute_errors += t.errors.len() as u64;
            }
            Body::Rib(r) => {
                self.count(r.family, "rib", r.entries.len() as u64);
                self.attribute_errors +=
                    r.entries.iter().map(|e| e.errors.len() as u64).sum::<u64>();
            }
            Body::Bgp4mpMessage(m) => {
                self.peers.insert((m.peer_ip, m.peer_as));
                match &m.message {
                    Ok(Message::Update(u)) => {
                        for (f, _) in u.announced() {
                            self.count(f, "announce", 1);
                        }
                        for (f, _) in u.withdrawn_routes() {
                            self.count(f, "withdraw", 1);
                        }
                        self.attribute_errors += u.errors.len() as u64;
                    }
                    Ok(_) => {}
                    Err(_) => self.errors += 1,
                }
            }
            Body::StateChange(s) => {
                self.peers.insert((s.peer_ip, s.peer_as));
            }
            Body::LegacyBgp(b) => {
                self.peers.insert((IpAddr::V4(b.peer_ip), b.peer_as));
                match &b.payload {
                    peerd_mrt::LegacyPayload::Update { update: Ok(u), .. } => {
                        self.count(Family::IPV4_UNICAST, "announce", u.nlri.len() as u64);
                        self.count(Family::IPV4_UNICAST, "withdraw", u.withdrawn.len() as u64);
                        self.attribute_errors += u.errors.len() as u64;
                    }
                    peerd_mrt::LegacyPayload::Update { update: Err(_), .. } => self.errors += 1,
                    _ => {}
                }
            }
            Body::RibGeneric(_) | Body::Unsupported(_) => {}
        }
        Ok(())
    }

    fn error(&mut self, _err: &MrtError) {
        self.errors += 1;
    }

    fn finish(&mut self, out: &mut dyn Write) -> io::Result<()> {
        writeln!(out, "records:")?;
        for (k, v) in &self.records {
            writeln!(out, "  {k:<40} {v:>10}")?;
        }
        writeln!(out, "prefixes:")?;
        for ((f, kind), v) in &self.prefixes {
            writeln!(out, "  {:<40} {v:>10}", format!("{f} {kind}"))?;
        }
        writeln!(out, "peers: {}", self.peers.len())?;
        for (ip, asn) in &self.peers {
            writeln!(out, "  {ip} AS{asn}")?;
        }
        writeln!(out, "malformed records or messages: {}", self.errors)?;
        writeln!(out, "malformed attributes: {}", self.attribute_errors)
    }
}
