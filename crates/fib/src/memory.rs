//! A forwarding table in memory, for tests of what programs one.

use crate::netlink::Op;
use crate::{Fib, FibError, KernelRoute, Outcome};
use std::collections::BTreeMap;

/// Routes by (table, prefix, metric), as the kernel keys them.
#[derive(Debug, Clone, Default)]
pub struct MemoryFib {
    routes: BTreeMap<(u32, String, u32), KernelRoute>,
}

impl MemoryFib {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }
}

fn key(r: &KernelRoute) -> (u32, String, u32) {
    (r.table, r.prefix.to_string(), r.metric)
}

impl Fib for MemoryFib {
    fn apply(&mut self, changes: &[(Op, KernelRoute)]) -> Result<Vec<Outcome>, FibError> {
        Ok(changes
            .iter()
            .map(|(op, r)| match op {
                Op::Replace => {
                    self.routes.insert(key(r), r.clone());
                    Outcome::Done
                }
                // As the kernel: removing what is not there is ESRCH.
                Op::Delete => match self.routes.remove(&key(r)) {
                    Some(_) => Outcome::Done,
                    None => Outcome::Refused(3),
                },
            })
            .collect())
    }

    fn routes(&mut self, table: u32, protocol: u8) -> Result<Vec<KernelRoute>, FibError> {
        Ok(self
            .routes
            .values()
            .filter(|r| r.table == table && r.protocol == protocol)
            .cloned()
            .collect())
    }
}
