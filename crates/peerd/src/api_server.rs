//! Where the management API is served: the control socket (root, and the
//! `[api] group` if set, may connect) and, with `[api] listen`, a TCP
//! address where every request must carry the bearer token of `[api]
//! token-file`. One request per connection, read within 10 seconds,
//! answered, closed.

use crate::daemon::Shared;
use peerd_api::http::{self, Parsed, Request};
use peerd_api::{ApiError, ErrorCode};
use std::io;
use std::net::SocketAddr;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, UnixListener};

/// How long a client has to send its request.
const READ_LIMIT: Duration = Duration::from_secs(10);

/// What a connection sent.
enum Incoming {
    Http(Request),
    Bad(ApiError),
}

/// The numeric id of a group: a number, or a name from `/etc/group`.
fn gid_of(group: &str) -> io::Result<u32> {
    if let Ok(n) = group.parse() {
        return Ok(n);
    }
    let text = std::fs::read_to_string("/etc/group")?;
    text.lines()
        .filter_map(|l| {
            let mut f = l.split(':');
            let name = f.next()?;
            let gid = f.nth(1)?.parse().ok()?;
            (name == group).then_some(gid)
        })
        .next()
        .ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::NotFound,
                format!("api.group: no group {group:?} in /etc/group"),
            )
        })
}

/// Binds the control socket at `path`: mode 0600 (root only), or 0660
/// with `group` as its group.
pub fn bind_unix(path: &Path, group: Option<&str>) -> io::Result<UnixListener> {
    let _ = std::fs::remove_file(path);
    let listener = UnixListener::bind(path)?;
    match group {
        Some(g) => {
            std::os::unix::fs::chown(path, None, Some(gid_of(g)?))?;
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o660))?;
        }
        None => std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?,
    }
    Ok(listener)
}

/// Binds the TCP listener and reads its token; refuses without a usable
/// token.
pub async fn bind_tcp(addr: SocketAddr, token_file: &Path) -> io::Result<(TcpListener, String)> {
    let token = std::fs::read_to_string(token_file).map_err(|e| {
        io::Error::new(
            e.kind(),
            format!(
                "api.token-file {}: {e}; the TCP API is refused without a token",
                token_file.display()
            ),
        )
    })?;
    let token = token.trim().to_string();
    if token.len() < 16 {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "api.token-file {}: the token is empty or shorter than 16 characters; the TCP API is refused",
                token_file.display()
            ),
        ));
    }
    let listener = TcpListener::bind(addr).await?;
    Ok((listener, token))
}

/// Reads one request. `None` when the connection ends first.
async fn read_request<S: AsyncRead + Unpin>(stream: &mut S) -> Option<Incoming> {
    let mut buf = Vec::with_capacity(512);
    loop {
        let n = stream.read_buf(&mut buf).await.ok()?;
        if is_http(&buf) == Some(false) {
            // A line of text (the one-line commands of peerd's first
            // versions, or a typo): said at once, not after the time limit.
            return Some(Incoming::Bad(ApiError::new(
                ErrorCode::BadRequest,
                "this socket speaks HTTP: the management API (docs/api.md); peerctl is its client",
            )));
        }
        match http::parse(&buf) {
            Ok(Parsed::Request(r)) => return Some(Incoming::Http(r)),
            Ok(Parsed::Incomplete) if n > 0 => continue,
            Ok(Parsed::Incomplete) => return None,
            Err(e) => return Some(Incoming::Bad(e)),
        }
    }
}

/// Whether a connection's first bytes read as an HTTP request (a method in
/// capitals, then a space); `None`: not known yet.
fn is_http(buf: &[u8]) -> Option<bool> {
    match buf.iter().position(|b| *b == b' ' || *b == b'\n') {
        Some(i) => Some(buf[i] == b' ' && i > 0 && buf[..i].iter().all(u8::is_ascii_uppercase)),
        None if buf.len() > 16 => Some(false),
        None => None,
    }
}

/// Writes the answer and closes.
async fn reply<S: AsyncWrite + Unpin>(stream: &mut S, answer: &[u8]) {
    let _ = stream.write_all(answer).await;
    let _ = stream.shutdown().await;
}

/// Serves the control socket.
pub async fn serve_unix(listener: UnixListener, shared: Arc<Shared>) -> io::Result<()> {
    loop {
        let (mut stream, _) = listener.accept().await?;
        let shared = shared.clone();
        tokio::spawn(async move {
            let got = tokio::time::timeout(READ_LIMIT, read_request(&mut stream)).await;
            let answer = match got {
                Ok(Some(Incoming::Http(r))) => crate::api::answer(&shared, &r).await,
                Ok(Some(Incoming::Bad(e))) => http::error(&e),
                _ => return,
            };
            reply(&mut stream, &answer).await;
        });
    }
}

/// Compares without stopping at the first difference, so that the time
/// taken says nothing about how much of a guess was right.
fn same_token(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut diff = a.len() ^ b.len();
    for (i, x) in a.iter().enumerate() {
        diff |= usize::from(x ^ b.get(i).copied().unwrap_or(!x));
    }
    diff == 0
}

/// Serves the API on TCP: HTTP only, every request with the token.
pub async fn serve_tcp(
    listener: TcpListener,
    token: String,
    shared: Arc<Shared>,
) -> io::Result<()> {
    let token = Arc::new(token);
    loop {
        let (mut stream, from) = listener.accept().await?;
        let (shared, token) = (shared.clone(), token.clone());
        tokio::spawn(async move {
            let got = tokio::time::timeout(READ_LIMIT, read_request(&mut stream)).await;
            let answer = match got {
                Ok(Some(Incoming::Http(r))) => match r.bearer() {
                    Some(t) if same_token(t, &token) => crate::api::answer(&shared, &r).await,
                    given => {
                        let why = if given.is_some() {
                            "a wrong token"
                        } else {
                            "no token"
                        };
                        tracing::warn!("api: refused {} {} from {from}: {why}", r.method, r.path);
                        http::error(&ApiError::new(
                            ErrorCode::Unauthorized,
                            format!("{why}: send Authorization: Bearer TOKEN (the token of api.token-file)"),
                        ))
                    }
                },
                Ok(Some(Incoming::Bad(e))) => http::error(&e),
                _ => return,
            };
            reply(&mut stream, &answer).await;
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_compare_whole() {
        assert!(same_token("0123456789abcdef", "0123456789abcdef"));
        assert!(!same_token("0123456789abcdef", "0123456789abcdeF"));
        assert!(!same_token("0123456789abcdef", "0123456789abcde"));
        assert!(!same_token("", "x"));
        assert!(!same_token("x", ""));
    }

    #[test]
    fn http_is_told_from_a_line() {
        assert_eq!(is_http(b"GET /v1"), Some(true));
        assert_eq!(is_http(b"neighbors json\n"), Some(false));
        assert_eq!(is_http(b"rib\n"), Some(false));
        assert_eq!(is_http(b"GE"), None);
        assert_eq!(is_http(b"Get /x"), Some(false));
    }
}
