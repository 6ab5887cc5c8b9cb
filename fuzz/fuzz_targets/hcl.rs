//! The Terraform front end through the whole pipeline: `.tf` text (several files and module directories with
//! `#@ path` lines), parsed, evaluated, judged and reported. The parser alone runs first on the raw bytes so
//! that syntax errors are cheap.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trustlint::source::SourceMap;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let map = SourceMap::new();
        let f = map.add("fuzz.tf".into(), "fuzz.tf".into(), text.to_string());
        let _ = trustlint::terraform::module::parse_hcl(&f);
    }
    trustlint_fuzz::scan_one(data, "main.tf");
});
