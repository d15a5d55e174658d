//! Differential test against an independent decoder, bgpkit-parser: on real
//! dumps, every route element (peer, prefix, path id, AS path, origin, next
//! hop, LOCAL_PREF, MED, communities, large communities, atomic aggregate,
//! aggregator, OTC) must be the same, prefix by prefix.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use bgpkit_parser::models::{AsPathSegment, ElemType, MetaCommunity};
use peerd_mrt::{Body, PeerIndexTable};
use peerd_testkit::shared_data;
use peerd_wire::attr::{AttrValue, Attribute, NextHop, SegmentType};
use peerd_wire::message::update::{real_aggregator, real_as_path};
use peerd_wire::{Message, Nlri};
use std::io::Read;
use std::net::IpAddr;
use std::path::Path;

fn decompressed(p: &Path) -> Vec<u8> {
    let (mut r, _) = peerd_mrt::open::decompress(std::fs::File::open(p).unwrap()).unwrap();
    let mut v = Vec::new();
    r.read_to_end(&mut v).unwrap();
    v
}

/// One route element in a canonical text form both sides can produce.
#[allow(clippy::too_many_arguments)]
fn line(peer: IpAddr, asn: u32, kind: char, nlri: &Nlri, rest: &str) -> String {
    let pid = nlri.path_id.map(|p| format!("#{p}")).unwrap_or_default();
    format!("{peer}|{asn}|{kind}|{}{pid}|{rest}", nlri.prefix)
}

fn ours_attrs(attrs: &[Attribute], four_octet: bool) -> String {
    let path = real_as_path(attrs, four_octet)
        .map(|p| {
            p.segments
                .iter()
                .map(|s| {
                    let k = match s.kind {
                        SegmentType::Sequence => "seq",
                        SegmentType::Set => "set",
                        SegmentType::ConfedSequence => "cseq",
                        SegmentType::ConfedSet => "cset",
                    };
                    format!(
                        "{k}:{}",
                        s.asns
                            .iter()
                            .map(u32::to_string)
                            .collect::<Vec<_>>()
                            .join(",")
                    )
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_default();
    let mut origin = String::new();
    let mut nh = String::new();
    let mut mp_nh = String::new();
    let (mut lp, mut med, mut comms, mut large, mut atomic, mut otc) = (
        String::new(),
        String::new(),
        Vec::new(),
        Vec::new(),
        false,
        String::new(),
    );
    for a in attrs {
        match &a.value {
            AttrValue::Origin(o) => origin = o.as_str().to_string(),
            AttrValue::NextHop(n) => nh = n.to_string(),
            AttrValue::MpReach(m) => {
                mp_nh = match &m.next_hop {
                    NextHop::Ipv4(a) => a.to_string(),
                    NextHop::Ipv6 { global, .. } => global.to_string(),
                    NextHop::Other(_) => String::new(),
                }
            }
            AttrValue::LocalPref(v) => lp = v.to_string(),
            AttrValue::Med(v) => med = v.to_string(),
            AttrValue::Communities(c) => {
                comms.extend(c.iter().map(|c| format!("{}:{}", c.asn(), c.value())))
            }
            AttrValue::LargeCommunities(c) => large.extend(c.iter().map(|c| c.to_string())),
            AttrValue::AtomicAggregate => atomic = true,
            AttrValue::Otc(v) => otc = v.to_string(),
            _ => {}
        }
    }
    let next_hop = if mp_nh.is_empty() { nh } else { mp_nh };
    // bgpkit reports an absent LOCAL_PREF or MED as 0.
    if lp.is_empty() {
        lp = "0".into();
    }
    if med.is_empty() {
        med = "0".into();
    }
    let agg = real_aggregator(attrs, four_octet)
        .map(|a| format!("{} {}", a.asn, a.addr))
        .unwrap_or_default();
    format!(
        "{path}|{origin}|{next_hop}|{lp}|{med}|{}|{}|{atomic}|{agg}|{otc}",
        comms.join(" "),
        large.join(" ")
    )
}

fn ours(bytes: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    let mut peers: Option<PeerIndexTable> = None;
    for rec in peerd_mrt::MrtReader::new(bytes) {
        let rec = rec.unwrap();
        match rec.body {
            Body::PeerIndexTable(p) => peers = Some(p),
            Body::Rib(r) => {
                let peers = peers.as_ref().unwrap();
                for e in &r.entries {
                    let p = peers.peers[usize::from(e.peer_index)];
                    let n = Nlri {
                        path_id: e.path_id,
                        prefix: r.prefix,
                    };
                    out.push(line(p.ip, p.asn, 'A', &n, &ours_attrs(&e.attributes, true)));
                }
            }
            Body::Bgp4mpMessage(m) => {
                if let Ok(Message::Update(u)) = &m.message {
                    for (_, n) in u.withdrawn_routes() {
                        out.push(line(m.peer_ip, m.peer_as, 'W', n, ""));
                    }
                    let attrs = ours_attrs(&u.attributes, m.as4);
                    for (_, n) in u.announced() {
                        out.push(line(m.peer_ip, m.peer_as, 'A', n, &attrs));
                    }
                }
            }
            _ => {}
        }
    }
    out.sort();
    out
}

fn theirs(bytes: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    for e in bgpkit_parser::BgpkitParser::from_reader(bytes) {
        let nlri = Nlri {
            path_id: e.prefix.path_id,
            prefix: peerd_wire::Prefix::new(e.prefix.prefix.addr(), e.prefix.prefix.prefix_len())
                .unwrap(),
        };
        if e.elem_type == ElemType::WITHDRAW {
            out.push(line(e.peer_ip, e.peer_asn.to_u32(), 'W', &nlri, ""));
            continue;
        }
        let path = e
            .as_path
            .as_ref()
            .map(|p| {
                p.segments
                    .iter()
                    .map(|s| {
                        let (k, v) = match s {
                            AsPathSegment::AsSequence(v) => ("seq", v),
                            AsPathSegment::AsSet(v) => ("set", v),
                            AsPathSegment::ConfedSequence(v) => ("cseq", v),
                            AsPathSegment::ConfedSet(v) => ("cset", v),
                        };
                        format!(
                            "{k}:{}",
                            v.iter()
                                .map(|a| a.to_u32().to_string())
                                .collect::<Vec<_>>()
                                .join(",")
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .unwrap_or_default();
        let origin = e.origin.map(|o| o.to_string()).unwrap_or_default();
        let nh = e.next_hop.map(|n| n.to_string()).unwrap_or_default();
        let mut comms = Vec::new();
        let mut large = Vec::new();
        for c in e.communities.iter().flatten() {
            match c {
                MetaCommunity::Plain(p) => comms.push(match p {
                    bgpkit_parser::models::Community::NoExport => "65535:65281".to_string(),
                    bgpkit_parser::models::Community::NoAdvertise => "65535:65282".to_string(),
                    bgpkit_parser::models::Community::NoExportSubConfed => {
                        "65535:65283".to_string()
                    }
                    bgpkit_parser::models::Community::Custom(a, v) => format!("{}:{v}", a.to_u32()),
                }),
                MetaCommunity::Large(l) => large.push(format!(
                    "{}:{}:{}",
                    l.global_admin, l.local_data[0], l.local_data[1]
                )),
                _ => {}
            }
        }
        let agg = match (e.aggr_asn, e.aggr_ip) {
            (Some(a), Some(ip)) => format!("{} {ip}", a.to_u32()),
            _ => String::new(),
        };
        let rest = format!(
            "{path}|{origin}|{nh}|{}|{}|{}|{}|{}|{agg}|{}",
            e.local_pref.map(|v| v.to_string()).unwrap_or_default(),
            e.med.map(|v| v.to_string()).unwrap_or_default(),
            comms.join(" "),
            large.join(" "),
            e.atomic,
            e.only_to_customer
                .map(|a| a.to_u32().to_string())
                .unwrap_or_default(),
        );
        out.push(line(e.peer_ip, e.peer_asn.to_u32(), 'A', &nlri, &rest));
    }
    out.sort();
    out
}

fn compare(rel: &str) {
    compare_with(rel, false)
}

/// `strip_path_ids`: bgpkit does not report RFC 8050 path ids of
/// TABLE_DUMP_V2 entries, so they are left out on both sides there.
fn compare_with(rel: &str, strip_path_ids: bool) {
    let Some(data) = shared_data() else { return };
    let bytes = decompressed(&data.join(rel));
    let (mut a, mut b) = (ours(&bytes), theirs(&bytes));
    if strip_path_ids {
        for v in [&mut a, &mut b] {
            for l in v.iter_mut() {
                let f: Vec<&str> = l.splitn(5, '|').collect();
                let pfx = f[3].split('#').next().unwrap();
                *l = format!("{}|{}|{}|{pfx}|{}", f[0], f[1], f[2], f[4]);
            }
            v.sort();
        }
    }
    let diffs: Vec<_> = a
        .iter()
        .zip(b.iter())
        .filter(|(x, y)| x != y)
        .take(3)
        .collect();
    assert!(
        a.len() == b.len() && diffs.is_empty(),
        "{rel}: ours {} elements, bgpkit {}; first differences:\n{diffs:#?}",
        a.len(),
        b.len()
    );
    assert!(!a.is_empty());
}

#[test]
fn full_ipv4_rib_matches_bgpkit() {
    compare("caida-libbgpstream/test-dumps/routeviews.route-views.jinx.ribs.1401487200.bz2");
}

#[test]
fn full_ipv6_rib_matches_bgpkit() {
    compare("hask-mrt/test/data/rib.bz2");
}

#[test]
fn update_streams_match_bgpkit() {
    for rel in [
        "ripe-ncc-bgpdump/test_data/updates.20160811.1600.gz",
        "ripe-ncc-bgpdump/test_data/updates.20100722.2015.gz",
        "ripe-ncc-bgpdump/test_data/updates.et-header.2015.gz",
        "hask-mrt/test/data/update.bz2",
        "bgpkit-parser/tests/fixtures/ripe/rrc15/2010.02/updates.20100227.1600.gz",
        "mrtparse/samples/quagga_bgp_large_communities",
    ] {
        compare(rel);
    }
}

#[test]
fn add_path_ribs_match_bgpkit() {
    for rel in [
        "ripe-ncc-bgpdump/test_data/bview.ipv4_unicast_add_path.gz",
        "ripe-ncc-bgpdump/test_data/bview.ipv6_unicast_add_path.gz",
        "mrtparse/samples/bird-mrtdump_rib",
    ] {
        compare_with(rel, true);
    }
}
