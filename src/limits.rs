//! Guards shared by the parsers of untrusted input.
//!
//! trustlint reads pull requests from strangers. Every parser that recurses per nesting level (saphyr's
//! loader, jsonc-parser, serde_json, our own tree walkers) must see input whose depth was checked first by a
//! cheap scan that does not recurse itself, so no input can overflow the stack: a thread with a bigger stack
//! would only move the limit. The scans here are linear, allocate nothing, and stop at the first level too
//! deep.

/// Deepest nesting accepted in a configuration file (real ones are three levels deep).
pub const CONFIG_MAX_DEPTH: usize = 64;

/// Longest string a Terraform function may build (`replace` and `join` can grow text quadratically).
pub const MAX_STRING_BYTES: usize = 16 << 20;

/// Whether a string built by a function has grown past [`MAX_STRING_BYTES`], counting its parts too (each
/// carries spans and hops).
pub fn str_too_long(s: &crate::value::Str) -> bool {
    s.text.len() + 64 * s.parts.len() > MAX_STRING_BYTES
}

/// Where input nests deeper than allowed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TooDeep {
    /// Byte offset of the opening that goes one level too deep.
    pub offset: usize,
    /// 1-based line and column (characters) of that opening.
    pub line: usize,
    pub column: usize,
    pub max: usize,
}

impl std::fmt::Display for TooDeep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "nesting deeper than {} levels", self.max)
    }
}

/// Checks YAML nesting (block and flow collections) by walking saphyr-parser's events, which — unlike its
/// loader — do not recurse. Alias events are not expanded: the loaders bound expansion separately. Syntax
/// errors are left to the real parser (`Ok`).
pub fn check_yaml_depth(text: &str, max: usize) -> Result<(), TooDeep> {
    use saphyr_parser::{Event, Parser};
    let mut depth = 0usize;
    for ev in Parser::new_from_str(text) {
        let Ok((ev, span)) = ev else {
            return Ok(());
        };
        match ev {
            Event::SequenceStart(..) | Event::MappingStart(..) => {
                depth += 1;
                if depth > max {
                    let line = span.start.line();
                    let column = span.start.col() + 1;
                    return Err(TooDeep {
                        offset: byte_offset(text, span.start.index()),
                        line,
                        column,
                        max,
                    });
                }
            }
            Event::SequenceEnd | Event::MappingEnd => depth = depth.saturating_sub(1),
            Event::StreamEnd => break,
            _ => {}
        }
    }
    Ok(())
}

/// Byte offset of a character index.
fn byte_offset(text: &str, chars: usize) -> usize {
    text.char_indices()
        .nth(chars)
        .map(|(i, _)| i)
        .unwrap_or(text.len())
}

/// Checks JSON nesting (`[` and `{` outside strings). Anything that is not JSON is scanned the same way, which
/// only errs on the safe side.
pub fn check_json_depth(text: &str, max: usize) -> Result<(), TooDeep> {
    let b = text.as_bytes();
    let mut depth = 0usize;
    let mut in_str = false;
    let mut escaped = false;
    for (i, &c) in b.iter().enumerate() {
        if in_str {
            if escaped {
                escaped = false;
            } else if c == b'\\' {
                escaped = true;
            } else if c == b'"' {
                in_str = false;
            }
            continue;
        }
        match c {
            b'"' => in_str = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > max {
                    let (line, column) = line_col(text, i);
                    return Err(TooDeep {
                        offset: i,
                        line,
                        column,
                        max,
                    });
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// 1-based line and character column of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut off = offset.min(text.len());
    while off > 0 && !text.is_char_boundary(off) {
        off -= 1;
    }
    let before = &text[..off]; // ok: `off` is a char boundary within the text
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let column = before[line_start..].chars().count() + 1; // ok: after a '\n', a char boundary
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_block_and_flow_depths_are_counted() {
        assert_eq!(check_yaml_depth("a: [1, {b: c}]\n", 3), Ok(()));
        let e = check_yaml_depth("a: [1, {b: c}]\n", 2).unwrap_err();
        assert_eq!((e.line, e.column, e.offset), (1, 8, 7));
        let deep = "- ".repeat(100_000) + "x\n";
        let e = check_yaml_depth(&deep, 64).unwrap_err();
        assert_eq!((e.line, e.column), (1, 129));
        assert_eq!(e.to_string(), "nesting deeper than 64 levels");
        let nested = "a:\n  b:\n    c: [x]\n";
        assert!(check_yaml_depth(nested, 4).is_ok());
        assert_eq!(check_yaml_depth(nested, 3).unwrap_err().line, 3);
    }

    #[test]
    fn yaml_offsets_are_bytes() {
        let e = check_yaml_depth("é: [[x]]\n", 2).unwrap_err();
        assert_eq!((e.offset, e.column), (5, 5));
    }

    #[test]
    fn yaml_syntax_errors_are_left_to_the_parser() {
        assert_eq!(check_yaml_depth("a: ]\n", 1), Ok(()));
    }

    #[test]
    fn json_brackets_inside_strings_do_not_count() {
        assert!(check_json_depth(r#"{"a": "[[[[\"{{{"}"#, 1).is_ok());
        let e = check_json_depth("{\n  \"a\": [[1]]}", 2).unwrap_err();
        assert_eq!((e.offset, e.line, e.column), (10, 2, 9));
        let deep = "[".repeat(100_000);
        assert_eq!(check_json_depth(&deep, 256).unwrap_err().offset, 256);
    }
}
