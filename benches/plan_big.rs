//! Plan JSON benchmark (SPEC §6: a 200 MB plan in under 3 s on 2 cores, peak memory under 3× the file size).
//!
//! Generates a minified plan like `terraform show -json` writes (variables, planned values of nested modules,
//! resource changes with `before`/`after`/`after_unknown`, prior state with data sources, configuration with
//! expressions), about 200 MB with about 2% IAM resources, under `target/plan-bench/` (never committed). Each
//! measurement runs in a child process, which reports its wall time and peak resident memory (`VmHWM` from
//! `/proc/self/status`):
//! - the plan front end as the scan runs it for a `.json` file (read, recognise, source map with its line index,
//!   `plan::analyze_source`), several times: what this front end controls;
//! - the whole scan (rules, suppressions, sorting included) once, stopped after a time limit.
//!
//! `cargo bench --bench plan_big [-- MEGABYTES [RUNS [SCAN_LIMIT_SECONDS]]]` (default 200 MB, 3 runs, 60 s).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const CHILD_ENV: &str = "TRUSTLINT_PLAN_BENCH_FILE";
const MODE_ENV: &str = "TRUSTLINT_PLAN_BENCH_MODE";

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Values of a big non-IAM resource (what dominates real plans).
fn instance_values(i: usize, out: &mut String) {
    let _ = write!(
        out,
        r#"{{"ami":"ami-{i:017x}","arn":null,"associate_public_ip_address":false,"availability_zone":"eu-west-1a","credit_specification":[],"disable_api_termination":false,"ebs_block_device":[{{"delete_on_termination":true,"device_name":"/dev/sdb","encrypted":true,"volume_size":{vs},"volume_type":"gp3"}}],"ebs_optimized":true,"get_password_data":false,"iam_instance_profile":"profile-{m}","instance_type":"m5.large","key_name":"deploy","monitoring":true,"root_block_device":[{{"delete_on_termination":true,"encrypted":true,"volume_size":50,"volume_type":"gp3"}}],"source_dest_check":true,"subnet_id":"subnet-{i:08x}","tags":{{"Name":"node-{i}","env":"prod","owner":"team-{m}","cost-center":"cc-{cc}","description":"a node of the fleet with a fairly long description to make values realistic \"quoted\" and all"}},"tags_all":{{"Name":"node-{i}","env":"prod","owner":"team-{m}","cost-center":"cc-{cc}"}},"timeouts":null,"user_data":"{ud}","volume_tags":null,"vpc_security_group_ids":["sg-{i:08x}","sg-{j:08x}"]}}"#,
        vs = 100 + i % 400,
        m = i % 97,
        cc = i % 13,
        j = i.wrapping_mul(7919),
        ud = "IyEvYmluL2Jhc2gKZWNobyBoZWxsbyB3b3JsZAo=".repeat(8),
    );
}

fn trust_policy(i: usize) -> String {
    let acct = format!("{:012}", 200_000_000_000u64 + (i % 50) as u64);
    let doc = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{{"AWS":"arn:aws:iam::{acct}:root"}},"Condition":{{"StringEquals":{{"sts:ExternalId":"ext-{i}"}}}}}},{{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{{"Service":"ecs-tasks.amazonaws.com"}}}}]}}"#
    );
    // As a JSON string value: escaped.
    serde_json::to_string(&doc).unwrap_or_default()
}

fn role_values(i: usize, out: &mut String) {
    let _ = write!(
        out,
        r#"{{"assume_role_policy":{tp},"description":"role {i}","force_detach_policies":false,"inline_policy":[{{"name":"inline-{i}","policy":{pol}}}],"max_session_duration":3600,"name":"role-{i}","path":"/","permissions_boundary":null,"tags":{{"owner":"team-{m}"}},"tags_all":{{"owner":"team-{m}"}}}}"#,
        tp = trust_policy(i),
        pol = serde_json::to_string(&format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":["s3:GetObject"],"Resource":"arn:aws:s3:::bucket-{i}/*"}}]}}"#
        ))
        .unwrap_or_default(),
        m = i % 97,
    );
}

struct Res {
    module: Option<String>,
    address: String,
    type_: &'static str,
    name: String,
    index: Option<String>,
    values: String,
}

fn resources(target_bytes: usize) -> Vec<Res> {
    let mut out = Vec::new();
    let mut size = 0usize;
    let mut i = 0usize;
    while size < target_bytes {
        let module = if i.is_multiple_of(3) {
            None
        } else {
            Some(format!("module.svc_{}[\"{}\"]", i % 40, i % 5))
        };
        let prefix = module.as_ref().map(|m| format!("{m}.")).unwrap_or_default();
        let (type_, name, index, mut values) = if i % 50 == 7 {
            let mut v = String::new();
            role_values(i, &mut v);
            (
                "aws_iam_role",
                format!("r{i}"),
                Some(format!("[\"k{i}\"]")),
                v,
            )
        } else {
            let mut v = String::new();
            instance_values(i, &mut v);
            ("aws_instance", format!("node{i}"), None, v)
        };
        values.shrink_to_fit();
        let address = format!(
            "{prefix}{type_}.{name}{}",
            index.as_deref().unwrap_or_default()
        );
        // planned_values + resource_changes after + configuration: about three copies.
        size += values.len() * 2 + address.len() * 3 + 600;
        out.push(Res {
            module,
            address,
            type_,
            name,
            index,
            values,
        });
        i += 1;
    }
    out
}

fn json_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

fn generate(path: &Path, megabytes: usize) -> std::io::Result<()> {
    let res = resources(megabytes * 1_000_000);
    let mut s = String::with_capacity(megabytes * 1_050_000);
    s.push_str(r#"{"format_version":"1.2","terraform_version":"1.9.5","variables":{"region":{"value":"eu-west-1"},"peer_accounts":{"value":["200000000000","200000000001"]}},"planned_values":{"root_module":{"resources":["#);
    let write_resource = |s: &mut String, r: &Res| {
        let _ = write!(
            s,
            r#"{{"address":{},"mode":"managed","type":"{}","name":"{}",{}"provider_name":"registry.terraform.io/hashicorp/aws","schema_version":1,"values":{},"sensitive_values":{{"tags":{{}}}}}}"#,
            json_str(&r.address),
            r.type_,
            r.name,
            r.index
                .as_ref()
                .map(|k| format!(
                    "\"index\":{},",
                    json_str(k.trim_matches(['[', ']']).trim_matches('"'))
                ))
                .unwrap_or_default(),
            r.values
        );
    };
    let mut first = true;
    for r in res.iter().filter(|r| r.module.is_none()) {
        if !first {
            s.push(',');
        }
        first = false;
        write_resource(&mut s, r);
    }
    s.push_str(r#"],"child_modules":["#);
    let mut modules: Vec<&String> = res.iter().filter_map(|r| r.module.as_ref()).collect();
    modules.sort();
    modules.dedup();
    for (mi, m) in modules.iter().enumerate() {
        if mi > 0 {
            s.push(',');
        }
        let _ = write!(s, r#"{{"address":{},"resources":["#, json_str(m));
        let mut first = true;
        for r in res.iter().filter(|r| r.module.as_ref() == Some(*m)) {
            if !first {
                s.push(',');
            }
            first = false;
            write_resource(&mut s, r);
        }
        s.push_str("]}");
    }
    s.push_str(r#"]}},"resource_changes":["#);
    for (k, r) in res.iter().enumerate() {
        if k > 0 {
            s.push(',');
        }
        let _ = write!(
            s,
            r#"{{"address":{},{}"mode":"managed","type":"{}","name":"{}","provider_name":"registry.terraform.io/hashicorp/aws","change":{{"actions":["create"],"before":null,"after":{},"after_unknown":{{"arn":true,"id":true,"tags_all":{{}}}},"before_sensitive":false,"after_sensitive":{{"tags":{{}}}}}}}}"#,
            json_str(&r.address),
            r.module
                .as_ref()
                .map(|m| format!("\"module_address\":{},", json_str(m)))
                .unwrap_or_default(),
            r.type_,
            r.name,
            r.values
        );
    }
    s.push_str(r#"],"prior_state":{"format_version":"1.0","terraform_version":"1.9.5","values":{"root_module":{"resources":[{"address":"data.aws_caller_identity.current","mode":"data","type":"aws_caller_identity","name":"current","provider_name":"registry.terraform.io/hashicorp/aws","schema_version":0,"values":{"account_id":"111122223333","arn":"arn:aws:iam::111122223333:user/ci","id":"111122223333","user_id":"AIDAEXAMPLE"},"sensitive_values":{}}]}}},"configuration":{"provider_config":{"aws":{"name":"aws","full_name":"registry.terraform.io/hashicorp/aws"}},"root_module":{"resources":["#);
    let config_resource = |s: &mut String, r: &Res| {
        let exprs = if r.type_ == "aws_iam_role" {
            r#"{"assume_role_policy":{},"name":{"constant_value":"x"},"inline_policy":[{"name":{"constant_value":"i"},"policy":{}}],"tags":{"references":["local.tags"]}}"#
        } else {
            r#"{"ami":{"references":["data.aws_ami.al2.id","data.aws_ami.al2"]},"instance_type":{"references":["var.instance_type"]},"tags":{"references":["local.tags"]}}"#
        };
        let _ = write!(
            s,
            r#"{{"address":"{}.{}","mode":"managed","type":"{}","name":"{}","provider_config_key":"aws","expressions":{},"schema_version":1}}"#,
            r.type_, r.name, r.type_, r.name, exprs
        );
    };
    let mut first = true;
    for r in res.iter().filter(|r| r.module.is_none()) {
        if !first {
            s.push(',');
        }
        first = false;
        config_resource(&mut s, r);
    }
    s.push_str(r#"],"module_calls":{"#);
    let mut calls: Vec<String> = modules
        .iter()
        .filter_map(|m| {
            m.strip_prefix("module.")
                .and_then(|x| x.split('[').next())
                .map(str::to_string)
        })
        .collect();
    calls.sort();
    calls.dedup();
    for (ci, c) in calls.iter().enumerate() {
        if ci > 0 {
            s.push(',');
        }
        let _ = write!(
            s,
            r#""{c}":{{"source":"./modules/{c}","expressions":{{"name":{{"references":["each.key"]}}}},"for_each_expression":{{"references":["var.services"]}},"module":{{"resources":["#
        );
        let mut first = true;
        let mut seen = std::collections::HashSet::new();
        for r in res.iter().filter(|r| {
            r.module
                .as_ref()
                .is_some_and(|m| m.starts_with(&format!("module.{c}[")))
        }) {
            if !seen.insert((r.type_, r.name.clone())) {
                continue;
            }
            if !first {
                s.push(',');
            }
            first = false;
            config_resource(&mut s, r);
        }
        s.push_str("]}}");
    }
    s.push_str(r#"}}},"timestamp":"2026-11-25T10:00:00Z","applyable":true,"complete":true,"errored":false}"#);
    std::fs::create_dir_all(path.parent().unwrap_or(Path::new(".")))?;
    std::fs::write(path, s)
}

/// The front end alone, as `lib.rs` runs it for a `.json` file: read, recognise, add to the source map (line
/// index), `plan::analyze_source`. Prints `ms rss_kib roles` and the breakdown.
fn child_frontend(path: &str) {
    let started = Instant::now();
    let t = Instant::now();
    let Ok(text) = std::fs::read_to_string(path) else {
        std::process::exit(2);
    };
    let read = t.elapsed();
    let t = Instant::now();
    let is_plan = trustlint::plan::looks_like_plan(&text);
    let detect = t.elapsed();
    let t = Instant::now();
    let sources = trustlint::source::SourceMap::new();
    let f = sources.add(path.into(), path.into(), text);
    let add = t.elapsed();
    let t = Instant::now();
    let inv = trustlint::plan::analyze_source(&f);
    let analyze = t.elapsed();
    let total = started.elapsed();
    let rss = peak_rss_kib().unwrap_or(0);
    // A reference point measured after the peak was taken: serde_json skipping the whole file.
    let t = Instant::now();
    let _ = serde_json::from_str::<serde::de::IgnoredAny>(&f.text);
    let skim = t.elapsed();
    println!(
        "{} {} {} | read {} ms, detect {} ms ({is_plan}), source map {} ms, plan front end {} ms; serde_json IgnoredAny over the file {} ms",
        total.as_millis(),
        rss,
        inv.roles.len(),
        read.as_millis(),
        detect.as_millis(),
        add.as_millis(),
        analyze.as_millis(),
        skim.as_millis(),
    );
}

/// The whole scan (front end, rules, suppressions). Prints `ms rss_kib roles findings`.
fn child_scan(path: &str) {
    let started = Instant::now();
    let out = match trustlint::scan_paths(&[PathBuf::from(path)], &Default::default()) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("scan failed: {e}");
            std::process::exit(2);
        }
    };
    println!(
        "{} {} {} {}",
        started.elapsed().as_millis(),
        peak_rss_kib().unwrap_or(0),
        out.inventory.roles.len(),
        out.findings.len()
    );
}

/// Runs this executable as a child in `mode`, killing it after `limit`. `None` on timeout.
fn run_child(exe: &Path, path: &Path, mode: &str, limit: Duration) -> Option<String> {
    let mut child = Command::new(exe)
        .env(CHILD_ENV, path)
        .env(MODE_ENV, mode)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .ok()?;
    let deadline = Instant::now() + limit;
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(50)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
        }
    }
    let out = child.wait_with_output().ok()?;
    Some(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn nums(line: &str) -> Vec<u64> {
    line.split('|')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .filter_map(|x| x.parse().ok())
        .collect()
}

fn main() {
    if let Ok(path) = std::env::var(CHILD_ENV) {
        match std::env::var(MODE_ENV).as_deref() {
            Ok("scan") => child_scan(&path),
            _ => child_frontend(&path),
        }
        return;
    }
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let megabytes: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(200);
    let runs: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(3);
    let scan_limit = Duration::from_secs(args.get(2).and_then(|a| a.parse().ok()).unwrap_or(60));
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/plan-bench");
    let path = dir.join(format!("plan-{megabytes}mb.json"));
    if !path.exists() {
        let t = Instant::now();
        if let Err(e) = generate(&path, megabytes) {
            eprintln!("cannot write {}: {e}", path.display());
            std::process::exit(2);
        }
        eprintln!("generated {} in {:?}", path.display(), t.elapsed());
    }
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    let Ok(exe) = std::env::current_exe() else {
        eprintln!("cannot find own executable");
        std::process::exit(2);
    };
    println!("plan {} ({:.1} MB)", path.display(), size as f64 / 1e6);
    let ratio = |kib: u64| (kib * 1024) as f64 / size.max(1) as f64;
    let mut times = Vec::new();
    let mut peak = 0u64;
    for run in 0..runs {
        let Some(line) = run_child(&exe, &path, "frontend", Duration::from_secs(600)) else {
            println!("front end run {}: did not finish", run + 1);
            continue;
        };
        let f = nums(&line);
        let (Some(ms), Some(rss)) = (f.first(), f.get(1)) else {
            println!("front end run {}: no result", run + 1);
            continue;
        };
        println!(
            "front end run {}: {ms} ms, peak RSS {:.1} MB ({:.2}x the file) {}",
            run + 1,
            *rss as f64 / 1024.0,
            ratio(*rss),
            line.split_once('|').map(|x| x.1).unwrap_or("")
        );
        times.push(*ms);
        peak = peak.max(*rss);
    }
    times.sort_unstable();
    if let Some(median) = times.get(times.len() / 2) {
        println!(
            "front end: median {median} ms, max peak RSS {:.1} MB ({:.2}x the file size)",
            peak as f64 / 1024.0,
            ratio(peak)
        );
    }
    match run_child(&exe, &path, "scan", scan_limit) {
        Some(line) => {
            let f = nums(&line);
            println!(
                "whole scan: {} ms, peak RSS {:.1} MB ({:.2}x), roles {}, findings {}",
                f.first().copied().unwrap_or(0),
                f.get(1).copied().unwrap_or(0) as f64 / 1024.0,
                ratio(f.get(1).copied().unwrap_or(0)),
                f.get(2).copied().unwrap_or(0),
                f.get(3).copied().unwrap_or(0)
            );
        }
        None => println!("whole scan: did not finish within {scan_limit:?}"),
    }
}
