//! A bounds-checked cursor over a byte slice.
//!
//! Every read returns `None` instead of panicking when the input is short, so a
//! decoder cannot index past the end of hostile input.

/// A forward-only cursor over borrowed bytes.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    buf: &'a [u8],
}

impl<'a> Reader<'a> {
    /// A cursor at the start of `buf`.
    pub fn new(buf: &'a [u8]) -> Self {
        Reader { buf }
    }

    /// Octets left.
    pub fn remaining(&self) -> usize {
        self.buf.len()
    }

    /// Whether nothing is left.
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// Everything left, without consuming it.
    pub fn rest(&self) -> &'a [u8] {
        self.buf
    }

    /// Reads one octet.
    pub fn u8(&mut self) -> Option<u8> {
        let (&b, rest) = self.buf.split_first()?;
        self.buf = rest;
        Some(b)
    }

    /// Reads a big-endian u16.
    pub fn u16(&mut self) -> Option<u16> {
        let b = self.array::<2>()?;
        Some(u16::from_be_bytes(b))
    }

    /// Reads a big-endian u32.
    pub fn u32(&mut self) -> Option<u32> {
        let b = self.array::<4>()?;
        Some(u32::from_be_bytes(b))
    }

    /// Reads `N` octets into an array.
    pub fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        let s = self.take(N)?;
        let mut out = [0u8; N];
        out.copy_from_slice(s);
        Some(out)
    }

    /// Reads `n` octets as a slice.
    pub fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if n > self.buf.len() {
            return None;
        }
        let (head, tail) = self.buf.split_at(n);
        self.buf = tail;
        Some(head)
    }
}
