//! The service manager's notification protocol (systemd `Type=notify`,
//! sd_notify(3)): a datagram of `KEY=VALUE` lines to the Unix socket named
//! by `$NOTIFY_SOCKET` — `READY=1` once peerd serves, `RELOADING=1` then
//! `READY=1` around a reload (SIGHUP, `ExecReload=`), `STOPPING=1` when it
//! stops. Without the variable (not started by a service manager) nothing
//! is sent.

use std::os::unix::net::UnixDatagram;

/// Sends `state` to the service manager, if there is one. An abstract
/// socket (`@name`) is addressed as such.
pub fn notify(state: &str) {
    let Some(path) = std::env::var_os("NOTIFY_SOCKET") else {
        return;
    };
    let Ok(sock) = UnixDatagram::unbound() else {
        return;
    };
    let bytes = path.as_encoded_bytes();
    let sent = match bytes.strip_prefix(b"@") {
        Some(name) => {
            use std::os::linux::net::SocketAddrExt;
            std::os::unix::net::SocketAddr::from_abstract_name(name)
                .and_then(|a| sock.send_to_addr(state.as_bytes(), &a))
        }
        None => sock.send_to(state.as_bytes(), &path),
    };
    if let Err(e) = sent {
        tracing::warn!("cannot notify the service manager ({state:?}): {e}");
    }
}
