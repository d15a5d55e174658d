//! A global allocator that counts the bytes and blocks alive, so that the
//! RIB benchmark can say what a table costs per route (`rib.rs`). The
//! counts are per thread — what the thread allocated less what it freed —
//! so tests running beside the benchmark do not disturb it (the engine runs
//! on the benchmark's thread).
//!
//! The only `unsafe` in the benchmark: `GlobalAlloc` is an unsafe trait.
//! Each method forwards to the system allocator unchanged and only adds or
//! subtracts the size it was given.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

/// Counts live bytes and blocks.
pub struct Counting;

thread_local! {
    // `const` and without destructors: reading them never allocates.
    static BYTES: Cell<isize> = const { Cell::new(0) };
    static BLOCKS: Cell<isize> = const { Cell::new(0) };
    static CHUNKS: Cell<isize> = const { Cell::new(0) };
}

fn add(c: &'static std::thread::LocalKey<Cell<isize>>, n: isize) {
    // During thread teardown the counter may be gone: then nothing counts.
    let _ = c.try_with(|x| x.set(x.get() + n));
}

fn get(c: &'static std::thread::LocalKey<Cell<isize>>) -> isize {
    c.try_with(Cell::get).unwrap_or(0)
}

/// What glibc's malloc takes for a block of `size` octets: an 8-octet
/// header, rounded up to 16, at least 32 (malloc/malloc.c, `request2size`).
fn chunk(size: usize) -> isize {
    ((size + 8 + 15) & !15).max(32) as isize
}

/// Counts a new block of `size` octets at `p` (if the allocation worked).
fn counted(p: *mut u8, size: usize) -> *mut u8 {
    if !p.is_null() {
        add(&BYTES, size as isize);
        add(&CHUNKS, chunk(size));
        add(&BLOCKS, 1);
    }
    p
}

// SAFETY: every call goes to `System` with the caller's arguments as they
// came; the counters have no effect on memory.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        counted(unsafe { System.alloc(layout) }, layout.size())
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        add(&BYTES, -(layout.size() as isize));
        add(&CHUNKS, -chunk(layout.size()));
        add(&BLOCKS, -1);
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        counted(unsafe { System.alloc_zeroed(layout) }, layout.size())
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            add(&BYTES, new_size as isize - layout.size() as isize);
            add(&CHUNKS, chunk(new_size) - chunk(layout.size()));
        }
        p
    }
}

/// What is alive now.
#[derive(Debug, Clone, Copy)]
pub struct Live {
    /// Bytes asked for.
    pub bytes: isize,
    /// Blocks.
    pub blocks: isize,
    /// What the blocks take in malloc's heap (headers and rounding).
    pub charged: isize,
}

impl Live {
    /// Now, on this thread.
    pub fn now() -> Live {
        Live {
            bytes: get(&BYTES),
            blocks: get(&BLOCKS),
            charged: get(&CHUNKS),
        }
    }
}
