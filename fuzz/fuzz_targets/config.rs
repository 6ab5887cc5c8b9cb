//! The `.trustlint.yml` parser.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(c) = trustlint::config::Config::parse(text, Path::new(".trustlint.yml")) {
            let _ = c.rule_enabled("TL001");
            let _ = c.is_trusted_account("111111111111");
        }
    }
});
