//! Source files, spans and line/column maps.
//!
//! Every file trustlint reads goes through the [`SourceMap`] exactly once and gets a [`FileId`].
//! Byte offsets are converted to lines and columns here and nowhere else.

use std::any::Any;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, RwLock};

/// Distance between column checkpoints: counting characters from one costs at most this many bytes.
const CHECKPOINT_EVERY: usize = 4096;

/// Index of a file in the [`SourceMap`].
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct FileId(pub u32);

/// A byte range in one source file. Cheap to copy.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(file: FileId, start: usize, end: usize) -> Span {
        Span {
            file,
            start: start as u32,
            end: end.max(start) as u32,
        }
    }

    pub fn len(&self) -> usize {
        (self.end - self.start) as usize
    }

    pub fn is_empty(&self) -> bool {
        self.end == self.start
    }

    pub fn range(&self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }

    /// A sub-range of this span, given offsets relative to its start (clamped to the span).
    pub fn sub(&self, start: usize, end: usize) -> Span {
        let s = (self.start as usize + start).min(self.end as usize);
        let e = (self.start as usize + end).min(self.end as usize).max(s);
        Span::new(self.file, s, e)
    }

    /// The smallest span covering both (same file); `self` when files differ.
    pub fn join(&self, other: &Span) -> Span {
        if self.file != other.file {
            return *self;
        }
        Span::new(
            self.file,
            self.start.min(other.start) as usize,
            self.end.max(other.end) as usize,
        )
    }
}

/// A 1-based position. `col` counts characters, `col16` counts UTF-16 code units (SARIF).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Position {
    pub line: u32,
    pub col: u32,
    pub col16: u32,
}

/// One file read from disk (or produced from input such as `--var`).
#[derive(Debug)]
pub struct SourceFile {
    pub id: FileId,
    /// Absolute (or as given) path on disk.
    pub path: PathBuf,
    /// Path relative to the scan root, with `/` separators: what reports show.
    pub rel: String,
    pub text: String,
    /// Offsets of line starts, computed on first use: most scanned files never have a position reported.
    line_starts: OnceLock<Vec<u32>>,
    /// For files with long lines (a minified plan is one line): `(chars, utf16 units)` from the start of
    /// the file up to each multiple of [`CHECKPOINT_EVERY`] (rounded down to a char boundary), so a column
    /// costs a bounded count instead of a walk from the line start.
    checkpoints: OnceLock<Vec<(u32, u64, u64)>>,
}

impl SourceFile {
    fn new(id: FileId, path: PathBuf, rel: String, text: String) -> SourceFile {
        SourceFile {
            id,
            path,
            rel,
            text,
            line_starts: OnceLock::new(),
            checkpoints: OnceLock::new(),
        }
    }

    /// Never empty: the first line starts at 0.
    fn line_starts(&self) -> &[u32] {
        self.line_starts.get_or_init(|| {
            let mut out = vec![0u32];
            for (i, b) in self.text.bytes().enumerate() {
                if b == b'\n' {
                    out.push(i as u32 + 1);
                }
            }
            out
        })
    }

    /// The 1-based line of a byte offset (a binary search; no column counting).
    pub fn line_of(&self, offset: u32) -> u32 {
        match self
            .line_starts()
            .binary_search(&offset.min(self.text.len() as u32))
        {
            Ok(i) => i as u32 + 1,
            Err(i) => i.max(1) as u32,
        }
    }

    fn checkpoints(&self) -> &[(u32, u64, u64)] {
        self.checkpoints.get_or_init(|| {
            let mut out = Vec::with_capacity(self.text.len() / CHECKPOINT_EVERY + 1);
            let (mut chars, mut units) = (0u64, 0u64);
            let mut at = 0usize;
            out.push((0, 0, 0));
            while at < self.text.len() {
                let mut next = (at + CHECKPOINT_EVERY).min(self.text.len());
                while !self.text.is_char_boundary(next) {
                    next -= 1;
                }
                if next <= at {
                    break;
                }
                for c in self.text[at..next].chars() {
                    chars += 1;
                    units += c.len_utf16() as u64;
                }
                out.push((next as u32, chars, units));
                at = next;
            }
            out
        })
    }

    /// `(chars, utf16 units)` from the start of the file to `offset` (a char boundary).
    fn counts_to(&self, offset: usize) -> (u64, u64) {
        let cps = self.checkpoints();
        let i = match cps.binary_search_by_key(&(offset as u32), |c| c.0) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let (base, mut chars, mut units) = cps.get(i).copied().unwrap_or((0, 0, 0));
        for c in self.text[base as usize..offset].chars() {
            chars += 1;
            units += c.len_utf16() as u64;
        }
        (chars, units)
    }

    /// Line and columns (1-based) of a byte offset. Offsets inside a UTF-8 sequence are rounded down.
    pub fn position(&self, offset: u32) -> Position {
        let offset = (offset as usize).min(self.text.len());
        let mut offset = offset;
        while offset > 0 && !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let starts = self.line_starts();
        let line_idx = match starts.binary_search(&(offset as u32)) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let line_start = starts[line_idx] as usize; // ok: index from binary_search on a non-empty vec
        let (col, col16) = if offset - line_start <= CHECKPOINT_EVERY {
            let prefix = &self.text[line_start..offset];
            (
                prefix.chars().count() as u32 + 1,
                prefix.encode_utf16().count() as u32 + 1,
            )
        } else {
            let (c0, u0) = self.counts_to(line_start);
            let (c1, u1) = self.counts_to(offset);
            ((c1 - c0) as u32 + 1, (u1 - u0) as u32 + 1)
        };
        Position {
            line: line_idx as u32 + 1,
            col,
            col16,
        }
    }

    /// The text of a 1-based line, without its line terminator.
    pub fn line_text(&self, line: u32) -> &str {
        let idx = line.saturating_sub(1) as usize;
        let starts = self.line_starts();
        let Some(&start) = starts.get(idx) else {
            return "";
        };
        let end = starts
            .get(idx + 1)
            .map(|&e| e as usize)
            .unwrap_or(self.text.len());
        self.text[start as usize..end].trim_end_matches(['\n', '\r'])
    }

    pub fn line_count(&self) -> usize {
        self.line_starts().len()
    }

    /// Byte offset of the start of a 1-based line (clamped).
    pub fn line_start(&self, line: u32) -> usize {
        let starts = self.line_starts();
        let idx = (line.saturating_sub(1) as usize).min(starts.len() - 1);
        starts[idx] as usize // ok: clamped index into a non-empty vec
    }

    /// Byte offset of a 1-based line and 0-based character column (what YAML markers give).
    pub fn offset_of_line_char(&self, line: u32, col_chars: usize) -> usize {
        let start = self.line_start(line);
        let rest = &self.text[start..];
        let mut off = start;
        for (n, (i, c)) in rest.char_indices().enumerate() {
            if n == col_chars || c == '\n' {
                return start + i;
            }
            off = start + i + c.len_utf8();
        }
        off
    }

    pub fn slice(&self, span: Span) -> &str {
        self.text.get(span.range()).unwrap_or("")
    }

    pub fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.id, start, end)
    }

    /// A span covering the whole file.
    pub fn whole(&self) -> Span {
        Span::new(self.id, 0, self.text.len())
    }
}

/// All files of one scan. Thread-safe: front ends add files (tfvars, `file()` targets) while running in parallel.
#[derive(Debug, Default)]
pub struct SourceMap {
    files: RwLock<Vec<Arc<SourceFile>>>,
    derived: Derived,
}

/// What front ends derived from the files (syntax trees) and leave to live as long as the files do. Freeing a
/// large tree's syntax trees node by node costs about as much as building them; kept here, they go with the
/// scan's output, which the command line never frees before it exits.
#[derive(Default)]
struct Derived(Mutex<Vec<Box<dyn Any + Send + Sync>>>);

impl std::fmt::Debug for Derived {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Derived")
    }
}

impl SourceMap {
    pub fn new() -> SourceMap {
        SourceMap::default()
    }

    /// Adds a file; `rel` is the path shown in reports.
    pub fn add(&self, path: PathBuf, rel: String, text: String) -> Arc<SourceFile> {
        let mut files = self.files.write().unwrap_or_else(|e| e.into_inner());
        let id = FileId(files.len() as u32);
        let file = Arc::new(SourceFile::new(id, path, rel, text));
        files.push(file.clone());
        file
    }

    /// The file for an id. Ids only come from [`SourceMap::add`], so a miss is a programming error; an empty
    /// placeholder is returned instead of panicking.
    pub fn get(&self, id: FileId) -> Arc<SourceFile> {
        let files = self.files.read().unwrap_or_else(|e| e.into_inner());
        match files.get(id.0 as usize) {
            Some(f) => f.clone(),
            None => Arc::new(SourceFile::new(
                id,
                PathBuf::new(),
                String::new(),
                String::new(),
            )),
        }
    }

    /// Keeps something derived from the files (see [`Derived`]) until the map is dropped.
    pub fn keep(&self, derived: Box<dyn Any + Send + Sync>) {
        self.derived
            .0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(derived);
    }

    pub fn find_by_path(&self, path: &Path) -> Option<Arc<SourceFile>> {
        let files = self.files.read().unwrap_or_else(|e| e.into_inner());
        files.iter().find(|f| f.path == path).cloned()
    }

    pub fn all(&self) -> Vec<Arc<SourceFile>> {
        self.files.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn len(&self) -> usize {
        self.files.read().unwrap_or_else(|e| e.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn position(&self, id: FileId, offset: u32) -> Position {
        self.get(id).position(offset)
    }
}

#[cfg(test)]
mod tests;

/// Reads a whole file. Small files (nearly all of a scan) go through a per-thread buffer and are copied out
/// at their exact size, which spares `std::fs::read`'s `statx` per file; a large one is sized once it is
/// known to be large.
pub fn read_file(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    const SMALL: usize = 64 * 1024;
    thread_local! {
        static SCRATCH: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    let mut f = std::fs::File::open(path)?;
    SCRATCH.with_borrow_mut(|buf| {
        buf.clear();
        buf.reserve(SMALL);
        let n = (&mut f).take(SMALL as u64).read_to_end(buf)?;
        if n < SMALL {
            return Ok(buf.to_vec());
        }
        let size = f.metadata().map(|m| m.len()).unwrap_or(0);
        let mut out = Vec::with_capacity(usize::try_from(size).unwrap_or(0).max(n));
        out.extend_from_slice(buf);
        f.read_to_end(&mut out)?;
        Ok(out)
    })
}
