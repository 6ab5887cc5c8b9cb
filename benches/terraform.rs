//! Terraform front end benchmark: a generated monorepo of modules with roles, trust documents in every form,
//! variables and locals. Prints files, roles and the median wall time of `trustlint::scan` over several runs.
//!
//! `cargo bench --bench terraform [-- FILES]` (default 10,000 files).

use std::fmt::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

fn module(i: usize) -> [(String, String); 5] {
    let acct = format!("{:012}", 100_000_000_000u64 + i as u64);
    let mut main = String::new();
    let _ = write!(
        main,
        r#"data "aws_caller_identity" "current" {{}}

locals {{
  account_id = data.aws_caller_identity.current.account_id
  tags       = {{ owner = "team-{i}", service = "svc-{i}" }}
}}

resource "aws_iam_role" "app" {{
  name = "app-{i}"
  assume_role_policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = {{ AWS = "arn:aws:iam::${{var.peer_account}}:root" }}
      Condition = {{ StringEquals = {{ "sts:ExternalId" = "ext-{i}" }} }}
    }}]
  }})
  tags = local.tags
}}

resource "aws_iam_role" "worker" {{
  name               = "worker-{i}"
  assume_role_policy = data.aws_iam_policy_document.worker.json
}}

data "aws_iam_policy_document" "worker" {{
  statement {{
    actions = ["sts:AssumeRole"]
    principals {{
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }}
  }}
  statement {{
    actions = ["sts:AssumeRole"]
    principals {{
      type        = "AWS"
      identifiers = [aws_iam_role.app.arn, "arn:aws:iam::${{local.account_id}}:root"]
    }}
  }}
}}
"#
    );
    let vars =
        format!("variable \"peer_account\" {{\n  type    = string\n  default = \"{acct}\"\n}}\n");
    let heredoc = format!(
        "resource \"aws_iam_role\" \"legacy\" {{\n  name = \"legacy-{i}\"\n  assume_role_policy = <<EOF\n{{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{{\"Effect\": \"Allow\", \"Action\": \"sts:AssumeRole\", \"Principal\": {{\"Service\": \"lambda.amazonaws.com\"}}}}]\n}}\nEOF\n}}\n"
    );
    let outputs = "output \"app_arn\" {\n  value = aws_iam_role.app.arn\n}\n".to_string();
    let versions =
        "terraform {\n  required_providers {\n    aws = { source = \"hashicorp/aws\" }\n  }\n}\n"
            .to_string();
    [
        ("main.tf".into(), main),
        ("variables.tf".into(), vars),
        ("legacy.tf".into(), heredoc),
        ("outputs.tf".into(), outputs),
        ("versions.tf".into(), versions),
    ]
}

fn generate(root: &Path, files: usize) -> std::io::Result<usize> {
    let modules = files.div_ceil(5);
    for i in 0..modules {
        let dir = root.join(format!("stacks/team-{:03}/svc-{i}", i % 100));
        std::fs::create_dir_all(&dir)?;
        for (name, text) in module(i) {
            std::fs::write(dir.join(name), text)?;
        }
    }
    Ok(modules * 5)
}

fn main() {
    let files: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(10_000);
    let dir = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => {
            eprintln!("cannot create a temporary directory: {e}");
            return;
        }
    };
    let written = match generate(dir.path(), files) {
        Ok(n) => n,
        Err(e) => {
            eprintln!("cannot write the benchmark tree: {e}");
            return;
        }
    };
    let opts = trustlint::ScanOptions {
        paths: vec![dir.path().to_path_buf()],
        ..Default::default()
    };
    let mut times: Vec<Duration> = Vec::new();
    let mut roles = 0;
    let mut findings = 0;
    for _ in 0..5 {
        let t = Instant::now();
        match trustlint::scan(&opts) {
            Ok(out) => {
                roles = out.stats.roles;
                findings = out.findings.len();
            }
            Err(e) => {
                eprintln!("scan failed: {e}");
                return;
            }
        }
        times.push(t.elapsed());
    }
    times.sort();
    println!(
        "terraform: {written} files, {roles} roles, {findings} findings, median {:.1} ms (min {:.1} ms, max {:.1} ms) over {} runs",
        times[times.len() / 2].as_secs_f64() * 1e3,
        times[0].as_secs_f64() * 1e3,
        times[times.len() - 1].as_secs_f64() * 1e3,
        times.len()
    );
}
