//! The Terraform plan front end through the whole pipeline: a `plan.json` (plus any `#@ path` files, such as
//! the `.tf` sources the plan is reconciled with), read, judged and reported.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    trustlint_fuzz::scan_one(data, "plan.json");
});
