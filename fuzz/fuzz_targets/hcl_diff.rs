//! Differential check of the Terraform HCL parsers: whenever the fast parser accepts a text, hcl-edit (the
//! reference) must accept it too and both must produce the same syntax tree, spans and string provenance
//! included. Declining is always allowed (the scanner then uses hcl-edit).
#![no_main]

use libfuzzer_sys::fuzz_target;
use trustlint::source::SourceMap;
use trustlint::terraform::{fastparse, module};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let map = SourceMap::new();
    let f = map.add("fuzz.tf".into(), "fuzz.tf".into(), text.to_string());
    let Some(fast) = fastparse::parse(f.id, &f.text) else {
        return;
    };
    match module::parse_hcl_reference(&f) {
        Ok(reference) => {
            let (a, b) = (format!("{fast:#?}"), format!("{reference:#?}"));
            if a != b {
                panic!("fast parser and hcl-edit disagree\n--- fast\n{a}\n--- hcl-edit\n{b}");
            }
        }
        Err(d) => panic!("the fast parser accepts what hcl-edit rejects: {d:?}"),
    }
});
