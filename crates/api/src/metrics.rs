//! The Prometheus text exposition format (version 0.0.4), sans IO: metric
//! families with their HELP and TYPE lines, samples with escaped label
//! values. What peerd exposes is gathered by the daemon (`/metrics`).

use std::fmt::Write as _;

/// The content type of the format.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// A metric's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Only goes up (reset at restart).
    Counter,
    /// Goes up and down.
    Gauge,
}

/// Text being written.
#[derive(Debug, Default)]
pub struct Exposition {
    out: String,
}

fn escape(v: &str) -> String {
    let mut o = String::with_capacity(v.len());
    for c in v.chars() {
        match c {
            '\\' => o.push_str("\\\\"),
            '"' => o.push_str("\\\""),
            '\n' => o.push_str("\\n"),
            c => o.push(c),
        }
    }
    o
}

impl Exposition {
    /// Starts a family: its HELP and TYPE lines. Its samples follow.
    pub fn family(&mut self, name: &str, kind: Kind, help: &str) -> &mut Self {
        let kind = match kind {
            Kind::Counter => "counter",
            Kind::Gauge => "gauge",
        };
        let help = help.replace('\\', "\\\\").replace('\n', "\\n");
        let _ = writeln!(self.out, "# HELP {name} {help}\n# TYPE {name} {kind}");
        self
    }

    /// One sample of the family just started.
    pub fn sample(&mut self, name: &str, labels: &[(&str, &str)], value: f64) -> &mut Self {
        self.out.push_str(name);
        if !labels.is_empty() {
            self.out.push('{');
            for (i, (k, v)) in labels.iter().enumerate() {
                if i > 0 {
                    self.out.push(',');
                }
                let _ = write!(self.out, "{k}=\"{}\"", escape(v));
            }
            self.out.push('}');
        }
        let _ = writeln!(self.out, " {value}");
        self
    }

    /// The text.
    pub fn finish(self) -> String {
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_and_escaped_labels() {
        let mut e = Exposition::default();
        e.family("peerd_x_total", Kind::Counter, "Things.\nCounted.")
            .sample("peerd_x_total", &[("neighbor", "a \"b\"\\c")], 3.0)
            .sample("peerd_x_total", &[], 0.5);
        assert_eq!(
            e.finish(),
            "# HELP peerd_x_total Things.\\nCounted.\n# TYPE peerd_x_total counter\npeerd_x_total{neighbor=\"a \\\"b\\\"\\\\c\"} 3\npeerd_x_total 0.5\n"
        );
    }
}
