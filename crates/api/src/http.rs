//! HTTP/1.1, as much as the API needs, sans IO: a request parsed from the
//! bytes read so far, an answer built into bytes. One request per
//! connection (every answer closes it); heads up to [`MAX_HEAD`] octets,
//! bodies up to [`MAX_BODY`] with a `Content-Length`. Anything else is an
//! [`ApiError`] — never a panic, never an unbounded buffer.

use crate::types::{ApiError, ErrorCode};
use serde::Serialize;

/// The largest request head.
pub const MAX_HEAD: usize = 16 * 1024;
/// The largest request body.
pub const MAX_BODY: usize = 64 * 1024;

/// A request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// `GET`, `POST`, ...
    pub method: String,
    /// The path, percent-decoded, without the query.
    pub path: String,
    /// The query's parameters, percent-decoded, in order.
    pub query: Vec<(String, String)>,
    /// The `Authorization` header, if any.
    pub authorization: Option<String>,
    /// The body.
    pub body: Vec<u8>,
}

impl Request {
    /// The first value of a query parameter.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The bearer token of the `Authorization` header, if any.
    pub fn bearer(&self) -> Option<&str> {
        let a = self.authorization.as_deref()?.trim();
        let (scheme, token) = a.split_once(' ')?;
        scheme
            .eq_ignore_ascii_case("bearer")
            .then_some(token.trim())
    }
}

/// What the bytes read so far make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed {
    /// A whole request.
    Request(Request),
    /// Not yet: read more.
    Incomplete,
}

fn bad(msg: impl Into<String>) -> ApiError {
    ApiError::new(ErrorCode::BadRequest, msg)
}

/// Decodes `%XX` escapes (and `+` as a space in a query).
fn decode(s: &str, plus: bool) -> Result<String, ApiError> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                let hex = b
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or_else(|| bad(format!("bad percent escape in {s:?}")))?;
                out.push(hex);
                i += 3;
            }
            b'+' if plus => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).map_err(|_| bad(format!("{s:?} is not UTF-8 once decoded")))
}

/// Parses the bytes read so far.
pub fn parse(buf: &[u8]) -> Result<Parsed, ApiError> {
    let mut headers = [httparse::EMPTY_HEADER; 32];
    let mut req = httparse::Request::new(&mut headers);
    let head = match req.parse(buf) {
        Ok(httparse::Status::Complete(n)) => n,
        Ok(httparse::Status::Partial) if buf.len() > MAX_HEAD => {
            return Err(ApiError::new(
                ErrorCode::TooLarge,
                format!("request head larger than {MAX_HEAD} octets"),
            ))
        }
        Ok(httparse::Status::Partial) => return Ok(Parsed::Incomplete),
        Err(e) => return Err(bad(format!("malformed HTTP request: {e}"))),
    };
    let method = req.method.unwrap_or_default().to_string();
    let target = req.path.unwrap_or_default();
    let mut length = 0usize;
    let mut authorization = None;
    for h in req.headers.iter() {
        if h.name.eq_ignore_ascii_case("content-length") {
            length = std::str::from_utf8(h.value)
                .ok()
                .and_then(|v| v.trim().parse().ok())
                .ok_or_else(|| bad("Content-Length is not a number"))?;
        } else if h.name.eq_ignore_ascii_case("transfer-encoding") {
            return Err(bad("chunked bodies are not accepted: send Content-Length"));
        } else if h.name.eq_ignore_ascii_case("authorization") {
            authorization = Some(String::from_utf8_lossy(h.value).into_owned());
        }
    }
    if length > MAX_BODY {
        return Err(ApiError::new(
            ErrorCode::TooLarge,
            format!("request body larger than {MAX_BODY} octets"),
        ));
    }
    let Some(body) = buf.get(head..head + length) else {
        return Ok(Parsed::Incomplete);
    };
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    if !path.starts_with('/') {
        return Err(bad(format!(
            "expected a path such as /v1/neighbors, found {target:?}"
        )));
    }
    let query = query
        .split('&')
        .filter(|kv| !kv.is_empty())
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            Ok((decode(k, true)?, decode(v, true)?))
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    Ok(Parsed::Request(Request {
        method,
        path: decode(path, false)?,
        query,
        authorization,
        body: body.to_vec(),
    }))
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        413 => "Content Too Large",
        422 => "Unprocessable Content",
        _ => "Internal Server Error",
    }
}

/// An answer with this status, content type and body; the connection
/// closes after it.
pub fn response(status: u16, content_type: &str, body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {status} {}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n",
        reason(status),
        body.len()
    )
    .into_bytes();
    if status == 401 {
        out.extend_from_slice(b"WWW-Authenticate: Bearer\r\n");
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(body);
    out
}

/// A 200 answer with `value` as JSON.
pub fn json<T: Serialize>(value: &T) -> Vec<u8> {
    match serde_json::to_vec(value) {
        Ok(b) => response(200, "application/json", &b),
        Err(e) => error(&ApiError::new(ErrorCode::Internal, e.to_string())),
    }
}

/// An error answer.
pub fn error(e: &ApiError) -> Vec<u8> {
    let body = serde_json::to_vec(&e.body()).unwrap_or_default();
    response(e.code.status(), "application/json", &body)
}

/// A whole answer as read back by a client: status and body.
pub fn parse_response(buf: &[u8]) -> Result<(u16, &[u8]), ApiError> {
    let mut headers = [httparse::EMPTY_HEADER; 32];
    let mut res = httparse::Response::new(&mut headers);
    match res.parse(buf) {
        Ok(httparse::Status::Complete(n)) => Ok((res.code.unwrap_or(0), &buf[n..])),
        Ok(httparse::Status::Partial) => Err(bad("the answer ended early")),
        Err(e) => Err(bad(format!("malformed HTTP answer: {e}"))),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn req(s: &str) -> Request {
        match parse(s.as_bytes()).unwrap() {
            Parsed::Request(r) => r,
            Parsed::Incomplete => panic!("incomplete: {s:?}"),
        }
    }

    #[test]
    fn requests_are_parsed_with_query_and_body() {
        let r = req("GET /v1/rib/203.0.113.0%2F24?limit=10&after=198.51.100.0/24&x HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer s3cret\r\n\r\n");
        assert_eq!(r.method, "GET");
        assert_eq!(r.path, "/v1/rib/203.0.113.0/24");
        assert_eq!(r.param("limit"), Some("10"));
        assert_eq!(r.param("after"), Some("198.51.100.0/24"));
        assert_eq!(r.param("x"), Some(""));
        assert_eq!(r.bearer(), Some("s3cret"));
        let r = req("POST /v1/neighbors/a/disable HTTP/1.1\r\nContent-Length: 17\r\n\r\n{\"message\":\"hi\"}\n");
        assert_eq!(r.body, b"{\"message\":\"hi\"}\n");
    }

    #[test]
    fn partial_oversized_and_malformed_requests() {
        assert_eq!(parse(b"GET /v1/summ").unwrap(), Parsed::Incomplete);
        assert_eq!(
            parse(b"POST /v1/reload HTTP/1.1\r\nContent-Length: 5\r\n\r\nab").unwrap(),
            Parsed::Incomplete
        );
        let huge = vec![b'a'; MAX_HEAD + 1];
        assert_eq!(parse(&huge).unwrap_err().code, ErrorCode::TooLarge);
        let mut long = b"GET /".to_vec();
        long.extend(vec![b'a'; MAX_HEAD + 1]);
        assert_eq!(parse(&long).unwrap_err().code, ErrorCode::TooLarge);
        let big = format!(
            "POST / HTTP/1.1\r\nContent-Length: {}\r\n\r\n",
            MAX_BODY + 1
        );
        assert_eq!(parse(big.as_bytes()).unwrap_err().code, ErrorCode::TooLarge);
        for bad in [
            "GET /a%zz HTTP/1.1\r\n\r\n",
            "GET /%ff HTTP/1.1\r\n\r\n",
            "GET * HTTP/1.1\r\n\r\n",
            "POST / HTTP/1.1\r\nContent-Length: x\r\n\r\n",
            "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
            "\x00\x01\x02 HTTP/1.1\r\n\r\n",
        ] {
            assert_eq!(
                parse(bad.as_bytes()).unwrap_err().code,
                ErrorCode::BadRequest,
                "{bad:?}"
            );
        }
    }

    #[test]
    fn answers_carry_length_and_close_and_read_back() {
        let r = error(&ApiError::new(ErrorCode::NotFound, "no neighbor \"x\""));
        let (status, body) = parse_response(&r).unwrap();
        assert_eq!(status, 404);
        let v: serde_json::Value = serde_json::from_slice(body).unwrap();
        assert_eq!(v["error"]["code"], "not_found");
        let text = String::from_utf8(r.clone()).unwrap();
        assert!(text.contains("Connection: close\r\n"));
        assert!(text.contains(&format!("Content-Length: {}\r\n", body.len())));
        let r = error(&ApiError::new(ErrorCode::Unauthorized, "token"));
        assert!(String::from_utf8(r)
            .unwrap()
            .contains("WWW-Authenticate: Bearer"));
    }
}
