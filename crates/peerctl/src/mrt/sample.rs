//! A small MRT file that the project makes itself, for the README's first
//! command and for tests: a TABLE_DUMP_V2 RIB and a BGP4MP_ET update stream
//! with documentation prefixes and private AS numbers.

use peerd_mrt::{
    Bgp4mpMessage, Body, Header, MrtWriter, Peer, PeerIndexTable, Record, Rib, RibEntry,
    StateChange,
};
use peerd_wire::attr::{AsPath, Community, LargeCommunity, NextHop, Origin};
use peerd_wire::{
    AttrValue, Attribute, DecodeContext, Family, Message, Nlri, Prefix, UpdateBuilder,
};
use std::fs::File;
use std::io::{self, BufWriter};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

const T0: u32 = 1_767_225_600; // 2026-01-01T00:00:00Z

fn pfx(s: &str) -> io::Result<Prefix> {
    s.parse()
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, format!("bad prefix {s}")))
}

fn header(mrt_type: u16, subtype: u16, us: Option<u32>) -> Header {
    Header {
        timestamp: T0,
        microseconds: us,
        mrt_type,
        subtype,
        length: 0,
    }
}

fn attrs(path: &[u32], nh: Option<Ipv4Addr>, communities: Vec<Community>) -> Vec<Attribute> {
    let mut v = vec![
        Attribute::new(AttrValue::Origin(Origin::Igp)),
        Attribute::new(AttrValue::AsPath(AsPath::from_sequence(path.to_vec()))),
    ];
    if let Some(nh) = nh {
        v.push(Attribute::new(AttrValue::NextHop(nh)));
    }
    v.push(Attribute::new(AttrValue::Med(10)));
    if !communities.is_empty() {
        v.push(Attribute::new(AttrValue::Communities(communities)));
    }
    v.push(Attribute::new(AttrValue::LargeCommunities(vec![
        LargeCommunity {
            global: 64500,
            local1: 1,
            local2: 2,
        },
    ])));
    v
}

/// Writes the sample to `path`.
pub fn write(path: &str) -> io::Result<()> {
    let mut w = MrtWriter::new(BufWriter::new(File::create(path)?));
    let peer_v4 = Ipv4Addr::new(192, 0, 2, 1);
    let peer_v6: Ipv6Addr = "2001:db8::1"
        .parse()
        .map_err(|_| io::ErrorKind::InvalidInput)?;
    let table = PeerIndexTable {
        collector_id: Ipv4Addr::new(192, 0, 2, 254),
        view_name: Vec::new(),
        peers: vec![
            Peer {
                bgp_id: peer_v4,
                ip: IpAddr::V4(peer_v4),
                asn: 64501,
                as4: true,
            },
            Peer {
                bgp_id: Ipv4Addr::new(192, 0, 2, 2),
                ip: IpAddr::V6(peer_v6),
                asn: 4_200_000_002,
                as4: true,
            },
        ],
    };
    w.write(&Record {
        header: header(13, 1, None),
        body: Body::PeerIndexTable(table),
    })?;
    let v4 = ["198.51.100.0/24", "203.0.113.0/24", "203.0.113.128/25"];
    for (i, p) in v4.iter().enumerate() {
        let entries = vec![RibEntry {
            peer_index: 0,
            originated: T0 - 60,
            path_id: None,
            attributes: attrs(
                &[64501, 64510 + i as u32],
                Some(peer_v4),
                vec![Community::new(64501, 100), Community::NO_EXPORT],
            ),
            errors: Vec::new(),
        }];
        let rib = Rib {
            family: Family::IPV4_UNICAST,
            add_path: false,
            sequence: i as u32,
            prefix: pfx(p)?,
            entries,
        };
        w.write(&Record {
            header: header(13, 2, None),
            body: Body::Rib(rib),
        })?;
    }
    let mut a6 = attrs(&[4_200_000_002, 64520], None, vec![]);
    let nh6 = NextHop::Ipv6 {
        global: peer_v6,
        link_local: None,
    };
    let mut reach = peerd_wire::attr::MpReach::new(Family::IPV6_UNICAST, nh6.clone(), Vec::new());
    reach.abbreviated = true;
    a6.insert(0, Attribute::new(AttrValue::MpReach(Box::new(reach))));
    let entries = vec![RibEntry {
        peer_index: 1,
        originated: T0 - 30,
        path_id: None,
        attributes: a6,
        errors: Vec::new(),
    }];
    let rib = Rib {
        family: Family::IPV6_UNICAST,
        add_path: false,
        sequence: 3,
        prefix: pfx("2001:db8:100::/40")?,
        entries,
    };
    w.write(&Record {
        header: header(13, 4, None),
        body: Body::Rib(rib),
    })?;

    // A session coming up, then updates, as a collector records them.
    let state = |old, new| StateChange {
        peer_as: 64501,
        local_as: 64500,
        ifindex: 0,
        afi: 1,
        peer_ip: IpAddr::V4(peer_v4),
        local_ip: IpAddr::V4(Ipv4Addr::new(192, 0, 2, 254)),
        as4: true,
        old_state: old,
        new_state: new,
    };
    w.write(&Record {
        header: header(17, 5, Some(1)),
        body: Body::StateChange(state(5, 6)),
    })?;
    let ctx = DecodeContext::MODERN;
    let b = UpdateBuilder::new(&ctx);
    let nlri: Vec<Nlri> = ["198.51.100.0/24", "203.0.113.0/25"]
        .iter()
        .map(|p| pfx(p).map(Nlri::new))
        .collect::<io::Result<_>>()?;
    let mut msgs = b
        .announce(
            Family::IPV4_UNICAST,
            &attrs(&[64501, 64502], Some(peer_v4), vec![Community::BLACKHOLE]),
            None,
            &nlri,
        )
        .map_err(|e| io::Error::other(e.to_string()))?;
    msgs.extend(
        b.withdraw(Family::IPV4_UNICAST, &nlri[1..])
            .map_err(|e| io::Error::other(e.to_string()))?,
    );
    let v6 = vec![Nlri::new(pfx("2001:db8:200::/48")?)];
    msgs.extend(
        b.announce(
            Family::IPV6_UNICAST,
            &attrs(&[64501, 64503], None, vec![]),
            Some(&nh6),
            &v6,
        )
        .map_err(|e| io::Error::other(e.to_string()))?,
    );
    for (i, raw) in msgs.into_iter().enumerate() {
        let message = Message::decode(
            &raw,
            &DecodeContext {
                extended_message: true,
                ..ctx
            },
        );
        let m = Bgp4mpMessage {
            peer_as: 64501,
            local_as: 64500,
            ifindex: 0,
            afi: 1,
            peer_ip: IpAddr::V4(peer_v4),
            local_ip: IpAddr::V4(Ipv4Addr::new(192, 0, 2, 254)),
            as4: true,
            local: false,
            add_path: false,
            raw,
            message,
        };
        w.write(&Record {
            header: header(17, 4, Some(1000 * (i as u32 + 2))),
            body: Body::Bgp4mpMessage(m),
        })?;
    }
    w.into_inner()?;
    Ok(())
}
