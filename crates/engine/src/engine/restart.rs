//! Our own graceful restart (RFC 4724 §4.1): after a restart that kept the
//! forwarding state (`[fib] retain` found its routes), the neighbours that
//! help us still hold our routes as stale, and forward along them, until
//! our End-of-RIB. Sending them a table chosen from half of what our
//! neighbours will send would make them replace good routes with worse
//! ones and then back. So the restarting speaker defers: it learns first —
//! until every neighbour it waits for is up and, if it does graceful
//! restart, has sent its End-of-RIB for every family — and only then sends
//! its routes and End-of-RIB. A time limit (the runtime's
//! [`Event::ConvergenceTimeout`], RFC 4724's selection deferral timer)
//! bounds the wait for neighbours that do not come.
//!
//! The engine keeps choosing routes meanwhile (the forwarding table
//! follows: what is learned again replaces what was kept); only what
//! would be sent to neighbours is held, per neighbour and in order, and a
//! neighbour's held messages are dropped when its session goes (its next
//! session gets the whole table again). Without deferral, the same wait
//! only says when the forwarding state is complete (a cold start).
//!
//! When it is over, [`Action::Converged`] tells the runtime: it removes
//! the kept routes that were not learned again and clears the R bit.
//!
//! [`Event::ConvergenceTimeout`]: crate::Event::ConvergenceTimeout

use super::{Action, Engine, PeerId};
use std::collections::BTreeMap;

/// A wait for convergence in progress.
#[derive(Debug, Clone, Default)]
pub(crate) struct Restart {
    /// The neighbours waited for.
    waiting: Vec<PeerId>,
    /// Hold what would be sent until it is over.
    defer: bool,
    /// What is held, per neighbour, in order.
    outbox: BTreeMap<PeerId, Vec<Vec<u8>>>,
}

impl Engine {
    /// Starts waiting until the neighbours `wait_for` have sent their
    /// tables; with `defer`, nothing is sent to any neighbour meanwhile.
    /// Returns [`Action::Converged`] at once when there is nothing to wait
    /// for.
    pub fn await_convergence(&mut self, wait_for: Vec<PeerId>, defer: bool) -> Vec<Action> {
        self.restart = Some(Restart {
            waiting: wait_for,
            defer,
            outbox: BTreeMap::new(),
        });
        let mut actions = Vec::new();
        self.converge(None, false, &mut actions);
        actions
    }

    /// Whether a wait for convergence is in progress.
    pub fn converging(&self) -> bool {
        self.restart.is_some()
    }

    /// Whether neighbour `id` has sent its whole table: it is up, and has
    /// sent End-of-RIB for every family of the session — or does not do
    /// graceful restart, so that no End-of-RIB can be counted on.
    fn table_received(&self, id: PeerId) -> bool {
        let Some(up) = self.peers.get(id).and_then(|p| p.up.as_ref()) else {
            return false;
        };
        up.negotiated.peer_graceful_restart.is_none()
            || up
                .negotiated
                .families
                .iter()
                .all(|f| up.eor_received.contains(f))
    }

    /// After each change: holds what is to be sent while deferring, and
    /// ends the wait when every neighbour is done or the time is up.
    pub(super) fn converge(
        &mut self,
        down: Option<PeerId>,
        timeout: bool,
        actions: &mut Vec<Action>,
    ) {
        let Some(mut r) = self.restart.take() else {
            return;
        };
        if r.defer {
            actions.retain_mut(|a| match a {
                Action::Send { peer, messages } => {
                    r.outbox
                        .entry(*peer)
                        .or_default()
                        .append(&mut std::mem::take(messages));
                    false
                }
                _ => true,
            });
        }
        if let Some(p) = down {
            r.outbox.remove(&p);
        }
        let complete = r.waiting.iter().all(|&id| self.table_received(id));
        if !complete && !timeout {
            self.restart = Some(r);
            return;
        }
        for (peer, messages) in r.outbox {
            if !messages.is_empty() {
                actions.push(Action::Send { peer, messages });
            }
        }
        actions.push(Action::Converged { complete });
    }
}
