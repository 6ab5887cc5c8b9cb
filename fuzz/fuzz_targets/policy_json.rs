//! The trust-document JSON parser and the policy model: `policy::json::parse` with raw and table offset maps,
//! `parse_str` on a literal, then `policy::build` as an identity policy and as a trust policy.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trustlint::policy::{build, json};
use trustlint::source::{FileId, Span};
use trustlint::value::Str;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let raw = json::RawMap {
        file: FileId(0),
        base: 3,
    };
    if let Ok(v) = json::parse(text, &raw) {
        let _ = build::document_from_value(&v);
        let _ = build::trust_document_from_value(&v);
    }
    // A table map as for escaped strings: every decoded byte maps to an increasing source offset.
    let table = json::TableMap {
        file: FileId(0),
        table: (0..=text.len() as u32).map(|i| i * 2).collect(),
    };
    let _ = json::parse(text, &table);
    let lit = Str::lit(text.to_string(), Some(Span::new(FileId(0), 10, 10 + text.len())));
    if let Ok(v) = json::parse_str(&lit) {
        let doc = build::trust_document_from_value(&v);
        let _ = build::statements_without_principal(&doc).count();
    }
});
