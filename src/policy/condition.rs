//! Condition blocks and operator semantics (SPEC §2): `IfExists`, `ForAllValues:`/`ForAnyValue:`, negated
//! operators, `StringLike` wildcards.

use crate::source::Span;
use crate::value::Str;

use super::Item;

/// The base of a condition operator (without qualifiers).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum OpBase {
    StringEquals,
    StringNotEquals,
    StringEqualsIgnoreCase,
    StringNotEqualsIgnoreCase,
    StringLike,
    StringNotLike,
    ArnEquals,
    ArnNotEquals,
    ArnLike,
    ArnNotLike,
    NumericEquals,
    NumericNotEquals,
    NumericLessThan,
    NumericLessThanEquals,
    NumericGreaterThan,
    NumericGreaterThanEquals,
    DateEquals,
    DateNotEquals,
    DateLessThan,
    DateLessThanEquals,
    DateGreaterThan,
    DateGreaterThanEquals,
    Bool,
    BinaryEquals,
    IpAddress,
    NotIpAddress,
    Null,
    /// Not an IAM operator (a TL900 problem).
    Other(String),
}

/// A parsed operator: `ForAnyValue:StringLikeIfExists` → set `ForAnyValue`, base `StringLike`, `if_exists`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Operator {
    pub base: OpBase,
    pub set: SetQualifier,
    pub if_exists: bool,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum SetQualifier {
    None,
    ForAllValues,
    ForAnyValue,
}

/// One `operator → key → values` triple.
#[derive(Clone, Debug, PartialEq)]
pub struct Condition {
    /// The operator as written.
    pub operator: Str,
    pub op: Operator,
    /// The condition key as written (case-insensitive in IAM).
    pub key: Str,
    pub values: Vec<Item>,
    /// The key and its values as written.
    pub span: Option<Span>,
}

impl Operator {
    /// Parses an operator name (case-sensitive, as IAM is).
    pub fn parse(text: &str) -> Operator {
        let (set, rest) = if let Some(r) = text.strip_prefix("ForAllValues:") {
            (SetQualifier::ForAllValues, r)
        } else if let Some(r) = text.strip_prefix("ForAnyValue:") {
            (SetQualifier::ForAnyValue, r)
        } else {
            (SetQualifier::None, text)
        };
        let (if_exists, base) = match rest.strip_suffix("IfExists") {
            Some(b) if b != "Null" => (true, b),
            _ => (false, rest),
        };
        let base = match base {
            "StringEquals" => OpBase::StringEquals,
            "StringNotEquals" => OpBase::StringNotEquals,
            "StringEqualsIgnoreCase" => OpBase::StringEqualsIgnoreCase,
            "StringNotEqualsIgnoreCase" => OpBase::StringNotEqualsIgnoreCase,
            "StringLike" => OpBase::StringLike,
            "StringNotLike" => OpBase::StringNotLike,
            "ArnEquals" => OpBase::ArnEquals,
            "ArnNotEquals" => OpBase::ArnNotEquals,
            "ArnLike" => OpBase::ArnLike,
            "ArnNotLike" => OpBase::ArnNotLike,
            "NumericEquals" => OpBase::NumericEquals,
            "NumericNotEquals" => OpBase::NumericNotEquals,
            "NumericLessThan" => OpBase::NumericLessThan,
            "NumericLessThanEquals" => OpBase::NumericLessThanEquals,
            "NumericGreaterThan" => OpBase::NumericGreaterThan,
            "NumericGreaterThanEquals" => OpBase::NumericGreaterThanEquals,
            "DateEquals" => OpBase::DateEquals,
            "DateNotEquals" => OpBase::DateNotEquals,
            "DateLessThan" => OpBase::DateLessThan,
            "DateLessThanEquals" => OpBase::DateLessThanEquals,
            "DateGreaterThan" => OpBase::DateGreaterThan,
            "DateGreaterThanEquals" => OpBase::DateGreaterThanEquals,
            "Bool" => OpBase::Bool,
            "BinaryEquals" => OpBase::BinaryEquals,
            "IpAddress" => OpBase::IpAddress,
            "NotIpAddress" => OpBase::NotIpAddress,
            "Null" => OpBase::Null,
            other => OpBase::Other(other.to_string()),
        };
        Operator {
            base,
            set,
            if_exists,
        }
    }

    /// Negated operators match when the key is absent.
    pub fn is_negated(&self) -> bool {
        matches!(
            self.base,
            OpBase::StringNotEquals
                | OpBase::StringNotEqualsIgnoreCase
                | OpBase::StringNotLike
                | OpBase::ArnNotEquals
                | OpBase::ArnNotLike
                | OpBase::NumericNotEquals
                | OpBase::DateNotEquals
                | OpBase::NotIpAddress
        )
    }

    /// Whether a request that lacks the key can still satisfy the condition (`…IfExists`, `ForAllValues:`,
    /// negated operators, `Null`). Such a condition restricts nothing about who the caller is.
    pub fn passes_when_absent(&self) -> bool {
        self.if_exists
            || self.set == SetQualifier::ForAllValues
            || self.is_negated()
            || self.base == OpBase::Null
    }

    /// Whether values are patterns with `*` and `?`. `ArnEquals` expands wildcards like `ArnLike` does
    /// (AWS: "each of the six colon-delimited components … can include wildcards" for both).
    pub fn is_like(&self) -> bool {
        matches!(
            self.base,
            OpBase::StringLike
                | OpBase::StringNotLike
                | OpBase::ArnLike
                | OpBase::ArnNotLike
                | OpBase::ArnEquals
                | OpBase::ArnNotEquals
        )
    }

    /// Whether the operator compares strings or ARNs (the operators that can name principals, accounts or
    /// OIDC subjects).
    pub fn is_string_or_arn(&self) -> bool {
        matches!(
            self.base,
            OpBase::StringEquals
                | OpBase::StringNotEquals
                | OpBase::StringEqualsIgnoreCase
                | OpBase::StringNotEqualsIgnoreCase
                | OpBase::StringLike
                | OpBase::StringNotLike
                | OpBase::ArnEquals
                | OpBase::ArnNotEquals
                | OpBase::ArnLike
                | OpBase::ArnNotLike
        )
    }

    /// Whether a request lacking the key fails the condition, i.e. the condition must hold for anyone the
    /// statement admits (the opposite of [`Operator::passes_when_absent`]; unknown operators never count).
    pub fn must_hold(&self) -> bool {
        !self.passes_when_absent() && !matches!(self.base, OpBase::Other(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_qualifiers() {
        let op = Operator::parse("ForAnyValue:StringLikeIfExists");
        assert_eq!(op.base, OpBase::StringLike);
        assert_eq!(op.set, SetQualifier::ForAnyValue);
        assert!(op.if_exists);
        assert!(op.passes_when_absent());
        assert!(!Operator::parse("StringEquals").passes_when_absent());
        assert!(Operator::parse("StringNotEquals").passes_when_absent());
        assert!(Operator::parse("ForAllValues:StringEquals").passes_when_absent());
        assert_eq!(Operator::parse("Null").base, OpBase::Null);
        assert!(Operator::parse("ArnEquals").is_like());
        assert!(!Operator::parse("StringEquals").is_like());
        assert!(Operator::parse("ForAnyValue:StringLike").must_hold());
        assert!(!Operator::parse("StringLikeIfExists").must_hold());
        assert!(!Operator::parse("StringEqual").must_hold());
        assert!(!Operator::parse("NullIfExists").if_exists);
        assert!(Operator::parse("StringEqualsIgnoreCase").is_string_or_arn());
        assert!(!Operator::parse("Bool").is_string_or_arn());
    }
}
