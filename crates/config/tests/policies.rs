//! Policies as written in the file, run on routes: every condition and
//! every change, the verdicts, calls, and the errors a wrong policy gets.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use peerd_config::{parse, Config, PolicySwitch};
use peerd_policy::{evaluate, Context, Direction, Subject};
use peerd_wire::attr::{
    AsPath, AttrValue, Attribute, Community, ExtCommunity, LargeCommunity, NextHop, Origin,
};
use peerd_wire::capability::Role;
use std::net::Ipv4Addr;

const HEAD: &str = "[router]\nasn = 64500\nrouter-id = \"192.0.2.1\"\n";

fn config(body: &str) -> Config {
    let text = format!("{HEAD}\n{body}");
    parse(&text, "p.toml").unwrap_or_else(|e| panic!("{e}\n{text}"))
}

fn errors(body: &str) -> String {
    let text = format!("{HEAD}\n{body}");
    parse(&text, "p.toml").unwrap_err().to_string()
}

/// A route from AS 64501: path 64501 64510 15169, ORIGIN IGP, MED 50,
/// communities 64501:100 and 65535:666 (BLACKHOLE), large 64501:1:2,
/// extended rt 64501:7, next hop 198.51.100.1.
struct R {
    prefix: &'static str,
    attrs: Vec<Attribute>,
    path: AsPath,
    nh: NextHop,
}

fn route(prefix: &'static str) -> R {
    R {
        prefix,
        attrs: vec![
            Attribute::new(AttrValue::Origin(Origin::Igp)),
            Attribute::new(AttrValue::Med(50)),
            Attribute::new(AttrValue::Communities(vec![
                Community(64501 << 16 | 100),
                Community::BLACKHOLE,
            ])),
            Attribute::new(AttrValue::ExtCommunities(vec![ExtCommunity::route_target(
                64501, 7,
            )])),
            Attribute::new(AttrValue::LargeCommunities(vec![LargeCommunity {
                global: 64501,
                local1: 1,
                local2: 2,
            }])),
        ],
        path: AsPath::from_sequence(vec![64501, 64510, 15169]),
        nh: NextHop::Ipv4(Ipv4Addr::new(198, 51, 100, 1)),
    }
}

/// What policy `name` of `c` does with `r` on a session with AS 64501 and
/// our role `role`: None if rejected, else the changed attributes, path,
/// next hop and the MED/next-hop flags.
type Out = (Vec<Attribute>, AsPath, NextHop, bool, bool);

fn run(c: &Config, name: &str, r: &R, dir: Direction, role: Option<Role>) -> Option<Out> {
    let id = c.policies.find(name).expect(name);
    let ctx = Context {
        local_as: 64500,
        neighbor_as: 64501,
        role,
        direction: dir,
    };
    let mut s = Subject::new(r.prefix.parse().unwrap(), &r.attrs, &r.path, &r.nh);
    evaluate(&c.policies, id, &ctx, &mut s).then(|| {
        (
            s.attrs.into_owned(),
            s.as_path.into_owned(),
            s.next_hop.into_owned(),
            s.med_set,
            s.next_hop_self,
        )
    })
}

/// Whether the policy `match` (one condition) accepts the route.
fn matches(cond: &str, r: &R) -> bool {
    matches_with(cond, r, None)
}

fn matches_with(cond: &str, r: &R, role: Option<Role>) -> bool {
    let c = config(&format!(
        "[prefix-lists]\ngoogle = [\"8.8.8.0/24\", \"2001:4860::/32 le 48\"]\n\
         [as-lists]\ntier1 = [174, 1299, 3356]\ncontent = [15169, 13335]\n\
         [[policy.p]]\nmatch = {{ {cond} }}\naction = \"accept\"\n"
    ));
    run(&c, "p", r, Direction::Import, role).is_some()
}

#[test]
fn every_condition_matches_and_misses() {
    let r = route("8.8.8.0/24");
    let cases: &[(&str, bool)] = &[
        ("prefix-list = \"google\"", true),
        ("prefix = [\"8.0.0.0/8 le 24\"]", true),
        ("prefix = [\"8.0.0.0/8 ge 25\"]", false),
        ("prefix = [\"9.0.0.0/8 le 24\"]", false),
        ("prefix-length = 24", true),
        ("prefix-length = \"8-23\"", false),
        ("family = \"ipv4\"", true),
        ("family = \"ipv6\"", false),
        ("as-path = \"_15169$\"", true),
        ("as-path = \"^15169$\"", false),
        ("as-path-length = \"1-3\"", true),
        ("as-path-length = 2", false),
        ("first-as = 64501", true),
        ("first-as = [64502, 64503]", false),
        ("origin-as = \"content\"", true),
        ("origin-as = \"tier1\"", false),
        ("contains-as = 64510", true),
        ("contains-as = \"tier1\"", false),
        ("neighbor-as = 64501", true),
        ("neighbor-as = 64502", false),
        ("community = [\"64501:*\"]", true),
        ("community = [\"blackhole\"]", true),
        ("community = [\"64502:*\"]", false),
        ("community = [\"64501:*:2\"]", true),
        ("community = [\"64501:*:3\"]", false),
        ("community = [\"rt 64501:*\"]", true),
        ("community = [\"soo 64501:*\"]", false),
        ("origin = \"igp\"", true),
        ("origin = [\"egp\", \"incomplete\"]", false),
        ("next-hop = [\"198.51.100.0/24\"]", true),
        ("next-hop = [\"203.0.113.0/24\"]", false),
        ("bogon = false", true),
        ("bogon = true", false),
        // 64501 and 64510 are private-use/documentation ASNs.
        ("bogon-as = true", true),
        ("bogon-as = false", false),
        // Without RPKI data every route is "not-found" (RFC 6811 §2).
        ("rpki = \"not-found\"", true),
        ("rpki = [\"valid\", \"invalid\"]", false),
        // Several conditions: all must hold.
        ("first-as = 64501, prefix-length = 24", true),
        ("first-as = 64501, prefix-length = 25", false),
    ];
    for (cond, want) in cases {
        assert_eq!(matches(cond, &r), *want, "{cond}");
    }
    assert!(matches("bogon = true", &route("10.1.0.0/16")));
    assert!(matches(
        "prefix-list = \"google\"",
        &route("2001:4860:1::/48")
    ));
    assert!(!matches(
        "prefix-list = \"google\"",
        &route("2001:4860::/49")
    ));
    assert!(matches_with(
        "neighbor-role = \"peer\"",
        &r,
        Some(Role::Peer)
    ));
    assert!(!matches_with(
        "neighbor-role = [\"customer\", \"provider\"]",
        &r,
        Some(Role::Peer)
    ));
    assert!(!matches_with("neighbor-role = \"peer\"", &r, None));
}

/// Import over the session with AS 64501, no role.
fn import_ctx() -> Context {
    Context {
        local_as: 64500,
        neighbor_as: 64501,
        role: None,
        direction: Direction::Import,
    }
}

/// The RPKI state a route arrives with is what `rpki` matches.
#[test]
fn rpki_matches_the_state_the_route_has() {
    use peerd_policy::RpkiState;
    let c = config(
        "[[policy.p]]\nmatch = { rpki = \"invalid\" }\naction = \"reject\"\n\
         [[policy.p]]\nmatch = { rpki = [\"valid\", \"not-found\"] }\naction = \"accept\"\n",
    );
    let r = route("8.8.8.0/24");
    let id = c.policies.find("p").unwrap();
    let ctx = import_ctx();
    for (state, accepted) in [
        (RpkiState::Valid, true),
        (RpkiState::Invalid, false),
        (RpkiState::NotFound, true),
    ] {
        let mut s = Subject::new(r.prefix.parse().unwrap(), &r.attrs, &r.path, &r.nh);
        s.rpki = state;
        assert_eq!(
            evaluate(&c.policies, id, &ctx, &mut s),
            accepted,
            "{state:?}"
        );
    }
    // The engine memoises a policy's result per next hop unless it looks
    // at the prefix; the RPKI state depends on the prefix.
    assert!(c.policies.depends_on_prefix(id));
}

/// A rejection says why, for the counters of filtered prefixes: the term
/// that rejected matched a bogon (prefix or ASN), an RPKI-invalid state,
/// or something else — also in a called policy, and when no term accepts.
#[test]
fn a_rejection_names_what_the_rejecting_term_matched() {
    use peerd_policy::{Rejected, RpkiState};
    let c = config(
        r#"
[[policy.bogons]]
match = { bogon = true }
action = "reject"
[[policy.bogons]]
match = { bogon-as = true }
action = "reject"
[[policy.bogons]]
action = "accept"

[[policy.p]]
match = { rpki = "invalid" }
action = "reject"
[[policy.p]]
call = "bogons"
action = "next"
[[policy.p]]
match = { community = ["65535:666"] }
action = "reject"
[[policy.p]]
match = { prefix = ["8.8.4.0/24"] }
action = "accept"
"#,
    );
    let id = c.policies.find("p").unwrap();
    let ctx = import_ctx();
    // `route`'s path holds documentation ASNs, bogons themselves.
    let public = |prefix| {
        let mut r = route(prefix);
        r.path = AsPath::from_sequence(vec![3356, 15169]);
        r
    };
    let no_tag = |mut r: R| {
        r.attrs
            .retain(|a| !matches!(a.value, AttrValue::Communities(_)));
        r
    };
    let cases = [
        (
            route("8.8.8.0/24"),
            RpkiState::Invalid,
            Rejected::RpkiInvalid,
        ),
        (public("10.0.0.0/8"), RpkiState::NotFound, Rejected::Bogon),
        (route("8.8.8.0/24"), RpkiState::Valid, Rejected::Bogon),
        (public("8.8.8.0/24"), RpkiState::Valid, Rejected::Policy),
        (
            no_tag(public("8.8.8.0/24")),
            RpkiState::NotFound,
            Rejected::Policy,
        ),
    ];
    for (r, state, why) in cases {
        let mut s = Subject::new(r.prefix.parse().unwrap(), &r.attrs, &r.path, &r.nh);
        s.rpki = state;
        assert!(!evaluate(&c.policies, id, &ctx, &mut s), "{}", r.prefix);
        assert_eq!(s.rejected, why, "{} {state:?}", r.prefix);
    }
    let r = no_tag(public("8.8.4.0/24"));
    let mut s = Subject::new(r.prefix.parse().unwrap(), &r.attrs, &r.path, &r.nh);
    assert!(evaluate(&c.policies, id, &ctx, &mut s));
}

/// `next-hop = "discard"` marks the route (traffic to it is dropped here)
/// and leaves its attributes alone.
#[test]
fn discard_marks_the_route_only() {
    let c = config("[[policy.p]]\nset = { next-hop = \"discard\" }\naction = \"accept\"\n");
    let r = route("192.0.2.0/24");
    let id = c.policies.find("p").unwrap();
    let ctx = import_ctx();
    let mut s = Subject::new(r.prefix.parse().unwrap(), &r.attrs, &r.path, &r.nh);
    assert!(evaluate(&c.policies, id, &ctx, &mut s));
    assert!(s.discard);
    assert!(!s.changed());
    assert!(c.policies.sets_discard(id));
    // "blackhole" is the same.
    let c = config("[[policy.p]]\nset = { next-hop = \"blackhole\" }\naction = \"accept\"\n");
    assert!(c.policies.sets_discard(c.policies.find("p").unwrap()));
}

fn one_set(set: &str, dir: Direction) -> Out {
    let c = config(&format!(
        "[[policy.p]]\nset = {{ {set} }}\naction = \"accept\"\n"
    ));
    run(&c, "p", &route("8.8.8.0/24"), dir, None).unwrap()
}

fn communities(attrs: &[Attribute]) -> Vec<String> {
    let mut v = Vec::new();
    for a in attrs {
        match &a.value {
            AttrValue::Communities(c) => v.extend(c.iter().map(|c| c.to_string())),
            AttrValue::LargeCommunities(c) => v.extend(c.iter().map(|c| c.to_string())),
            AttrValue::ExtCommunities(c) => v.extend(c.iter().map(|c| c.to_string())),
            _ => {}
        }
    }
    v
}

fn attr<T>(attrs: &[Attribute], f: impl Fn(&AttrValue) -> Option<T>) -> Option<T> {
    attrs.iter().find_map(|a| f(&a.value))
}

#[test]
fn every_change() {
    let (a, ..) = one_set("local-pref = 200", Direction::Import);
    assert_eq!(
        attr(&a, |v| match v {
            AttrValue::LocalPref(x) => Some(*x),
            _ => None,
        }),
        Some(200)
    );

    let (a, _, _, med_set, _) = one_set("med = 7", Direction::Export);
    assert_eq!(
        attr(&a, |v| match v {
            AttrValue::Med(x) => Some(*x),
            _ => None,
        }),
        Some(7)
    );
    assert!(med_set);
    let (a, _, _, med_set, _) = one_set("med = \"strip\"", Direction::Export);
    assert_eq!(
        attr(&a, |v| match v {
            AttrValue::Med(x) => Some(*x),
            _ => None,
        }),
        None
    );
    assert!(med_set);

    // Export prepends our AS; import the neighbour's (the path's first).
    let (_, p, ..) = one_set("prepend = 2", Direction::Export);
    assert_eq!(p.to_string(), "64500 64500 64501 64510 15169");
    let (_, p, ..) = one_set("prepend = 1", Direction::Import);
    assert_eq!(p.to_string(), "64501 64501 64510 15169");

    let (a, ..) = one_set(
        "add-communities = [\"64500:1\", \"64500:0:9\", \"rt 64500:3\", \"64501:100\"]",
        Direction::Import,
    );
    let c = communities(&a);
    for want in [
        "64501:100",
        "blackhole",
        "64500:1",
        "64500:0:9",
        "rt 64500:3",
        "rt 64501:7",
        "64501:1:2",
    ] {
        assert!(c.iter().any(|x| x == want), "{want} in {c:?}");
    }
    assert_eq!(
        c.iter().filter(|x| *x == "64501:100").count(),
        1,
        "no duplicate: {c:?}"
    );

    let (a, ..) = one_set(
        "remove-communities = [\"64501:*\", \"64501:*:*\"]",
        Direction::Import,
    );
    assert_eq!(communities(&a), vec!["blackhole", "rt 64501:7"]);

    let (a, ..) = one_set("set-communities = [\"64500:5\"]", Direction::Import);
    assert_eq!(communities(&a), vec!["64500:5"]);
    let (a, ..) = one_set("set-communities = []", Direction::Import);
    assert!(communities(&a).is_empty());

    let (_, _, nh, _, _) = one_set("next-hop = \"192.0.2.9\"", Direction::Import);
    assert_eq!(nh, NextHop::Ipv4(Ipv4Addr::new(192, 0, 2, 9)));
    let (_, _, _, _, nh_self) = one_set("next-hop = \"self\"", Direction::Export);
    assert!(nh_self);
}

#[test]
fn verdicts_order_calls_and_the_implicit_reject() {
    let c = config(
        r#"
[[policy.no-bogons]]
match = { bogon = true }
action = "reject"
[[policy.no-bogons]]
action = "accept"

[[policy.import]]
name = "sanity"
call = "no-bogons"
[[policy.import]]
name = "prefer-google"
match = { origin-as = 15169 }
set = { local-pref = 300 }
action = "next"
[[policy.import]]
match = { community = ["64501:100"] }
set = { add-communities = ["64500:42"] }
action = "accept"
"#,
    );
    // Through every term: the call passes it, the next two change it.
    let (a, ..) = run(&c, "import", &route("8.8.8.0/24"), Direction::Import, None).unwrap();
    assert!(communities(&a).contains(&"64500:42".to_string()));
    assert_eq!(
        attr(&a, |v| match v {
            AttrValue::LocalPref(x) => Some(*x),
            _ => None,
        }),
        Some(300)
    );
    // The called policy rejects a bogon, so the caller does.
    assert!(run(&c, "import", &route("10.0.0.0/8"), Direction::Import, None).is_none());
    // Past the last term: rejected.
    let mut r = route("8.8.8.0/24");
    r.attrs
        .retain(|a| !matches!(a.value, AttrValue::Communities(_)));
    assert!(run(&c, "import", &r, Direction::Import, None).is_none());
}

#[test]
fn neighbors_refer_to_policies_by_name() {
    let c = config(
        r#"
[[policy.from-peer]]
action = "accept"

[[neighbor]]
address = "198.51.100.1"
remote-as = 64501
role = "peer"
import = "from-peer"
export = "deny"
"#,
    );
    let id = c.policies.find("from-peer").unwrap();
    assert_eq!(c.neighbors[0].import, PolicySwitch::Policy(id));
    assert_eq!(c.neighbors[0].export, PolicySwitch::Deny);
}

#[test]
fn wrong_policies_get_precise_errors() {
    let e = errors(
        r#"
[prefix-lists]
bad = ["8.8.8.1/24", "8.8.8.0/24 le 40"]

[[policy.a]]
match = { prefix-list = "nope", as-path = "^(15169", community = ["64501"] }
call = "missing"
action = "maybe"

[[policy.b]]
match = { bogon = true }

[[policy.loop1]]
call = "loop2"
[[policy.loop2]]
call = "loop1"

[[policy.accept]]
action = "accept"

[[policy.c]]
set = { next-hop = "self", prepend = 40, med = "high" }
action = "accept"

[[neighbor]]
address = "198.51.100.1"
remote-as = 64501
role = "peer"
import = "c"
export = "unknown"

[[policy.d]]
match = { rpki = "unknown" }
set = { next-hop = "discard" }
action = "accept"

[[neighbor]]
address = "198.51.100.2"
remote-as = 64502
role = "peer"
import = "accept"
export = "d"
"#,
    );
    for want in [
        "p.toml:7:8: prefix-lists.bad: expected PREFIX/LEN",
        "p.toml:7:22: prefix-lists.bad: expected PREFIX/LEN with optional \"ge N\" and \"le M\", such as \"203.0.113.0/24 le 32\"; a length is 0-32, found \"8.8.8.0/24 le 40\"",
        "p.toml:10:25: policy.a.match.prefix-list: there is no prefix list \"nope\"",
        "p.toml:10:43: policy.a.match.as-path: not a regular expression: unclosed group",
        "p.toml:10:67: policy.a.match.community: expected a community pattern",
        "p.toml:11:8: policy.a.call: there is no policy \"missing\"",
        "p.toml:12:10: policy.a.action: expected \"accept\", \"reject\" or \"next\", found \"maybe\"",
        "p.toml:14:1: policy.b: this term does nothing",
        "p.toml:18:8: policy.loop1: calling \"loop2\" makes a loop back to \"loop1\"",
        "p.toml:22:1: policy.accept: \"accept\" is built in",
        "p.toml:26:38: policy.c.set.prepend: expected a number from 1 to 16",
        "p.toml:26:48: policy.c.set.med: expected a number 0-4294967295 or \"strip\"",
        "p.toml:33:10: neighbor.import: policy \"c\" sets next-hop = \"self\", which only means something on export",
        "neighbor.export: expected \"accept\", \"deny\" or the name of a [[policy.NAME]], found \"unknown\"",
        "p.toml:37:18: policy.d.match.rpki: expected \"valid\", \"invalid\" or \"not-found\", found \"unknown\"",
        "p.toml:46:10: neighbor.export: policy \"d\" sets next-hop = \"discard\", which only means something on import",
    ] {
        assert!(e.contains(want), "missing {want:?} in:\n{e}");
    }
}

/// The example in docs/policy.md parses, and does what the text says.
#[test]
fn the_documented_example_is_valid() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/policy.md"))
        .unwrap();
    let start = doc.find("```toml\n").unwrap() + 8;
    let end = start + doc[start..].find("```").unwrap();
    let c = config(&doc[start..end]);
    let mut r = route("8.8.8.0/24");
    r.path = AsPath::from_sequence(vec![15169, 15169]);
    let (a, ..) = run(&c, "from-google", &r, Direction::Import, Some(Role::Peer)).unwrap();
    assert!(communities(&a).contains(&"64500:15169".to_string()));
    assert!(run(
        &c,
        "from-google",
        &route("8.8.8.0/24"),
        Direction::Import,
        None
    )
    .is_none());
    assert!(run(
        &c,
        "from-google",
        &route("10.0.0.0/8"),
        Direction::Import,
        None
    )
    .is_none());
    let (_, p, ..) = run(
        &c,
        "to-google",
        &route("203.0.113.0/24"),
        Direction::Export,
        None,
    )
    .unwrap();
    assert_eq!(p.first_as(), Some(64500));
}
