//! Every MRT file in the shared data: decoded with the counts the data's
//! README lists, re-encoded record by record to the same bytes, and damaged
//! files reported at the right offset without losing the good records.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use peerd_mrt::{decode_body, open, Body, MrtErrorKind, MrtWriter, Record};
use peerd_testkit::shared_data;
use peerd_wire::Message;
use std::path::Path;

#[derive(Default, Debug)]
struct Counts {
    records: u64,
    rib_entries: u64,
    announce: u64,
    withdraw: u64,
    errors: Vec<String>,
    reencoded: u64,
    not_reencoded: u64,
    zebra_quirks: u64,
}

/// Reads a file; checks that each well-formed record re-encodes to its bytes.
fn scan(path: &Path) -> Counts {
    let mut c = Counts::default();
    let mut r = open(path).unwrap();
    loop {
        let off = r.offset();
        let (header, raw) = match r.next_raw() {
            None => break,
            Some(Ok((h, b))) => (h, b.to_vec()),
            Some(Err(e)) => {
                c.errors.push(e.to_string());
                continue;
            }
        };
        c.records += 1;
        let body = match decode_body(&header, &raw) {
            Ok(b) => b,
            Err(what) => {
                c.errors.push(format!("at byte {off}: {what}"));
                continue;
            }
        };
        let mut well_formed = true;
        match &body {
            Body::StateChange(s) if s.peer_ip.is_unspecified() => {
                c.zebra_quirks += 1;
                well_formed = false;
            }
            Body::Bgp4mpMessage(m) if m.peer_ip.is_unspecified() && m.ifindex == 0 => {
                c.zebra_quirks += 1;
                well_formed = false;
            }
            Body::Rib(rib) => {
                c.rib_entries += rib.entries.len() as u64;
                well_formed = rib.entries.iter().all(|e| e.errors.is_empty());
            }
            Body::TableDump(t) => {
                c.rib_entries += 1;
                well_formed = false; // legacy TABLE_DUMP is read, not written
                let _ = t;
            }
            Body::Bgp4mpMessage(m) => match &m.message {
                Ok(Message::Update(u)) => {
                    c.announce += u.announced().count() as u64;
                    c.withdraw += u.withdrawn_routes().count() as u64;
                    well_formed = u.errors.is_empty();
                    if well_formed {
                        // The codec itself: encode(decode(bytes)) == bytes.
                        let again = Message::Update(u.clone()).encode(&m.context());
                        assert_eq!(
                            again,
                            m.raw,
                            "{}: UPDATE at byte {off} does not round-trip",
                            path.display()
                        );
                    }
                }
                Ok(msg) => {
                    let again = msg.encode(&m.context());
                    assert_eq!(
                        again,
                        m.raw,
                        "{}: message at byte {off} does not round-trip",
                        path.display()
                    );
                }
                Err(_) => well_formed = false,
            },
            Body::LegacyBgp(b) => {
                if let peerd_mrt::LegacyPayload::Update { update: Ok(u), .. } = &b.payload {
                    c.announce += u.nlri.len() as u64;
                    c.withdraw += u.withdrawn.len() as u64;
                }
                well_formed = false; // the deprecated type is read, not written
            }
            Body::Unsupported(_) => well_formed = false,
            _ => {}
        }
        if well_formed {
            let mut w = MrtWriter::new(Vec::new());
            w.write(&Record { header, body }).unwrap();
            let out = w.into_inner().unwrap();
            let skip = if header.microseconds.is_some() {
                16
            } else {
                12
            };
            assert_eq!(
                &out[skip..],
                &raw[..],
                "{}: record at byte {off} does not round-trip",
                path.display()
            );
            c.reencoded += 1;
        } else {
            c.not_reencoded += 1;
        }
    }
    c
}

fn file(rel: &str) -> Option<std::path::PathBuf> {
    Some(shared_data()?.join(rel))
}

#[test]
fn full_ribs_have_the_listed_counts_and_round_trip() {
    // (file, records, RIB entries) from the data README: the IPv4 and IPv6
    // full tables.
    let cases = [
        (
            "caida-libbgpstream/test-dumps/routeviews.route-views.jinx.ribs.1401487200.bz2",
            497_408,
            503_590,
        ),
        ("hask-mrt/test/data/rib.bz2", 25_879, 609_246),
    ];
    for (rel, records, entries) in cases {
        let Some(p) = file(rel) else { return };
        let c = scan(&p);
        assert_eq!((c.records, c.rib_entries), (records, entries), "{rel}");
        assert!(c.errors.is_empty(), "{rel}: {:?}", c.errors);
        assert_eq!(c.not_reencoded, 0, "{rel}: every record re-encodes");
    }
}

#[test]
fn update_streams_have_the_listed_counts_and_round_trip() {
    // (file, records, announcements, withdrawals) from the data README.
    let cases = [
        (
            "ripe-ncc-bgpdump/test_data/updates.et-header.2015.gz",
            89_686,
            577_737,
            3,
        ),
        (
            "ripe-ncc-bgpdump/test_data/updates.20160811.1600.gz",
            17_406,
            39_256,
            1_956,
        ),
        (
            "ripe-ncc-bgpdump/test_data/updates.20070211.0141.gz",
            23_394,
            51_329,
            2_328,
        ),
        (
            "ripe-ncc-bgpdump/test_data/updates.20100722.2015.gz",
            2_193,
            5_067,
            547,
        ),
        (
            "ripe-ncc-bgpdump/test_data/updates.20071015.1505.gz",
            4_297,
            10_111,
            385,
        ),
        (
            "ripe-ncc-bgpdump/test_data/updates.long_withdrawal.gz",
            1,
            0,
            4_096,
        ),
        (
            "bgpkit-parser/tests/fixtures/ripe/rrc15/2010.02/updates.20100227.1600.gz",
            6_615,
            52_468,
            1_318,
        ),
        ("hask-mrt/test/data/update.bz2", 15_044, 23_622, 2_020),
        ("mrtparse/samples/quagga_bgp_large_communities", 6, 5, 0),
    ];
    for (rel, records, a, w) in cases {
        let Some(p) = file(rel) else { return };
        let c = scan(&p);
        assert_eq!(
            (c.records, c.announce, c.withdraw),
            (records, a, w),
            "{rel}"
        );
        assert!(c.errors.is_empty(), "{rel}: {:?}", c.errors);
        assert!(c.reencoded > 0, "{rel}");
    }
}

#[test]
fn deprecated_mrtd_bgp_type_decodes_with_the_listed_counts() {
    // (file, records, announcements, withdrawals) from the data README.
    let cases = [
        (
            "bgpkit-parser/tests/fixtures/ripe/rrc00/1999.09/updates.19990903.1041.gz",
            24_242,
            65_286,
            25,
        ),
        (
            "bgpkit-parser/tests/fixtures/ripe/rrc00/1999.12/updates.19991214.1621.gz",
            18_203,
            54_126,
            1_363,
        ),
        (
            "bgpkit-parser/tests/fixtures/ripe/rrc00/2000.01/updates.20000102.2014.gz",
            3_957,
            5_668,
            675,
        ),
    ];
    for (rel, records, a, w) in cases {
        let Some(p) = file(rel) else { return };
        let c = scan(&p);
        assert_eq!(
            (c.records, c.announce, c.withdraw),
            (records, a, w),
            "{rel}"
        );
        assert!(c.errors.is_empty(), "{rel}: {:?}", c.errors);
    }
}

#[test]
fn old_zebra_quirks_are_read_as_bgpdump_reads_them() {
    // 42 shortened Zebra state changes (two per failed session attempt) and
    // 21 OPENs written without interface index, family or addresses.
    let Some(p) = file("bgpkit-parser/tests/fixtures/ripe/rrc01/2000.11/updates.20001104.0124.gz")
    else {
        return;
    };
    let c = scan(&p);
    assert_eq!(c.records, 1_286);
    assert_eq!((c.announce, c.withdraw), (378, 141));
    assert_eq!(c.zebra_quirks, 63);
    assert!(c.errors.is_empty(), "{:?}", c.errors);
}

#[test]
fn legacy_and_add_path_dumps_decode() {
    let cases = [
        (
            "ripe-ncc-bgpdump/test_data/bview.20020722.2337.gz",
            115_521,
            115_521,
        ),
        (
            "ripe-ncc-bgpdump/test_data/bview.ipv4_unicast_add_path.gz",
            32,
            62,
        ),
        (
            "ripe-ncc-bgpdump/test_data/bview.ipv6_unicast_add_path.gz",
            32,
            62,
        ),
        (
            "ripe-ncc-bgpdump/test_data/bview.64k_stream_overflow.gz",
            2,
            23,
        ),
        ("mrtparse/samples/bird-mrtdump_rib", 14, 18),
        ("mrtparse/samples/openbgpd_rib_table", 31, 31),
        ("mrtparse/samples/quagga_rib", 7, 9),
    ];
    for (rel, records, entries) in cases {
        let Some(p) = file(rel) else { return };
        let c = scan(&p);
        assert_eq!((c.records, c.rib_entries), (records, entries), "{rel}");
        assert!(c.errors.is_empty(), "{rel}: {:?}", c.errors);
    }
}

#[test]
fn truncated_files_keep_every_good_record_and_name_the_offset() {
    // (file, complete records, RIB entries in them) from the data README.
    let cases = [
        ("pyasn/data/rib.20140523.0600_firstMB.bz2", 9_073, 270_005),
        ("pyasn/data/rib6.20151101.0600_firstMB.bz2", 6_871, 149_578),
        ("pyasn/data/rib.20080501.0644_firstMB.bz2", 139_291, 139_291),
    ];
    for (rel, records, entries) in cases {
        let Some(p) = file(rel) else { return };
        let c = scan(&p);
        assert_eq!((c.records, c.rib_entries), (records, entries), "{rel}");
        assert_eq!(c.errors.len(), 1, "{rel}: {:?}", c.errors);
        assert!(c.errors[0].starts_with("at byte "), "{}", c.errors[0]);
    }
}

#[test]
fn a_cut_file_reports_the_cut_record_offset() {
    let Some(p) = file("ripe-ncc-bgpdump/test_data/updates.20160811.1600.gz") else {
        return;
    };
    let bytes = peerd_testkit::gunzip(&p);
    // Find the start of record 1000 by walking the headers.
    let mut off = 0usize;
    for _ in 0..1000 {
        let len = u32::from_be_bytes(bytes[off + 8..off + 12].try_into().unwrap()) as usize;
        off += 12 + len;
    }
    let cut = &bytes[..off + 20];
    let mut good = 0;
    let mut errors = Vec::new();
    for r in peerd_mrt::MrtReader::new(cut) {
        match r {
            Ok(_) => good += 1,
            Err(e) => errors.push(e),
        }
    }
    assert_eq!(good, 1000);
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].offset, off as u64);
    assert!(
        matches!(errors[0].kind, MrtErrorKind::Truncated { got: 20, .. }),
        "{:?}",
        errors[0]
    );
    // A corrupt length is refused before anything is allocated for it.
    let mut bad = bytes[..off].to_vec();
    bad.extend_from_slice(&[0, 0, 0, 0, 0, 16, 0, 4, 0xff, 0xff, 0xff, 0xff]);
    let last = peerd_mrt::MrtReader::new(&bad[..]).last().unwrap();
    assert!(
        matches!(last, Err(ref e) if matches!(e.kind, MrtErrorKind::TooLong(_)) && e.offset == off as u64)
    );
}
