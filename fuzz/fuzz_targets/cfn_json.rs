//! The CloudFormation JSON front end through the whole pipeline: a `.json` template (plus any `#@ path`
//! files), loaded, evaluated, judged and reported.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    trustlint_fuzz::scan_one(data, "template.json");
});
