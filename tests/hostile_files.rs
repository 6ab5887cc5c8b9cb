//! Hostile files and trees: invalid UTF-8, NUL bytes, symlink loops and links out of the scan root, 5 MB policy
//! strings, and 20,000 files in one tree (generated here, never committed).

mod hostile_support;
use hostile_support::*;

#[test]
fn invalid_utf8_is_a_parse_error_at_the_bad_byte() {
    let d = tempdir();
    write(
        d.path(),
        "tf/main.tf",
        b"resource \"aws_iam_role\" \"r\" {\n  name = \"\xff\xfe\"\n}\n".as_slice(),
    );
    write(
        d.path(),
        "cfn.yaml",
        b"AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n      RoleName: \xc3\x28\n".as_slice(),
    );
    write(d.path(), "ok/main.tf", role("ok", TRUST_ACCOUNT));
    let run = scan(d.path(), &[]);
    let bad: Vec<_> = run
        .rule("TL900")
        .into_iter()
        .filter(|f| {
            f["message"]
                .as_str()
                .is_some_and(|m| m.contains("not valid UTF-8"))
        })
        .collect();
    assert!(
        bad.iter()
            .any(|f| f["file"] == "tf/main.tf" && f["start_line"] == 2),
        "{:#?}",
        run.messages()
    );
    assert!(run.rule("TL010").iter().any(|f| f["file"] == "ok/main.tf"));
}

#[test]
fn nul_bytes_do_not_break_parsing_or_output() {
    let d = tempdir();
    write(
        d.path(),
        "a/main.tf",
        b"resource \"aws_iam_role\" \"r\" {\n  name = \"a\x00b\"\n  assume_role_policy = \"{\\\"Version\\\":\\\"2012-10-17\\\",\\\"Statement\\\":[{\\\"Effect\\\":\\\"Allow\\\",\\\"Action\\\":\\\"sts:AssumeRole\\\",\\\"Principal\\\":{\\\"AWS\\\":\\\"\x00\\\"}}]}\"\n}\n".as_slice(),
    );
    write(
        d.path(),
        "b/main.tf",
        b"\x00\x00\x00resource \x00".as_slice(),
    );
    write(
        d.path(),
        "t.json",
        b"{\"AWSTemplateFormatVersion\": \"2010-09-09\",\x00 \"Resources\": {}}".as_slice(),
    );
    write(
        d.path(),
        "t.yaml",
        b"AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  R:\x00\n    Type: AWS::IAM::Role\n"
            .as_slice(),
    );
    let run = scan(d.path(), &[]);
    for file in ["a/main.tf", "b/main.tf"] {
        assert!(
            run.rule("TL900").iter().any(|f| f["file"] == file),
            "{file}: {:#?}",
            run.messages()
        );
    }
}

#[cfg(unix)]
#[test]
fn symlink_loops_and_links_out_of_the_root_are_not_followed() {
    use std::os::unix::fs::symlink;
    let d = tempdir();
    let outside = d.path().join("outside");
    write(&outside, "secret.tf", role("secret", TRUST_ACCOUNT));
    let root = d.path().join("root");
    write(&root, "main.tf", role("inside", TRUST_ACCOUNT));
    let link = |target: &std::path::Path, name: &str| {
        symlink(target, root.join(name)).unwrap_or_else(|e| panic!("symlink {name}: {e}"))
    };
    std::fs::create_dir_all(root.join("sub")).unwrap_or_else(|e| panic!("mkdir: {e}"));
    link(&root, "sub/loop");
    link(&root.join("sub"), "sub/self");
    link(&root.join("a"), "b");
    link(&root.join("b"), "a");
    link(&outside, "out");
    link(&outside.join("secret.tf"), "secret.tf");
    link(std::path::Path::new("/etc"), "etc");
    link(std::path::Path::new("/dev/zero"), "zero.tf");
    let run = scan(&root, &[]);
    let roles: Vec<_> = run
        .findings
        .iter()
        .filter_map(|f| f["resource"].as_str())
        .collect();
    assert!(roles.iter().any(|r| r.contains("inside")), "{roles:?}");
    assert!(!roles.iter().any(|r| r.contains("secret")), "{roles:?}");
    assert!(
        run.findings
            .iter()
            .all(|f| f["file"].as_str().is_some_and(|p| p == "main.tf")),
        "{:#?}",
        run.messages()
    );
}

#[test]
fn five_megabyte_policy_strings_are_analysed_in_bounded_memory() {
    let d = tempdir();
    let big = "a".repeat(5 << 20);
    write(
        d.path(),
        "heredoc/main.tf",
        role(
            "h",
            &format!("<<EOF\n{{\"Version\": \"2012-10-17\", \"Statement\": [{{\"Effect\": \"Allow\", \"Action\": \"sts:AssumeRole\", \"Principal\": {{\"AWS\": \"arn:aws:iam::210987654321:role/{big}\"}}}}]}}\nEOF"),
        ),
    );
    write(
        d.path(),
        "jsonencode/main.tf",
        role(
            "j",
            &format!("jsonencode({{ Version = \"2012-10-17\", Statement = [{{ Effect = \"Allow\", Action = \"sts:AssumeRole\", Sid = \"{big}\", Principal = {{ AWS = \"arn:aws:iam::210987654321:root\" }} }}] }})"),
        ),
    );
    write(
        d.path(),
        "cfn.json",
        format!("{{\"AWSTemplateFormatVersion\": \"2010-09-09\", \"Resources\": {{\"R\": {{\"Type\": \"AWS::IAM::Role\", \"Properties\": {{\"RoleName\": \"{big}\", \"AssumeRolePolicyDocument\": {{\"Version\": \"2012-10-17\", \"Statement\": [{{\"Effect\": \"Allow\", \"Action\": \"sts:AssumeRole\", \"Principal\": {{\"AWS\": \"arn:aws:iam::210987654321:root\"}}}}]}}}}}}}}}}"),
    );
    let run = scan(d.path(), &[]);
    // Analysed, or reported as past the evaluator's string budget: never a crash or a silent pass.
    for file in ["heredoc/main.tf", "jsonencode/main.tf", "cfn.json"] {
        assert!(
            run.rule("TL010").iter().any(|f| f["file"] == file)
                || run.rule("TL901").iter().any(|f| f["file"] == file
                    && f["message"]
                        .as_str()
                        .is_some_and(|m| m.contains("too long"))),
            "{file}: {:#?}",
            run.messages()
        );
    }
}

#[test]
fn twenty_thousand_files_in_one_tree() {
    let d = tempdir();
    // Half in one directory (one module of 10,000 files), half spread over 1,000 modules.
    for i in 0..10_000 {
        write(
            d.path(),
            &format!("one/f{i:05}.tf"),
            format!(
                "resource \"aws_iam_role\" \"r{i}\" {{\n  name = \"r{i}\"\n  assume_role_policy = local.trust\n}}\n"
            ),
        );
    }
    write(
        d.path(),
        "one/locals.tf",
        format!("locals {{\n  trust = {TRUST_ACCOUNT}\n}}\n"),
    );
    for i in 0..9_999 {
        write(
            d.path(),
            &format!("many/m{:03}/f{i:05}.tf", i % 1000),
            if i % 10 == 0 {
                role(&format!("m{i}"), TRUST_ACCOUNT)
            } else {
                format!("locals {{\n  l{i} = \"{i}\"\n}}\n")
            },
        );
    }
    let run = scan(d.path(), &[]);
    let in_one = run
        .rule("TL010")
        .iter()
        .filter(|f| f["file"].as_str().is_some_and(|p| p.starts_with("one/")))
        .count();
    let in_many = run
        .rule("TL010")
        .iter()
        .filter(|f| f["file"].as_str().is_some_and(|p| p.starts_with("many/")))
        .count();
    assert_eq!((in_one, in_many), (10_000, 1_000));
}
