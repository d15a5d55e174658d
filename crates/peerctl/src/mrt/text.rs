//! A byte buffer for writing text lines fast: integers, IPv4 and IPv6 in
//! bgpdump's spelling, without `core::fmt`. The bgpdump-compatible printer
//! spends most of its time here, so this is deliberately plain.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// An output buffer of text lines.
#[derive(Default)]
pub struct Text {
    pub buf: Vec<u8>,
}

impl Text {
    pub fn str(&mut self, s: &str) {
        self.buf.extend_from_slice(s.as_bytes());
    }

    pub fn byte(&mut self, b: u8) {
        self.buf.push(b);
    }

    pub fn u32(&mut self, mut v: u32) {
        let mut tmp = [0u8; 10];
        let mut i = tmp.len();
        loop {
            i -= 1;
            tmp[i] = b'0' + (v % 10) as u8;
            v /= 10;
            if v == 0 {
                break;
            }
        }
        self.buf.extend_from_slice(&tmp[i..]);
    }

    pub fn i32(&mut self, v: i32) {
        if v < 0 {
            self.buf.push(b'-');
        }
        self.u32(v.unsigned_abs());
    }

    /// Six digits, zero-padded (microseconds).
    pub fn micros(&mut self, v: u32) {
        let mut tmp = [b'0'; 6];
        let mut v = v.min(999_999);
        for d in tmp.iter_mut().rev() {
            *d = b'0' + (v % 10) as u8;
            v /= 10;
        }
        self.buf.extend_from_slice(&tmp);
    }

    pub fn ipv4(&mut self, a: Ipv4Addr) {
        let o = a.octets();
        for (i, x) in o.iter().enumerate() {
            if i > 0 {
                self.buf.push(b'.');
            }
            self.u32(u32::from(*x));
        }
    }

    fn hex16(&mut self, v: u16) {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut started = false;
        for shift in [12u16, 8, 4, 0] {
            let d = ((v >> shift) & 0xf) as usize;
            if d != 0 || started || shift == 0 {
                self.buf.push(HEX[d]);
                started = true;
            }
        }
    }

    /// IPv6 as bgpdump prints it, which differs from RFC 5952 (and Rust's
    /// `Display`): the first longest run of zero groups becomes `::` even when
    /// it is a single group, and IPv4-compatible addresses (`::a.b.c.d`) are
    /// dotted like IPv4-mapped ones.
    pub fn ipv6(&mut self, a: Ipv6Addr) {
        let g = a.segments();
        let o = a.octets();
        let low = u32::from_be_bytes([o[12], o[13], o[14], o[15]]);
        if g[..5].iter().all(|&x| x == 0) && (g[5] == 0xffff || (g[5] == 0 && low > 1)) {
            self.str(if g[5] == 0xffff { "::ffff:" } else { "::" });
            self.ipv4(Ipv4Addr::from(low));
            return;
        }
        let (mut best, mut best_len, mut run) = (usize::MAX, 0, 0);
        for i in (0..8).rev() {
            run = if g[i] == 0 { run + 1 } else { 0 };
            if run > 0 && run >= best_len {
                best = i;
                best_len = run;
            }
        }
        let mut i = 0;
        while i < 8 {
            if i == best {
                self.str(if i == 0 { "::" } else { ":" });
                i += best_len;
                continue;
            }
            self.hex16(g[i]);
            if i != 7 {
                self.buf.push(b':');
            }
            i += 1;
        }
    }

    pub fn ip(&mut self, a: IpAddr) {
        match a {
            IpAddr::V4(a) => self.ipv4(a),
            IpAddr::V6(a) => self.ipv6(a),
        }
    }

    pub fn prefix(&mut self, p: peerd_wire::Prefix) {
        self.ip(p.addr());
        self.buf.push(b'/');
        self.u32(u32::from(p.len()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v6(s: &str) -> String {
        let mut t = Text::default();
        t.ipv6(s.parse().unwrap());
        String::from_utf8(t.buf).unwrap()
    }

    #[test]
    fn ipv6_in_bgpdump_spelling() {
        // bgpdump's own self-test cases (bgpdump -T).
        for s in [
            "fe80::",
            "2001:db8::1",
            "::ffff:192.168.2.1",
            "::192.168.1.2",
            "2001:7f8:30::2:1:0:8447",
        ] {
            assert_eq!(v6(s), s);
        }
        assert_eq!(v6("2001:7f8:30:0:2:1:0:8447"), "2001:7f8:30::2:1:0:8447");
        assert_eq!(v6("::"), "::");
        assert_eq!(v6("::1"), "::1");
        assert_eq!(v6("1:0:0:2:0:0:3:4"), "1::2:0:0:3:4");
    }

    #[test]
    fn numbers() {
        let mut t = Text::default();
        t.u32(0);
        t.byte(b' ');
        t.u32(u32::MAX);
        t.byte(b' ');
        t.i32(-5);
        t.byte(b' ');
        t.micros(42);
        assert_eq!(String::from_utf8(t.buf).unwrap(), "0 4294967295 -5 000042");
    }
}
