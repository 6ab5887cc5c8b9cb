//! ARN parsing over [`Str`](crate::value::Str) so each field keeps its provenance.

use crate::value::Str;

/// An ARN split into its six fields; each field is a slice of the original string with provenance.
#[derive(Clone, Debug, PartialEq)]
pub struct Arn {
    pub partition: Str,
    pub service: Str,
    pub region: Str,
    pub account: Str,
    /// Everything after the fifth colon (`role/path/name`, `root`, `oidc-provider/host`).
    pub resource: Str,
    /// Byte range of the account field in the original string.
    pub account_range: (usize, usize),
}

/// Splits `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`. Returns `None` when it is not an ARN.
pub fn parse(s: &Str) -> Option<Arn> {
    let t = &s.text;
    if !t.starts_with("arn:") {
        return None;
    }
    let mut cuts = Vec::with_capacity(5);
    for (i, c) in t.char_indices() {
        if c == ':' {
            cuts.push(i);
            if cuts.len() == 5 {
                break;
            }
        }
    }
    if cuts.len() < 5 {
        return None;
    }
    let field = |a: usize, b: usize| s.slice(a, b);
    Some(Arn {
        partition: field(cuts[0] + 1, cuts[1]),
        service: field(cuts[1] + 1, cuts[2]),
        region: field(cuts[2] + 1, cuts[3]),
        account: field(cuts[3] + 1, cuts[4]),
        resource: field(cuts[4] + 1, t.len()),
        account_range: (cuts[3] + 1, cuts[4]),
    })
}

#[cfg(test)]
mod tests;
