//! `peerd-policy`: routing policy for import and export — conditions on
//! the prefix, the AS path, communities, ORIGIN, the next hop, the session's
//! role and built-in bogons; changes to LOCAL_PREF, MED, the path,
//! communities and the next hop; verdicts; calls between policies. Sans-IO:
//! a policy is data built by `peerd-config`, evaluated by the engine.
//!
//! Written in the configuration as named lists of terms (docs/policy.md).

#![deny(missing_docs)]

pub mod aspath;
pub mod bogons;
pub mod community;
mod eval;
mod model;
pub mod prefix_list;

pub use aspath::AsPathRegex;
pub use community::{AnyCommunity, CommunityPattern};
pub use eval::{communities, evaluate, Context, Direction, Rejected, Subject};
pub use model::{Match, Policies, Policy, PolicyId, RpkiState, Set, Term, Verdict};
pub use prefix_list::PrefixEntry;
