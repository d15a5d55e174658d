//! The daemon commands: arguments into API requests, answers into tables
//! (or JSON with `--json`). Exit status: 0 done, 1 peerd said no (the
//! error's message is printed), 2 a usage error, 3 peerd unreachable.

use crate::client::{escape, Client, CtlError};
use crate::render::{self, Style};
use peerd_api::types::{Candidates, Done, Neighbor, ReloadResult, RoutePage, Summary};
use serde::Serialize;
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

/// Options that apply to several commands.
#[derive(Debug, Default)]
struct Opts {
    json: bool,
    watch: Option<u64>,
    received: bool,
    advertised: bool,
    large_community: Option<String>,
    inbound: bool,
    outbound: bool,
    more_specifics: bool,
    community: Option<String>,
    as_path: Option<String>,
    origin_as: Option<String>,
    dry_run: bool,
    neighbor: Option<String>,
    message: Option<String>,
    page: Option<usize>,
    words: Vec<String>,
}

fn parse(args: &[String]) -> Result<Opts, String> {
    let mut o = Opts::default();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match a.as_str() {
            "--json" => o.json = true,
            "--received" => o.received = true,
            "--advertised" => o.advertised = true,
            "--in" => o.inbound = true,
            "--out" => o.outbound = true,
            "--more-specifics" => o.more_specifics = true,
            "--community" => o.community = Some(value("--community")?),
            "--large-community" => o.large_community = Some(value("--large-community")?),
            "--as-path" => o.as_path = Some(value("--as-path")?),
            "--origin-as" => o.origin_as = Some(value("--origin-as")?),
            "--dry-run" => o.dry_run = true,
            "--watch" => o.watch = Some(2),
            "--neighbor" => o.neighbor = Some(value("--neighbor")?),
            "--message" => o.message = Some(value("--message")?),
            "--page" => {
                let v = value("--page")?;
                o.page = Some(v.parse().ok().filter(|n| (1..=10_000).contains(n)).ok_or(
                    format!("--page: expected a number from 1 to 10000, found {v:?}"),
                )?);
            }
            w if w.starts_with("--watch=") => {
                let v = &w["--watch=".len()..];
                o.watch = Some(
                    v.parse()
                        .ok()
                        .filter(|n| *n > 0)
                        .ok_or(format!("--watch: expected seconds, found {v:?}"))?,
                );
            }
            w if w.starts_with("--") => return Err(format!("unknown option {w}")),
            w => o.words.push(w.to_string()),
        }
    }
    if o.received && o.advertised {
        return Err("--received or --advertised: one of them".into());
    }
    Ok(o)
}

impl Opts {
    /// Whether a listing is narrowed or a neighbor's: `routes PREFIX` then
    /// lists the prefix and its more-specifics rather than its candidates.
    fn lists(&self) -> bool {
        self.more_specifics
            || self.neighbor.is_some()
            || self.community.is_some()
            || self.as_path.is_some()
            || self.origin_as.is_some()
    }

    /// The filter's query parameters, each followed by `&`.
    fn filter_query(&self, prefix: Option<&str>) -> String {
        let mut q = String::new();
        let given = [
            ("more-specifics", prefix),
            ("community", self.community.as_deref()),
            ("as-path", self.as_path.as_deref()),
            ("origin-as", self.origin_as.as_deref()),
        ];
        for (k, v) in given {
            if let Some(v) = v {
                q.push_str(&format!("{k}={}&", escape(v)));
            }
        }
        q
    }
}

fn style() -> Style {
    Style {
        colour: std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    }
}

fn print_json<T: Serialize>(v: &T) {
    println!("{}", serde_json::to_string(v).unwrap_or_default());
}

/// Runs one daemon command.
pub fn run(socket: &str, args: &[String]) -> ExitCode {
    let o = match parse(args) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("peerctl: {e} (peerctl --help)");
            return ExitCode::from(2);
        }
    };
    let c = Client::new(socket);
    let words: Vec<&str> = o.words.iter().map(String::as_str).collect();
    let done = match words.as_slice() {
        ["summary"] => summary(&c, &o),
        ["neighbors"] => neighbors(&c, &o),
        ["neighbor", name] => neighbor(&c, &o, name),
        ["neighbor", name, "disable"] => disable(&c, &o, name, o.message.clone()),
        ["neighbor", name, "enable"] => act(&c, &o, name, "enable"),
        ["neighbor", name, "reset"] => with_message(&c, &o, name, "reset", o.message.clone()),
        ["neighbor", name, "soft-reset"] => soft_reset(&c, &o, name),
        ["neighbor", name, "refresh"] => act(&c, &o, name, "refresh"),
        // `routes NAME --received` is the older `routes --neighbor NAME --received`.
        ["routes", rest @ ..]
            if (o.received || o.advertised)
                && o.neighbor.is_none()
                && !matches!(rest, [name] if !is_prefix_or_address(name)) =>
        {
            eprintln!("peerctl: --received and --advertised need --neighbor NAME (peerctl --help)");
            return ExitCode::from(2);
        }
        ["routes"] | ["rib"] => walk(&c, &o, None),
        // `routes NAME`, the older spelling of `routes --neighbor NAME`.
        ["routes", name] if !is_prefix_or_address(name) && o.neighbor.is_none() => {
            let o = Opts {
                neighbor: Some((*name).to_string()),
                ..o
            };
            walk(&c, &o, None)
        }
        ["routes", what] if o.lists() => {
            if what.parse::<peerd_wire::Prefix>().is_err() {
                eprintln!("peerctl: routes {what}: with --neighbor or a filter, expected a prefix such as 198.51.100.0/22 (it lists the prefix and its more-specifics)");
                return ExitCode::from(2);
            }
            walk(&c, &o, Some(what))
        }
        ["routes", what] | ["route", what] if *what != "get" => candidates(&c, &o, what),
        ["route", "get", addr] => route_get(&c, &o, addr),
        ["reload"] => reload(&c, &o),
        ["announcements"] => announcements(&c, &o),
        ["fib"] => fib(&c, &o),
        ["config"] => c.get_text("/v1/config").map(|t| print!("{t}")),
        ["announce", prefix] => announce(&c, &o, prefix),
        ["withdraw", prefix] => withdraw(&c, &o, prefix),
        // The older spellings.
        ["stop", name, msg @ ..] => {
            let m = (!msg.is_empty())
                .then(|| msg.join(" "))
                .or(o.message.clone());
            disable(&c, &o, name, m)
        }
        ["start", name] => act(&c, &o, name, "enable"),
        ["refresh", name] => act(&c, &o, name, "refresh"),
        _ => {
            eprintln!(
                "peerctl: unknown command {:?} (peerctl --help)",
                o.words.join(" ")
            );
            return ExitCode::from(2);
        }
    };
    match done {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("peerctl: {e}");
            ExitCode::from(e.status())
        }
    }
}

/// Asks `target` and prints the answer: its JSON with `--json`, else
/// what `render` makes of it.
fn show<T: serde::de::DeserializeOwned + Serialize>(
    c: &Client,
    o: &Opts,
    target: &str,
    render: impl FnOnce(&T) -> String,
) -> Result<(), CtlError> {
    let v: T = c.get(target)?;
    if o.json {
        print_json(&v);
    } else {
        print!("{}", render(&v));
    }
    Ok(())
}

fn summary(c: &Client, o: &Opts) -> Result<(), CtlError> {
    show(c, o, "/v1/summary", |s: &Summary| render::summary(s))
}

fn neighbors(c: &Client, o: &Opts) -> Result<(), CtlError> {
    loop {
        let list: Vec<Neighbor> = c.get("/v1/neighbors")?;
        if o.json {
            print_json(&list);
        } else {
            let st = style();
            if o.watch.is_some() && st.colour {
                // Clear the screen and go home.
                print!("\x1b[2J\x1b[H");
            }
            print!("{}", render::neighbors(&list, st));
        }
        let _ = std::io::stdout().flush();
        match o.watch {
            Some(secs) => std::thread::sleep(std::time::Duration::from_secs(secs)),
            None => return Ok(()),
        }
    }
}

fn neighbor(c: &Client, o: &Opts, name: &str) -> Result<(), CtlError> {
    show(
        c,
        o,
        &format!("/v1/neighbors/{}", escape(name)),
        |n: &Neighbor| render::neighbor(n, style()),
    )
}

fn said(o: &Opts, d: &Done) {
    if o.json {
        print_json(d);
    } else {
        println!("{}", d.message);
    }
}

fn disable(c: &Client, o: &Opts, name: &str, message: Option<String>) -> Result<(), CtlError> {
    with_message(c, o, name, "disable", message)
}

/// `disable` or `reset`, with the message the neighbor is shown.
fn with_message(
    c: &Client,
    o: &Opts,
    name: &str,
    what: &str,
    message: Option<String>,
) -> Result<(), CtlError> {
    let body = serde_json::json!({ "message": message }).to_string();
    let d: Done = c.post(&format!("/v1/neighbors/{}/{what}", escape(name)), &body)?;
    said(o, &d);
    Ok(())
}

/// A soft reset: `--in`, `--out`, or both.
fn soft_reset(c: &Client, o: &Opts, name: &str) -> Result<(), CtlError> {
    let direction = match (o.inbound, o.outbound) {
        (true, false) => "in",
        (false, true) => "out",
        _ => "both",
    };
    let d: Done = c.post(
        &format!(
            "/v1/neighbors/{}/soft-reset?direction={direction}",
            escape(name)
        ),
        "",
    )?;
    said(o, &d);
    Ok(())
}

fn act(c: &Client, o: &Opts, name: &str, what: &str) -> Result<(), CtlError> {
    let d: Done = c.post(&format!("/v1/neighbors/{}/{what}", escape(name)), "")?;
    said(o, &d);
    Ok(())
}

/// Every route of the routing table, or a neighbor's (accepted, as
/// received, or as we send them), narrowed by the filter options and to
/// `prefix` and its more-specifics, page by page: the client holds one
/// page at a time, and JSON comes one route per line.
fn walk(c: &Client, o: &Opts, prefix: Option<&str>) -> Result<(), CtlError> {
    let filter = o.filter_query(prefix);
    let base = match &o.neighbor {
        Some(n) => format!(
            "/v1/neighbors/{}/routes?received={}&advertised={}&{filter}",
            escape(n),
            o.received,
            o.advertised
        ),
        None => format!("/v1/rib?{filter}"),
    };
    let limit = o.page.unwrap_or(1000);
    let mut after: Option<String> = None;
    let mut out = std::io::stdout().lock();
    if !o.json {
        let _ = out.write_all(render::routes_header().as_bytes());
    }
    loop {
        let target = match &after {
            Some(a) => format!("{base}limit={limit}&after={}", escape(a)),
            None => format!("{base}limit={limit}"),
        };
        let page: RoutePage = c.get(&target)?;
        let text = if o.json {
            page.routes
                .iter()
                .map(|r| serde_json::to_string(r).unwrap_or_default() + "\n")
                .collect()
        } else {
            render::routes(&page.routes)
        };
        if out.write_all(text.as_bytes()).is_err() {
            return Ok(()); // the reader went away (| head)
        }
        match page.next {
            Some(n) => after = Some(n),
            None => return Ok(()),
        }
    }
}

/// Whether a word names a prefix or an address (rather than a neighbor).
fn is_prefix_or_address(w: &str) -> bool {
    w.parse::<std::net::IpAddr>().is_ok()
        || w.split_once('/')
            .is_some_and(|(a, l)| a.parse::<std::net::IpAddr>().is_ok() && l.parse::<u8>().is_ok())
}

/// The candidates for a prefix, or for the longest match of an address.
fn lookup(c: &Client, what: &str) -> Result<Candidates, CtlError> {
    if what.contains('/') {
        if what.parse::<peerd_wire::Prefix>().is_err() {
            return Err(CtlError::Api(peerd_api::ApiError::new(
                peerd_api::ErrorCode::BadRequest,
                format!("expected a prefix such as 203.0.113.0/24 with its host bits zero, found {what:?}"),
            )));
        }
        c.get(&format!("/v1/rib/{what}"))
    } else {
        c.get(&format!("/v1/lookup/{}", escape(what)))
    }
}

fn candidates(c: &Client, o: &Opts, what: &str) -> Result<(), CtlError> {
    let v = lookup(c, what)?;
    if o.json {
        print_json(&v);
    } else {
        print!("{}{}", render::routes_header(), render::routes(&v.routes));
    }
    Ok(())
}

fn route_get(c: &Client, o: &Opts, addr: &str) -> Result<(), CtlError> {
    if addr.parse::<std::net::IpAddr>().is_err() {
        return Err(CtlError::Api(peerd_api::ApiError::new(
            peerd_api::ErrorCode::BadRequest,
            format!("route get: expected an address such as 198.51.100.7, found {addr:?}"),
        )));
    }
    let v = lookup(c, addr)?;
    // What the kernel does with it (an older peerd cannot say: left out).
    let kernel: Option<peerd_api::types::FibLookup> =
        c.get(&format!("/v1/fib/{}", escape(addr))).ok();
    if o.json {
        print_json(&serde_json::json!({
            "prefix": v.prefix,
            "routes": v.routes,
            "kernel": kernel,
        }));
    } else {
        print!("{}", render::route_get(addr, &v, kernel.as_ref()));
    }
    Ok(())
}

fn fib(c: &Client, o: &Opts) -> Result<(), CtlError> {
    show(c, o, "/v1/fib", |f: &peerd_api::types::FibState| {
        render::fib(f)
    })
}

fn announcements(c: &Client, o: &Opts) -> Result<(), CtlError> {
    show(
        c,
        o,
        "/v1/announcements",
        |l: &Vec<peerd_api::types::Announcement>| render::announcements(l),
    )
}

/// Announces `prefix` until peerd restarts, with the communities of
/// `--community` and `--large-community` (comma-separated lists).
fn announce(c: &Client, o: &Opts, prefix: &str) -> Result<(), CtlError> {
    let list = |v: &Option<String>| -> Vec<String> {
        v.as_deref()
            .map(|s| {
                s.split(',')
                    .map(|c| c.trim().to_string())
                    .filter(|c| !c.is_empty())
                    .collect()
            })
            .unwrap_or_default()
    };
    let body = serde_json::json!({
        "prefix": prefix,
        "communities": list(&o.community),
        "large_communities": list(&o.large_community),
    })
    .to_string();
    let d: Done = c.post("/v1/announcements", &body)?;
    said(o, &d);
    Ok(())
}

fn withdraw(c: &Client, o: &Opts, prefix: &str) -> Result<(), CtlError> {
    let p = prefix.parse::<peerd_wire::Prefix>().map_err(|_| {
        CtlError::Api(peerd_api::ApiError::new(
            peerd_api::ErrorCode::BadRequest,
            format!("withdraw: expected a prefix such as 203.0.113.0/24 with its host bits zero, found {prefix:?}"),
        ))
    })?;
    let d: Done = c.delete(&format!("/v1/announcements/{p}"))?;
    said(o, &d);
    Ok(())
}

fn reload(c: &Client, o: &Opts) -> Result<(), CtlError> {
    let target = if o.dry_run {
        "/v1/reload?dry-run=true"
    } else {
        "/v1/reload"
    };
    let r: ReloadResult = c.post(target, "")?;
    if o.json {
        print_json(&r);
    } else {
        print!("{}", render::reload(&r));
    }
    Ok(())
}
