//! TABLE_DUMP_V2 snapshots (`[mrt] table-dump`, RFC 6396 §4.3): every
//! `table-dump` period, from a multiple of it since midnight UTC, the
//! Loc-RIB (each prefix's best route) or the Adj-RIB-Ins (every
//! neighbour's routes) into `rib.YYYYMMDD.HHMM[.gz]` (the minute it
//! starts) — a PEER_INDEX_TABLE
//! (index 0 is peerd itself, then the neighbours in configuration order),
//! then one RIB record per prefix. A thread of its own asks the engine a
//! page at a time, so the engine is never held for a whole table; the file
//! is written under a temporary name and renamed when complete, so a
//! reader never sees half a snapshot.

use crate::engine_task::EngineMsg;
use peerd_config::Mrt;
use peerd_mrt::{Body, Header, MrtWriter, Peer, PeerIndexTable, Record, Rib, RibEntry};
use peerd_wire::Family;
use std::io::Write;
use std::net::{IpAddr, Ipv4Addr};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::sync::{mpsc, oneshot};

/// Prefixes asked of the engine at a time.
const PAGE: usize = 2_000;

/// Who we are, for the PEER_INDEX_TABLE.
#[derive(Debug, Clone, Copy)]
pub struct Us {
    /// Our BGP identifier.
    pub router_id: Ipv4Addr,
    /// Our AS.
    pub asn: u32,
    /// When the daemon started: the engine's clock counts from here.
    pub started: SystemTime,
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn ask<T>(
    engine: &mpsc::Sender<EngineMsg>,
    msg: impl FnOnce(oneshot::Sender<T>) -> EngineMsg,
) -> Option<T> {
    let (tx, rx) = oneshot::channel();
    engine.blocking_send(msg(tx)).ok()?;
    rx.blocking_recv().ok()
}

/// Writes one snapshot now; the path of the file.
pub fn dump(
    cfg: &Mrt,
    us: Us,
    engine: &mpsc::Sender<EngineMsg>,
) -> std::io::Result<std::path::PathBuf> {
    let now = now_secs();
    // Named by the minute it starts (a period's start, for the periodic
    // ones).
    let name = crate::mrt_task::file_name("rib", now - now % 60, cfg.gzip);
    let path = cfg.dir.join(&name);
    let tmp = cfg.dir.join(format!(".{name}.tmp"));
    let gone = || std::io::Error::other("the routing engine is not answering");
    let peers = ask(engine, EngineMsg::DumpPeers).ok_or_else(gone)?;
    let file = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
    let out: Box<dyn Write> = if cfg.gzip {
        Box::new(flate2::write::GzEncoder::new(
            file,
            flate2::Compression::default(),
        ))
    } else {
        Box::new(file)
    };
    let mut w = MrtWriter::new(out);
    let header = Header {
        timestamp: u32::try_from(now).unwrap_or(u32::MAX),
        microseconds: None,
        mrt_type: 13,
        subtype: 0,
        length: 0,
    };
    let mut table = vec![Peer {
        bgp_id: us.router_id,
        ip: IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        asn: us.asn,
        as4: true,
    }];
    table.extend(peers.iter().map(|p| Peer {
        bgp_id: p.bgp_id,
        ip: p.address,
        asn: p.asn,
        as4: true,
    }));
    w.write(&Record {
        header,
        body: Body::PeerIndexTable(PeerIndexTable {
            collector_id: us.router_id,
            view_name: Vec::new(),
            peers: table,
        }),
    })?;
    let epoch = us
        .started
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let mut after = None;
    let mut sequence = 0u32;
    loop {
        let (page, next) = ask(engine, |tx| {
            EngineMsg::DumpPage(cfg.table_dump_adj_rib_in, after, PAGE, tx)
        })
        .ok_or_else(gone)?;
        for (prefix, routes) in page {
            let family = if prefix.addr().is_ipv4() {
                Family::IPV4_UNICAST
            } else {
                Family::IPV6_UNICAST
            };
            let entries = routes
                .into_iter()
                .map(|r| RibEntry {
                    peer_index: r
                        .peer
                        .map_or(0, |i| u16::try_from(i + 1).unwrap_or(u16::MAX)),
                    originated: u32::try_from(epoch + u64::from(r.since)).unwrap_or(u32::MAX),
                    path_id: None,
                    attributes: r.attributes,
                    errors: Vec::new(),
                })
                .collect();
            w.write(&Record {
                header,
                body: Body::Rib(Rib {
                    family,
                    add_path: false,
                    sequence,
                    prefix,
                    entries,
                }),
            })?;
            sequence = sequence.wrapping_add(1);
        }
        match next {
            Some(n) => after = Some(n),
            None => break,
        }
    }
    drop(w.into_inner()?); // a gzip stream writes its trailer on drop
    std::fs::rename(&tmp, &path)?;
    Ok(path)
}

/// Starts the thread that writes a snapshot every `table-dump` period.
pub fn start(cfg: Mrt, us: Us, engine: mpsc::Sender<EngineMsg>) -> std::io::Result<()> {
    let Some(every) = cfg.table_dump else {
        return Ok(());
    };
    let period = every.as_secs().max(60);
    std::thread::Builder::new()
        .name("peerd-mrt-dump".into())
        .spawn(move || loop {
            let now = now_secs();
            std::thread::sleep(Duration::from_secs(period - now % period));
            match dump(&cfg, us, &engine) {
                Ok(p) => tracing::info!("mrt: wrote {}", p.display()),
                Err(e) => tracing::error!("mrt: table dump failed: {e}"),
            }
        })?;
    Ok(())
}
