use std::alloc::{GlobalAlloc, Layout};
use std::ffi::c_void;

// A scan allocates many small, short-lived values on several threads; mimalloc does that markedly faster than
// the system allocator (see the README's "Performance" section).
#[global_allocator]
static GLOBAL: MiMalloc = MiMalloc;

/// mimalloc, called the way its own aligned path ends up calling itself: a block of at least 16 bytes is
/// 16-byte aligned and a smaller one is aligned to its size, so a layout asking no more than that takes the
/// plain (faster) allocation; only larger alignments go through the aligned entry points.
struct MiMalloc;

/// The alignment every mimalloc block of at least this size has (`MI_MAX_ALIGN_SIZE`).
const PLAIN_ALIGN: usize = 16;

fn plain(align: usize, size: usize) -> bool {
    align <= PLAIN_ALIGN && align <= size
}

// SAFETY: each call forwards to the mimalloc function with the contract GlobalAlloc asks for: blocks of at
// least the size, aligned as the layout says (directly, or by the guarantee above), freed with mi_free.
unsafe impl GlobalAlloc for MiMalloc {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if plain(layout.align(), layout.size()) {
            libmimalloc_sys::mi_malloc(layout.size()).cast()
        } else {
            libmimalloc_sys::mi_malloc_aligned(layout.size(), layout.align()).cast()
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if plain(layout.align(), layout.size()) {
            libmimalloc_sys::mi_zalloc(layout.size()).cast()
        } else {
            libmimalloc_sys::mi_zalloc_aligned(layout.size(), layout.align()).cast()
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        libmimalloc_sys::mi_free(ptr.cast::<c_void>());
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if plain(layout.align(), new_size) {
            libmimalloc_sys::mi_realloc(ptr.cast::<c_void>(), new_size).cast()
        } else {
            libmimalloc_sys::mi_realloc_aligned(ptr.cast::<c_void>(), new_size, layout.align())
                .cast()
        }
    }
}

fn main() {
    let code = trustlint::cli::run(std::env::args().skip(1).collect());
    std::process::exit(code);
}
