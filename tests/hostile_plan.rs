//! Hostile Terraform plans: 100,000-deep values inside an IAM resource, a trust policy string nested as
//! deep, a 5 MB policy string, lone surrogates and NULs in escapes, invalid UTF-8.

mod hostile_support;
use hostile_support::*;

const N: usize = 100_000;

fn plan(values: &str) -> String {
    format!(
        "{{\"format_version\":\"1.2\",\"planned_values\":{{\"root_module\":{{\"resources\":[{{\"address\":\"aws_iam_role.r\",\"mode\":\"managed\",\"type\":\"aws_iam_role\",\"name\":\"r\",\"values\":{values}}}]}}}}}}"
    )
}

#[test]
fn hostile_plans_end_cleanly() {
    let d = tempdir();
    let deep = "{\"a\":".repeat(N) + "1" + &"}".repeat(N);
    write(
        d.path(),
        "deep_values.json",
        plan(&format!(
            "{{\"name\":\"r\",\"assume_role_policy\":\"{{}}\",\"tags\":{deep}}}"
        )),
    );
    let pol = format!(
        "{{\\\"Version\\\":\\\"2012-10-17\\\",\\\"Statement\\\":{}{}}}",
        "[".repeat(N),
        "]".repeat(N)
    );
    write(
        d.path(),
        "deep_policy.json",
        plan(&format!(
            "{{\"name\":\"r\",\"assume_role_policy\":\"{pol}\"}}"
        )),
    );
    let big = "a".repeat(5 << 20);
    write(
        d.path(),
        "big_policy.json",
        plan(&format!("{{\"name\":\"r\",\"assume_role_policy\":\"{{\\\"Version\\\":\\\"2012-10-17\\\",\\\"Statement\\\":[{{\\\"Effect\\\":\\\"Allow\\\",\\\"Action\\\":\\\"sts:AssumeRole\\\",\\\"Principal\\\":{{\\\"AWS\\\":\\\"arn:aws:iam::210987654321:role/{big}\\\"}}}}]}}\"}}")),
    );
    write(
        d.path(),
        "escapes.json",
        plan("{\"name\":\"r\\u0000\",\"assume_role_policy\":\"{\\\"Version\\\":\\\"2012-10-17\\\",\\\"Statement\\\":[{\\\"Effect\\\":\\\"Allow\\\",\\\"Action\\\":\\\"sts:AssumeRole\\\",\\\"Principal\\\":{\\\"AWS\\\":\\\"\\\\ud800\\\"}}]}\"}"),
    );
    let mut bad = plan("{\"name\":\"X\"}").into_bytes();
    if let Some(i) = bad.iter().position(|&b| b == b'X') {
        bad[i] = 0xff;
    }
    write(d.path(), "invalid_utf8.json", bad);
    let run = scan(d.path(), &[]);
    for (file, text) in [
        ("deep_values.json", "nesting"),
        ("deep_policy.json", "nesting deeper than"),
        ("escapes.json", "malformed"),
        ("invalid_utf8.json", "not valid UTF-8"),
    ] {
        assert!(
            run.rule("TL900")
                .iter()
                .any(|f| f["file"] == file
                    && f["message"].as_str().is_some_and(|m| m.contains(text))),
            "{file}: {:#?}",
            run.messages()
        );
    }
    assert!(
        run.rule("TL010")
            .iter()
            .any(|f| f["file"] == "big_policy.json"),
        "{:#?}",
        run.messages()
    );
}
