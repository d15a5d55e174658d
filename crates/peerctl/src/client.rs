//! The management API's client: one HTTP request per connection over
//! peerd's control socket, the answer decoded into `peerd-api`'s types.

use peerd_api::http;
use peerd_api::ApiError;
use serde::de::DeserializeOwned;
use std::io::{Read, Write};
use std::os::unix::net::UnixStream;

/// Why a request failed.
#[derive(Debug)]
pub enum CtlError {
    /// peerd is not there (exit status 3).
    Connect(String, std::io::Error),
    /// peerd answered with an error (exit status 1).
    Api(ApiError),
    /// The answer could not be read (exit status 1).
    Protocol(String),
}

impl CtlError {
    /// The exit status that goes with it.
    pub fn status(&self) -> u8 {
        match self {
            CtlError::Connect(..) => 3,
            CtlError::Api(_) | CtlError::Protocol(_) => 1,
        }
    }
}

impl std::fmt::Display for CtlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CtlError::Connect(s, e) => write!(
                f,
                "cannot reach peerd at {s}: {e} (is it running? --socket PATH or $PEERD_SOCKET)"
            ),
            CtlError::Api(e) => write!(f, "{}", e.message),
            CtlError::Protocol(m) => write!(f, "{m}"),
        }
    }
}

/// A connection target: peerd's control socket.
pub struct Client {
    socket: String,
}

impl Client {
    /// A client of the daemon at `socket`.
    pub fn new(socket: &str) -> Self {
        Client {
            socket: socket.to_string(),
        }
    }

    /// Sends one request; the decoded answer.
    fn request<T: DeserializeOwned>(
        &self,
        method: &str,
        target: &str,
        body: &str,
    ) -> Result<T, CtlError> {
        let body = self.request_raw(method, target, body)?;
        serde_json::from_slice(&body)
            .map_err(|e| CtlError::Protocol(format!("unexpected answer from peerd: {e}")))
    }

    /// Sends one request; the body of a success, or peerd's error.
    fn request_raw(&self, method: &str, target: &str, body: &str) -> Result<Vec<u8>, CtlError> {
        let mut s = UnixStream::connect(&self.socket)
            .map_err(|e| CtlError::Connect(self.socket.clone(), e))?;
        let raw = format!(
            "{method} {target} HTTP/1.1\r\nHost: peerd\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        let io = |e: std::io::Error| CtlError::Protocol(format!("talking to peerd: {e}"));
        s.write_all(raw.as_bytes()).map_err(io)?;
        let mut out = Vec::new();
        s.read_to_end(&mut out).map_err(io)?;
        let (status, body) =
            http::parse_response(&out).map_err(|e| CtlError::Protocol(e.message))?;
        if status != 200 {
            let v: serde_json::Value = serde_json::from_slice(body).map_err(|_| {
                CtlError::Protocol(format!("peerd answered {status} without an error body"))
            })?;
            let e: ApiError = serde_json::from_value(v["error"].clone()).map_err(|_| {
                CtlError::Protocol(format!("peerd answered {status} with an unknown error"))
            })?;
            return Err(CtlError::Api(e));
        }
        Ok(body.to_vec())
    }

    /// `GET target`.
    pub fn get<T: DeserializeOwned>(&self, target: &str) -> Result<T, CtlError> {
        self.request("GET", target, "")
    }

    /// `POST target` with a JSON body.
    pub fn post<T: DeserializeOwned>(&self, target: &str, body: &str) -> Result<T, CtlError> {
        self.request("POST", target, body)
    }

    /// `GET target`, answered as text.
    pub fn get_text(&self, target: &str) -> Result<String, CtlError> {
        self.request_raw("GET", target, "")
            .map(|b| String::from_utf8_lossy(&b).into_owned())
    }

    /// `DELETE target`.
    pub fn delete<T: DeserializeOwned>(&self, target: &str) -> Result<T, CtlError> {
        self.request("DELETE", target, "")
    }
}

/// A path segment or query value with the characters that would change
/// its meaning escaped (a slash too).
pub fn escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b':' => {
                o.push(char::from(b));
            }
            _ => o.push_str(&format!("%{b:02X}")),
        }
    }
    o
}
