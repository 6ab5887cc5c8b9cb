//! Readable text for conditions and principals in edge annotations and messages.

use crate::policy::Condition;

/// At most this many values are listed for one condition key.
const MAX_VALUES: usize = 4;

/// `StringEquals sts:ExternalId = "abc"`, `ArnLike aws:PrincipalArn = ["a", "b"]`.
pub fn condition(c: &Condition) -> String {
    let mut vals: Vec<String> = c
        .values
        .iter()
        .take(MAX_VALUES)
        .map(|v| format!("\"{}\"", v.value.display()))
        .collect();
    if c.values.len() > MAX_VALUES {
        vals.push(format!("… {} more", c.values.len() - MAX_VALUES));
    }
    let v = match vals.as_slice() {
        [one] => one.clone(),
        _ => format!("[{}]", vals.join(", ")),
    };
    format!("{} {} = {}", c.operator.display(), c.key.display(), v)
}

/// Joins names for messages: `"a"`, `"a" and "b"`, `"a", "b" and 3 others`.
pub fn names(items: &[String], limit: usize) -> String {
    let quoted: Vec<String> = items
        .iter()
        .take(limit)
        .map(|n| format!("\"{n}\""))
        .collect();
    let more = items.len().saturating_sub(limit);
    match (quoted.as_slice(), more) {
        ([], _) => String::new(),
        ([one], 0) => one.clone(),
        (many, 0) => {
            let (last, head) = many
                .split_last()
                .map(|(l, h)| (l.clone(), h.to_vec()))
                .unwrap_or_default();
            format!("{} and {}", head.join(", "), last)
        }
        (many, n) => format!(
            "{} and {} other{}",
            many.join(", "),
            n,
            if n == 1 { "" } else { "s" }
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_names() {
        let v = |xs: &[&str]| xs.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(names(&v(&["a"]), 3), "\"a\"");
        assert_eq!(names(&v(&["a", "b", "c"]), 3), "\"a\", \"b\" and \"c\"");
        assert_eq!(
            names(&v(&["a", "b", "c", "d"]), 2),
            "\"a\", \"b\" and 2 others"
        );
    }
}
