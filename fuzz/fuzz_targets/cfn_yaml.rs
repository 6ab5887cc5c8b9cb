//! The CloudFormation YAML front end through the whole pipeline: a `.yaml` template (plus any `#@ path`
//! files), loaded, evaluated (intrinsics, conditions, mappings), judged and reported.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    trustlint_fuzz::scan_one(data, "template.yaml");
});
