//! The daemon's log: `tracing` events written to standard error, one line
//! each, as text for people or as JSON objects for log pipelines
//! (`[log] format`). Every session event carries the neighbor's name and
//! address as fields (`neighbor`, `address`) and what happened (`event`),
//! so a pipeline can select one session without parsing the message.
//!
//! The level (`[log] level`) changes on reload; the format needs a restart
//! (the writer is chosen once, at start).

use peerd_config::{LogFormat, LogLevel};
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{reload, Registry};

/// Changes the level of the running log.
pub struct Level(reload::Handle<LevelFilter, Registry>);

impl Level {
    /// Writes events of `level` and more severe from now on.
    pub fn set(&self, level: LogLevel) {
        let _ = self.0.modify(|f| *f = filter(level));
    }
}

/// Installs the log for the whole process. A second call (tests running
/// the daemon twice in one process) keeps the first log.
pub fn init(cfg: peerd_config::Log) -> Level {
    let (level, handle) = reload::Layer::new(filter(cfg.level));
    let registry = tracing_subscriber::registry().with(level);
    let _ = match cfg.format {
        LogFormat::Text => registry
            .with(
                tracing_subscriber::fmt::layer()
                    .with_writer(std::io::stderr)
                    .with_target(false)
                    .with_ansi(false),
            )
            .try_init(),
        LogFormat::Json => registry
            .with(
                tracing_subscriber::fmt::layer()
                    .json()
                    .flatten_event(true)
                    .with_current_span(false)
                    .with_span_list(false)
                    .with_writer(std::io::stderr)
                    .with_target(false),
            )
            .try_init(),
    };
    Level(handle)
}

fn filter(l: LogLevel) -> LevelFilter {
    match l {
        LogLevel::Error => LevelFilter::ERROR,
        LogLevel::Warn => LevelFilter::WARN,
        LogLevel::Info => LevelFilter::INFO,
        LogLevel::Debug => LevelFilter::DEBUG,
        LogLevel::Trace => LevelFilter::TRACE,
    }
}
