//! Terraform that tries to make evaluation loop, explode or read what it must not: cyclic locals, modules that
//! call themselves, values that double at every step, `count` on self-calling modules, and `file()` /
//! `templatefile()` aimed outside the scan root.

mod hostile_support;
use hostile_support::*;

#[test]
fn cyclic_locals_are_unresolved() {
    let d = tempdir();
    write(
        d.path(),
        "main.tf",
        format!(
            "locals {{\n  a = local.b\n  b = local.c\n  c = \"${{local.a}}x\"\n  self = [local.self]\n}}\n{}{}",
            role("r", "jsonencode({ Version = \"2012-10-17\", Statement = [{ Effect = \"Allow\", Action = \"sts:AssumeRole\", Principal = { AWS = local.a } }] })"),
            role("s", "jsonencode({ Version = \"2012-10-17\", Statement = [{ Effect = \"Allow\", Action = \"sts:AssumeRole\", Principal = { AWS = local.self } }] })"),
        ),
    );
    let run = scan(d.path(), &[]);
    assert!(run.has("TL901", "cycle"), "{:#?}", run.messages());
}

#[test]
fn modules_calling_themselves_are_unresolved() {
    let d = tempdir();
    write(
        d.path(),
        "self/main.tf",
        format!(
            "module \"me\" {{\n  source = \"./\"\n  count  = 1000\n}}\noutput \"o\" {{\n  value = module.me[0].o\n}}\n{}",
            role("r", TRUST_ACCOUNT)
        ),
    );
    write(
        d.path(),
        "a/main.tf",
        "module \"b\" {\n  source = \"../b\"\n}\noutput \"o\" {\n  value = module.b.o\n}\n",
    );
    write(
        d.path(),
        "b/main.tf",
        format!(
            "module \"a\" {{\n  source = \"../a\"\n}}\noutput \"o\" {{\n  value = module.a.o\n}}\n{}",
            role("b", "jsonencode({ Version = \"2012-10-17\", Statement = [{ Effect = \"Allow\", Action = \"sts:AssumeRole\", Principal = { AWS = module.a.o } }] })")
        ),
    );
    let run = scan(d.path(), &[]);
    assert!(
        run.has("TL901", "cyclic module call"),
        "{:#?}",
        run.messages()
    );
    // The self-calling module is still analysed as a root; its thousand would-be instances give one
    // diagnostic per call, not one per instance.
    assert!(
        run.rule("TL010")
            .iter()
            .any(|f| f["file"] == "self/main.tf"),
        "{:#?}",
        run.messages()
    );
    assert!(run.findings.len() < 50, "{} findings", run.findings.len());
}

#[test]
fn counted_modules_cannot_multiply_without_bound() {
    let d = tempdir();
    write(
        d.path(),
        "main.tf",
        "module \"m\" {\n  source = \"./m\"\n  count  = 1000\n}\n",
    );
    write(
        d.path(),
        "m/main.tf",
        format!(
            "module \"n\" {{\n  source = \"../n\"\n  count  = 1000\n}}\n{}",
            role("m", TRUST_ACCOUNT)
        ),
    );
    write(d.path(), "n/main.tf", role("n", TRUST_ACCOUNT));
    let run = scan(d.path(), &[]);
    assert!(
        run.has("TL901", "module instances; the rest is not analysed"),
        "{:#?}",
        run.messages().iter().take(5).collect::<Vec<_>>()
    );
}

fn doubling(step: &str) -> String {
    let mut s = String::from("locals {\n  a0 = \"xx\"\n");
    for i in 1..64 {
        s.push_str(&format!(
            "  a{i} = {}\n",
            step.replace('P', &format!("local.a{}", i - 1))
        ));
    }
    s.push_str("}\n");
    s.push_str(&role(
        "r",
        "jsonencode({ Version = \"2012-10-17\", Statement = [{ Effect = \"Allow\", Action = \"sts:AssumeRole\", Principal = { AWS = local.a63 } }] })",
    ));
    s
}

#[test]
fn values_that_double_at_every_step_exhaust_a_budget_not_memory() {
    let d = tempdir();
    for (name, step) in [
        ("lists", "[P, P]"),
        ("strings", "\"${P}${P}\""),
        ("json", "jsonencode([P, P])"),
        ("format", "format(\"%s%s\", P, P)"),
        ("concat", "concat([P], [P])"),
        ("replace", "replace(P, \"x\", P)"),
        ("join", "join(P, [P, P, P])"),
    ] {
        write(d.path(), &format!("{name}/main.tf"), doubling(step));
    }
    let run = scan(d.path(), &[]);
    for name in ["lists", "strings", "json", "format", "concat"] {
        let file = format!("{name}/main.tf");
        assert!(
            run.rule("TL901").iter().any(|f| f["file"] == file.as_str()
                && f["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("too large")
                        || m.contains("too long")
                        || m.contains("budget"))),
            "{name}: {:#?}",
            run.messages()
        );
    }
    for name in ["replace", "join"] {
        let file = format!("{name}/main.tf");
        assert!(
            run.rule("TL901").iter().any(|f| f["file"] == file.as_str()
                && f["message"].as_str().is_some_and(|m| {
                    m.contains("too large") || m.contains("too long") || m.contains("budget")
                })),
            "{name}: {:#?}",
            run.messages()
        );
    }
}

#[test]
fn exponential_re_evaluation_of_inputs_ends() {
    // In a directory nobody calls, `count` is checked against the variables as inputs, which evaluates without
    // the memo: each local would be evaluated twice per level.
    let d = tempdir();
    let mut s = String::from("variable \"v\" {\n  default = 1\n}\nlocals {\n  a0 = var.v\n");
    for i in 1..64 {
        s.push_str(&format!("  a{i} = local.a{} + local.a{}\n", i - 1, i - 1));
    }
    s.push_str("}\nresource \"aws_iam_role\" \"r\" {\n  count = local.a63 > 0 ? 1 : 0\n  name  = \"r\"\n  assume_role_policy = \"{}\"\n}\n");
    write(d.path(), "main.tf", s);
    let run = scan(d.path(), &[]);
    assert!(
        run.findings.iter().any(|f| f["file"] == "main.tf"),
        "{:#?}",
        run.messages()
    );
}

#[test]
fn huge_ranges_counts_and_for_expressions_are_capped() {
    let d = tempdir();
    write(
        d.path(),
        "range/main.tf",
        "locals {\n  a = range(100000000)\n  b = [for x in local.a : [for y in local.a : x]]\n}\n".to_string()
            + &role("r", "jsonencode({ Version = \"2012-10-17\", Statement = [{ Effect = \"Allow\", Action = \"sts:AssumeRole\", Principal = { AWS = local.b } }] })"),
    );
    write(
        d.path(),
        "count/main.tf",
        "resource \"aws_iam_role\" \"r\" {\n  count = 1000000000\n  name  = \"r${count.index}\"\n  assume_role_policy = \"{}\"\n}\n",
    );
    write(
        d.path(),
        "nested/main.tf",
        "locals {\n  a = [for x in range(10000) : [for y in range(10000) : [for z in range(10000) : \"${x}${y}${z}\"]]]\n}\n".to_string()
            + &role("n", "jsonencode({ Version = \"2012-10-17\", Statement = [{ Effect = \"Allow\", Action = \"sts:AssumeRole\", Principal = { AWS = local.a } }] })"),
    );
    let run = scan(d.path(), &[]);
    assert!(
        run.has("TL901", "range is too large"),
        "{:#?}",
        run.messages()
    );
    let counted = run
        .findings
        .iter()
        .filter(|f| f["file"] == "count/main.tf")
        .count();
    assert!(
        (1..=2000).contains(&counted),
        "count is capped: {counted} findings"
    );
    assert!(
        run.findings.iter().any(|f| f["file"] == "nested/main.tf"),
        "{:#?}",
        run.messages()
    );
}

#[test]
fn file_and_templatefile_outside_the_root_are_refused_and_never_read() {
    let d = tempdir();
    let secret = "SECRET-7f3a9c-do-not-echo";
    write(
        d.path(),
        "outside/secret.json",
        format!("{{\"Version\": \"2012-10-17\", \"Statement\": [{{\"Effect\": \"Allow\", \"Action\": \"sts:AssumeRole\", \"Principal\": {{\"AWS\": \"{secret}\"}}}}]}}"),
    );
    let root = d.path().join("root");
    write(
        &root,
        "main.tf",
        [
            role("a", "file(\"../outside/secret.json\")"),
            role(
                "b",
                "templatefile(\"${path.module}/../outside/secret.json\", {})",
            ),
            role("c", "file(\"/etc/passwd\")"),
            role(
                "d",
                &format!(
                    "file(\"{}\")",
                    d.path().join("outside/secret.json").display()
                ),
            ),
            role("e", "file(\"link.json\")"),
        ]
        .concat(),
    );
    #[cfg(unix)]
    {
        let _ = std::os::unix::fs::symlink(
            d.path().join("outside/secret.json"),
            root.join("link.json"),
        );
    }
    let run = scan(&root, &[]);
    let refused = run
        .rule("TL900")
        .iter()
        .filter(|f| f["message"].as_str().is_some_and(|m| m.contains("refused")))
        .count();
    assert!(
        refused >= if cfg!(unix) { 5 } else { 4 },
        "{:#?}",
        run.messages()
    );
    assert!(!run.stdout.contains(secret), "the secret was echoed");
    assert!(!run.stdout.contains("root:x:0"), "/etc/passwd was echoed");
    // Neither in the other formats, which show source snippets.
    for format in ["text", "sarif", "github", "markdown"] {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_trustlint"))
            .args(["scan", "--format", format])
            .current_dir(&root)
            .env("NO_COLOR", "1")
            .output()
            .unwrap_or_else(|e| panic!("cannot run trustlint: {e}"));
        let out = String::from_utf8_lossy(&o.stdout);
        assert!(!out.contains(secret), "{format} echoed the secret");
        assert!(!out.contains("root:x:0"), "{format} echoed /etc/passwd");
    }
}
