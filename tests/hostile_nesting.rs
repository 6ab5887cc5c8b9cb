//! 100,000-deep nesting in every syntax trustlint parses: HCL expressions, blocks, templates and heredocs,
//! JSON (trust documents, `.tf.json`, tfvars, CloudFormation), YAML (block and flow) and the configuration
//! file. Each must become a TL900 (or be skipped when the file is not an input), never a stack overflow.

mod hostile_support;
use hostile_support::*;

const N: usize = 100_000;

fn deep(open: &str, middle: &str, close: &str) -> String {
    let mut s = String::with_capacity((open.len() + close.len()) * N + middle.len());
    for _ in 0..N {
        s.push_str(open);
    }
    s.push_str(middle);
    for _ in 0..N {
        s.push_str(close);
    }
    s
}

#[test]
fn deep_hcl_expressions_are_parse_errors() {
    let d = tempdir();
    let cases = [
        ("arrays", deep("[", "1", "]")),
        ("objects", deep("{a = ", "1", "}")),
        ("parens", deep("(", "1", ")")),
        ("calls", deep("concat(", "[]", ")")),
        ("unary", deep("!", "true", "")),
        ("conditionals", deep("true ? 1 : ", "2", "")),
        ("interpolations", deep("\"${", "1", "}\"")),
        ("for", deep("[for x in ", "[]", " : x]")),
        ("index", format!("local.a{}", "[0]".repeat(N))),
        ("binary", deep("1 + ", "1", "")),
    ];
    for (name, expr) in &cases {
        write(
            d.path(),
            &format!("{name}/main.tf"),
            role("r", &format!("jsonencode({{ Statement = {expr} }})")),
        );
    }
    write(d.path(), "ok/main.tf", role("ok", TRUST_ACCOUNT));
    let run = scan(d.path(), &[]);
    for (name, _) in &cases {
        let file = format!("{name}/main.tf");
        let hit = run.rule("TL900").into_iter().any(|f| {
            f["file"] == file.as_str()
                && f["message"]
                    .as_str()
                    .is_some_and(|m| m.starts_with("HCL syntax error"))
        });
        // Index chains are flat in the parser; they must still not crash, and need not be errors.
        if *name != "index" {
            assert!(hit, "{name}: no TL900: {:#?}", run.messages());
        }
    }
    assert!(
        run.rule("TL010").iter().any(|f| f["file"] == "ok/main.tf"),
        "the valid file next to the hostile ones is still analysed: {:#?}",
        run.messages()
    );
}

#[test]
fn deep_hcl_blocks_are_parse_errors() {
    let d = tempdir();
    write(d.path(), "main.tf", deep("a {\n", "", "}\n"));
    let dyn_blocks = deep(
        "dynamic \"statement\" {\nfor_each = [1]\ncontent {\n",
        "",
        "}\n}\n",
    );
    write(
        d.path(),
        "docs/main.tf",
        format!("data \"aws_iam_policy_document\" \"d\" {{\n{dyn_blocks}}}\n"),
    );
    let run = scan(d.path(), &[]);
    for file in ["main.tf", "docs/main.tf"] {
        assert!(
            run.rule("TL900").iter().any(|f| f["file"] == file
                && f["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("nesting depth"))),
            "{file}: {:#?}",
            run.messages()
        );
    }
}

#[test]
fn deep_json_in_heredocs_and_strings_is_a_malformed_policy() {
    let d = tempdir();
    let json = deep("[", "", "]");
    write(
        d.path(),
        "heredoc/main.tf",
        role("h", &format!("<<EOF\n{json}\nEOF")),
    );
    write(
        d.path(),
        "indented/main.tf",
        role(
            "i",
            &format!("<<-EOT\n    {}\n    EOT", deep("{\"a\":", "1", "}")),
        ),
    );
    write(
        d.path(),
        "quoted/main.tf",
        role("q", &format!("\"{}\"", deep("{\\\"a\\\":", "1", "}"))),
    );
    // Heredocs inside heredoc interpolations, far deeper than anything real.
    let mut nested = String::new();
    for _ in 0..2_000 {
        nested.push_str("${<<EOF\n");
    }
    for _ in 0..2_000 {
        nested.push_str("\nEOF\n}");
    }
    write(
        d.path(),
        "heredocs/main.tf",
        role("n", &format!("<<EOF\n{nested}\nEOF")),
    );
    let run = scan(d.path(), &[]);
    for (file, text) in [
        ("heredoc/main.tf", "nesting deeper than"),
        ("indented/main.tf", "nesting deeper than"),
        // 700 kB of escaped JSON: past the evaluator's string limit before the JSON parser sees it.
        ("quoted/main.tf", "too long"),
        ("heredocs/main.tf", "nesting depth"),
    ] {
        assert!(
            run.findings
                .iter()
                .any(|f| f["file"] == file
                    && f["message"].as_str().is_some_and(|m| m.contains(text)))
                // A string past the evaluator's length budget is reported unresolved before it is parsed.
                || run.rule("TL901").iter().any(|f| f["file"] == file
                    && f["message"].as_str().is_some_and(|m| m.contains("too long"))),
            "{file}: {:#?}",
            run.messages()
        );
    }
}

#[test]
fn deep_terraform_json_is_a_parse_error() {
    let d = tempdir();
    write(
        d.path(),
        "main.tf.json",
        format!("{{\"locals\": {}}}", deep("{\"a\":", "1", "}")),
    );
    write(
        d.path(),
        "vars/terraform.tfvars.json",
        format!("{{\"a\": {}}}", deep("[", "", "]")),
    );
    write(d.path(), "vars/main.tf", role("v", TRUST_ACCOUNT));
    let run = scan(d.path(), &[]);
    for file in ["main.tf.json", "vars/terraform.tfvars.json"] {
        assert!(
            run.rule("TL900").iter().any(|f| f["file"] == file),
            "{file}: {:#?}",
            run.messages()
        );
    }
}

#[test]
fn deep_cloudformation_and_plans_end_cleanly() {
    let d = tempdir();
    let head = "{\"AWSTemplateFormatVersion\": \"2010-09-09\", \"Resources\": ";
    write(
        d.path(),
        "cfn.json",
        format!("{head}{}}}", deep("[", "", "]")),
    );
    write(
        d.path(),
        "role.json",
        format!(
            "{head}{{\"R\": {{\"Type\": \"AWS::IAM::Role\", \"Properties\": {{\"AssumeRolePolicyDocument\": {}}}}}}}}}",
            deep("{\"a\":", "1", "}")
        ),
    );
    write(
        d.path(),
        "flow.yaml",
        format!(
            "AWSTemplateFormatVersion: '2010-09-09'\nResources: {}\n",
            deep("[", "", "]")
        ),
    );
    write(
        d.path(),
        "block.yaml",
        format!(
            "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument:\n        {}x\n",
            "- ".repeat(N)
        ),
    );
    write(
        d.path(),
        "tags.yaml",
        format!(
            "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n      RoleName: {}\n",
            deep("!Sub [", "x", "]")
        ),
    );
    write(
        d.path(),
        "plan.json",
        format!(
            "{{\"format_version\": \"1.2\", \"planned_values\": {}}}",
            deep("{\"a\":", "1", "}")
        ),
    );
    let run = scan(d.path(), &[]);
    for file in [
        "cfn.json",
        "role.json",
        "flow.yaml",
        "block.yaml",
        "tags.yaml",
    ] {
        assert!(
            run.rule("TL900").iter().any(|f| f["file"] == file
                && f["message"]
                    .as_str()
                    .is_some_and(|m| { m.contains("nest") || m.contains("recursion limit") })),
            "{file}: {:#?}",
            run.messages()
        );
    }
    // The plan is valid JSON whose deep part trustlint never needs: skipped, nothing to report.
    assert!(
        !run.findings.iter().any(|f| f["file"] == "plan.json"),
        "{:#?}",
        run.messages()
    );
}

#[test]
fn deep_configuration_is_a_configuration_error() {
    let d = tempdir();
    for (name, text) in [
        ("block", format!("trusted_accounts:\n{}x\n", "- ".repeat(N))),
        (
            "flow",
            format!("trusted_accounts: {}\n", deep("[", "", "]")),
        ),
        ("maps", format!("rules: {}\n", deep("{a: ", "1", "}"))),
    ] {
        let dir = d.path().join(name);
        write(&dir, ".trustlint.yml", &text);
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_trustlint"))
            .args(["scan", "--format", "json"])
            .current_dir(&dir)
            .output()
            .unwrap_or_else(|e| panic!("cannot run trustlint: {e}"));
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{name}: {err}");
        assert!(err.contains(".trustlint.yml:"), "{name}: {err}");
        assert!(
            err.contains("nesting deeper than 64 levels") || err.contains("recursion limit"),
            "{name}: {err}"
        );
    }
}
