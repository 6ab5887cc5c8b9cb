//! `.trustlint.yml`: accounts, organisations, third parties, required tags, per-rule settings (SPEC §4).
//!
//! Parsed with saphyr's `MarkedYaml` so every error names the key, file, line and column. Scalars are read raw
//! (`early_parse(false)`): an unquoted account ID such as `012345678901` keeps all its digits instead of
//! becoming the integer 12345678901.

use crate::finding::Severity;
use saphyr::{MarkedYaml, ScalarStyle, YamlData, YamlLoader};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A third-party (vendor) account: trusted, but `sts:ExternalId` required.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ThirdParty {
    pub account: String,
    pub name: Option<String>,
}

/// Settings of one rule.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct RuleConfig {
    pub enabled: Option<bool>,
    pub severity: Option<Severity>,
    /// TL020: sets of service principals that may share a role.
    pub allowed_service_sets: Vec<Vec<String>>,
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct Config {
    pub trusted_accounts: Vec<String>,
    pub organization_ids: Vec<String>,
    pub third_party_accounts: Vec<ThirdParty>,
    pub required_tags: Vec<String>,
    pub exclude: Vec<String>,
    pub rules: BTreeMap<String, RuleConfig>,
    /// The file it was read from, if any.
    pub path: Option<PathBuf>,
}

/// A configuration error: names the key, file, line and column (exit 2).
#[derive(Debug, thiserror::Error)]
#[error("{file}:{line}:{column}: {message}")]
pub struct ConfigError {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// Rule IDs of SPEC §3. Configuration may name them even before a rule is registered; anything else is a
/// typo and an error.
const SPEC_RULE_IDS: &[&str] = &[
    "TL001", "TL002", "TL003", "TL010", "TL011", "TL012", "TL013", "TL014", "TL015", "TL020",
    "TL021", "TL030", "TL040", "TL041", "TL050", "TL900", "TL901",
];

const TOP_KEYS: &[&str] = &[
    "trusted_accounts",
    "organization_ids",
    "third_party_accounts",
    "required_tags",
    "exclude",
    "rules",
];
const THIRD_PARTY_KEYS: &[&str] = &["account", "name"];
const RULE_KEYS: &[&str] = &["enabled", "severity", "allowed_service_sets"];

impl Config {
    pub fn is_trusted_account(&self, account: &str) -> bool {
        self.trusted_accounts.iter().any(|a| a == account)
    }

    pub fn third_party(&self, account: &str) -> Option<&ThirdParty> {
        self.third_party_accounts
            .iter()
            .find(|t| t.account == account)
    }

    pub fn rule(&self, id: &str) -> Option<&RuleConfig> {
        self.rules.get(id)
    }

    pub fn rule_enabled(&self, id: &str) -> bool {
        self.rule(id).and_then(|r| r.enabled).unwrap_or(true)
    }

    /// Parses YAML text; errors name the key, file, line and column.
    pub fn parse(text: &str, file: &Path) -> Result<Config, ConfigError> {
        let p = ConfigParser {
            file: file.display().to_string(),
        };
        // saphyr's loader recurses once per level: a hostile file must not reach it too deep.
        if let Err(e) = crate::limits::check_yaml_depth(text, crate::limits::CONFIG_MAX_DEPTH) {
            return Err(p.err_at(e.line, e.column, format!("invalid YAML: {e}")));
        }
        let mut parser = saphyr_parser::Parser::new_from_str(text);
        let mut loader: YamlLoader<MarkedYaml> = YamlLoader::default();
        loader.early_parse(false);
        // A configuration file has no business expanding aliases into thousands of nodes.
        loader.alias_limit(10_000);
        let loaded = parser.load(&mut loader, true);
        if let Some(e) = loader.error().cloned().or(loaded.err()) {
            return Err(p.err_at(
                e.marker().line(),
                e.marker().col() + 1,
                format!("invalid YAML: {}", e.info()),
            ));
        }
        let docs = loader.into_documents();
        if docs.len() > 1 {
            if let Some(second) = docs.get(1) {
                return Err(p.err(second, "expected a single YAML document".to_string()));
            }
        }
        let Some(root) = docs.first() else {
            return Ok(Config::default());
        };
        p.config(root)
    }

    /// Loads `path`.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            file: path.display().to_string(),
            line: 0,
            column: 0,
            message: format!("cannot read configuration: {e}"),
        })?;
        let mut c = Config::parse(&text, path)?;
        c.path = Some(path.to_path_buf());
        Ok(c)
    }
}

/// What a node is, for "expected X, found Y" messages.
fn kind_of(node: &MarkedYaml) -> &'static str {
    match &node.data {
        YamlData::Representation(raw, style, _) => {
            if is_null(raw, *style) {
                "nothing"
            } else {
                "a scalar"
            }
        }
        YamlData::Value(_) => "a scalar",
        YamlData::Sequence(_) => "a list",
        YamlData::Mapping(_) => "a mapping",
        YamlData::Tagged(..) => "a tagged value",
        YamlData::Alias(_) | YamlData::BadValue => "nothing",
    }
}

fn is_null(raw: &str, style: ScalarStyle) -> bool {
    style == ScalarStyle::Plain && matches!(raw, "" | "~" | "null" | "Null" | "NULL")
}

/// A node that is empty, `~` or `null`: a key given without a value.
fn node_is_null(node: &MarkedYaml) -> bool {
    match &node.data {
        YamlData::Representation(raw, style, None) => is_null(raw, *style),
        YamlData::BadValue => true,
        _ => false,
    }
}

struct ConfigParser {
    file: String,
}

impl ConfigParser {
    fn err_at(&self, line: usize, column: usize, message: String) -> ConfigError {
        ConfigError {
            file: self.file.clone(),
            line,
            column,
            message,
        }
    }

    /// An error at a node (saphyr columns are 0-based characters).
    fn err(&self, node: &MarkedYaml, message: String) -> ConfigError {
        self.err_at(node.span.start.line(), node.span.start.col() + 1, message)
    }

    fn config(&self, root: &MarkedYaml) -> Result<Config, ConfigError> {
        let mut c = Config::default();
        if node_is_null(root) {
            return Ok(c);
        }
        let entries = self.mapping(root, "the configuration")?;
        for (key_node, value) in entries {
            let key = self.key(key_node, "")?;
            match key.as_str() {
                "trusted_accounts" => {
                    for (s, node) in self.strings(value, &key)? {
                        c.trusted_accounts
                            .push(self.account(&s, node, "trusted_accounts")?);
                    }
                }
                "organization_ids" => {
                    for (s, node) in self.strings(value, &key)? {
                        if !is_org_id(&s) {
                            return Err(self.err(
                                node,
                                format!("`organization_ids`: {s:?} is not an AWS organization ID (o- followed by 10 to 32 lowercase letters or digits)"),
                            ));
                        }
                        c.organization_ids.push(s);
                    }
                }
                "third_party_accounts" => {
                    c.third_party_accounts = self.third_parties(value)?;
                }
                "required_tags" => {
                    for (s, node) in self.strings(value, &key)? {
                        if s.is_empty() {
                            return Err(self.err(node, "`required_tags`: empty tag name".into()));
                        }
                        c.required_tags.push(s);
                    }
                }
                "exclude" => {
                    for (s, node) in self.strings(value, &key)? {
                        if let Err(e) = globset::Glob::new(&s) {
                            return Err(
                                self.err(node, format!("`exclude`: invalid glob {s:?}: {e}"))
                            );
                        }
                        c.exclude.push(s);
                    }
                }
                "rules" => {
                    c.rules = self.rules(value)?;
                }
                _ => {
                    return Err(self.err(
                        key_node,
                        format!(
                            "unknown key `{key}` (expected one of: {})",
                            TOP_KEYS.join(", ")
                        ),
                    ))
                }
            }
        }
        Ok(c)
    }

    /// The entries of a mapping, in order. A null value counts as an empty mapping.
    fn mapping<'n, 'i>(
        &self,
        node: &'n MarkedYaml<'i>,
        what: &str,
    ) -> Result<Vec<(&'n MarkedYaml<'i>, &'n MarkedYaml<'i>)>, ConfigError> {
        match &node.data {
            YamlData::Mapping(m) => Ok(m.iter().collect()),
            _ if node_is_null(node) => Ok(Vec::new()),
            _ => Err(self.err(
                node,
                format!("{what} must be a mapping, found {}", kind_of(node)),
            )),
        }
    }

    /// A mapping key as text. `parent` is the dotted path of the mapping, for messages.
    fn key(&self, node: &MarkedYaml, parent: &str) -> Result<String, ConfigError> {
        match &node.data {
            YamlData::Representation(raw, _, None) => Ok(raw.to_string()),
            _ => Err(self.err(
                node,
                format!(
                    "{}keys must be plain strings, found {}",
                    if parent.is_empty() {
                        String::new()
                    } else {
                        format!("`{parent}`: ")
                    },
                    kind_of(node)
                ),
            )),
        }
    }

    /// A scalar as a string (any quoting; a plain number keeps its digits as written).
    fn string(&self, node: &MarkedYaml, key: &str) -> Result<String, ConfigError> {
        match &node.data {
            YamlData::Representation(raw, style, tag) => {
                let tag_ok = tag
                    .as_ref()
                    .is_none_or(|t| t.is_yaml_core_schema() && t.suffix == "str");
                if !tag_ok {
                    return Err(self.err(node, format!("`{key}`: YAML tags are not allowed here")));
                }
                if tag.is_none() && is_null(raw, *style) {
                    return Err(self.err(node, format!("`{key}` must be a string, found nothing")));
                }
                Ok(raw.to_string())
            }
            _ => Err(self.err(
                node,
                format!("`{key}` must be a string, found {}", kind_of(node)),
            )),
        }
    }

    /// A list of strings; a null value is an empty list.
    fn strings<'n, 'i>(
        &self,
        node: &'n MarkedYaml<'i>,
        key: &str,
    ) -> Result<Vec<(String, &'n MarkedYaml<'i>)>, ConfigError> {
        match &node.data {
            YamlData::Sequence(items) => items
                .iter()
                .map(|item| match &item.data {
                    YamlData::Representation(..) => Ok((self.string(item, key)?, item)),
                    _ => Err(self.err(
                        item,
                        format!(
                            "`{key}` must be a list of strings, found {} in it",
                            kind_of(item)
                        ),
                    )),
                })
                .collect(),
            _ if node_is_null(node) => Ok(Vec::new()),
            _ => Err(self.err(
                node,
                format!("`{key}` must be a list of strings, found {}", kind_of(node)),
            )),
        }
    }

    fn bool(&self, node: &MarkedYaml, key: &str) -> Result<bool, ConfigError> {
        if let YamlData::Representation(raw, ScalarStyle::Plain, None) = &node.data {
            match raw.as_ref() {
                "true" | "True" | "TRUE" => return Ok(true),
                "false" | "False" | "FALSE" => return Ok(false),
                _ => {}
            }
        }
        let found = match &node.data {
            YamlData::Representation(raw, _, _) if !node_is_null(node) => format!("{raw:?}"),
            _ => kind_of(node).to_string(),
        };
        Err(self.err(
            node,
            format!("`{key}` must be true or false, found {found}"),
        ))
    }

    /// A 12-digit account ID.
    fn account(&self, s: &str, node: &MarkedYaml, key: &str) -> Result<String, ConfigError> {
        if s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit()) {
            Ok(s.to_string())
        } else {
            Err(self.err(
                node,
                format!("`{key}`: {s:?} is not an AWS account ID (12 digits)"),
            ))
        }
    }

    fn third_parties(&self, node: &MarkedYaml) -> Result<Vec<ThirdParty>, ConfigError> {
        const KEY: &str = "third_party_accounts";
        let items = match &node.data {
            YamlData::Sequence(items) => items,
            _ if node_is_null(node) => return Ok(Vec::new()),
            _ => {
                return Err(self.err(
                    node,
                    format!(
                        "`{KEY}` must be a list of {{account, name}} mappings, found {}",
                        kind_of(node)
                    ),
                ))
            }
        };
        let mut out = Vec::new();
        for item in items {
            let YamlData::Mapping(m) = &item.data else {
                return Err(self.err(
                    item,
                    format!(
                        "`{KEY}` entries must be {{account, name}} mappings, found {}",
                        kind_of(item)
                    ),
                ));
            };
            let mut account = None;
            let mut name = None;
            for (k, v) in m.iter() {
                let key = self.key(k, KEY)?;
                match key.as_str() {
                    "account" => {
                        let path = format!("{KEY}.account");
                        let s = self.string(v, &path)?;
                        account = Some(self.account(&s, v, &path)?);
                    }
                    "name" => name = Some(self.string(v, &format!("{KEY}.name"))?),
                    _ => {
                        return Err(self.err(
                            k,
                            format!(
                                "unknown key `{key}` in `{KEY}` (expected one of: {})",
                                THIRD_PARTY_KEYS.join(", ")
                            ),
                        ))
                    }
                }
            }
            let Some(account) = account else {
                return Err(self.err(item, format!("`{KEY}` entry has no `account`")));
            };
            out.push(ThirdParty { account, name });
        }
        Ok(out)
    }

    fn rules(&self, node: &MarkedYaml) -> Result<BTreeMap<String, RuleConfig>, ConfigError> {
        let mut out = BTreeMap::new();
        for (k, v) in self.mapping(node, "`rules`")? {
            let raw = self.key(k, "rules")?;
            let Some(id) = canonical_rule_id(&raw) else {
                return Err(self.err(
                    k,
                    format!("`rules`: unknown rule ID `{raw}` (`trustlint rules` lists them)"),
                ));
            };
            let mut rc = RuleConfig::default();
            let what = format!("`rules.{id}`");
            for (sk, sv) in self.mapping(v, &what)? {
                let key = self.key(sk, &format!("rules.{id}"))?;
                let path = format!("rules.{id}.{key}");
                match key.as_str() {
                    "enabled" => rc.enabled = Some(self.bool(sv, &path)?),
                    "severity" => {
                        let s = self.string(sv, &path)?;
                        let Some(sev) = Severity::parse(&s) else {
                            return Err(self.err(
                                sv,
                                format!(
                                    "`{path}` must be one of error, warning, note, found {s:?}"
                                ),
                            ));
                        };
                        rc.severity = Some(sev);
                    }
                    "allowed_service_sets" => {
                        rc.allowed_service_sets = self.service_sets(sv, &path)?
                    }
                    _ => {
                        return Err(self.err(
                            sk,
                            format!(
                                "unknown key `{key}` in `rules.{id}` (expected one of: {})",
                                RULE_KEYS.join(", ")
                            ),
                        ))
                    }
                }
            }
            if out.insert(id.clone(), rc).is_some() {
                return Err(self.err(k, format!("`rules`: rule `{id}` is configured twice")));
            }
        }
        Ok(out)
    }

    fn service_sets(&self, node: &MarkedYaml, key: &str) -> Result<Vec<Vec<String>>, ConfigError> {
        let items = match &node.data {
            YamlData::Sequence(items) => items,
            _ if node_is_null(node) => return Ok(Vec::new()),
            _ => {
                return Err(self.err(
                    node,
                    format!(
                        "`{key}` must be a list of lists of service principals, found {}",
                        kind_of(node)
                    ),
                ))
            }
        };
        let mut out = Vec::new();
        for item in items {
            if !matches!(item.data, YamlData::Sequence(_)) {
                return Err(self.err(
                    item,
                    format!(
                        "`{key}` must be a list of lists of service principals, found {} in it",
                        kind_of(item)
                    ),
                ));
            }
            out.push(
                self.strings(item, key)?
                    .into_iter()
                    .map(|(s, _)| s)
                    .collect(),
            );
        }
        Ok(out)
    }
}

/// `TL013` (any case) when it names a rule of SPEC §3 or of the registry.
fn canonical_rule_id(raw: &str) -> Option<String> {
    let upper = raw.trim().to_ascii_uppercase();
    if SPEC_RULE_IDS.contains(&upper.as_str()) {
        return Some(upper);
    }
    crate::rules::meta(&upper).map(|m| m.id.to_string())
}

/// `o-` followed by 10 to 32 lowercase letters or digits.
fn is_org_id(s: &str) -> bool {
    s.strip_prefix("o-").is_some_and(|rest| {
        (10..=32).contains(&rest.len())
            && rest
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, Path::new("t/.trustlint.yml"))
    }

    /// The error's (line, column, message); fails the test when parsing succeeds.
    fn error(text: &str) -> (usize, usize, String) {
        match parse(text) {
            Ok(c) => panic!("expected an error, parsed {c:?}"),
            Err(e) => {
                assert_eq!(e.file, "t/.trustlint.yml");
                (e.line, e.column, e.message)
            }
        }
    }

    #[test]
    fn parses_the_spec_example() {
        let c = parse(
            r#"
trusted_accounts: ["111111111111", "222222222222"]   # your own accounts
organization_ids: ["o-a1b2c3d4e5"]
third_party_accounts:
  - { account: "464622532012", name: datadog }
required_tags: [owner]
exclude: ["examples/**"]
rules:
  TL013: { severity: error }
  TL020: { allowed_service_sets: [["ecs-tasks.amazonaws.com", "ec2.amazonaws.com"]] }
  TL050: { enabled: false }
"#,
        )
        .map_err(|e| e.to_string());
        let c = match c {
            Ok(c) => c,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(c.trusted_accounts, ["111111111111", "222222222222"]);
        assert_eq!(c.organization_ids, ["o-a1b2c3d4e5"]);
        assert_eq!(
            c.third_party_accounts,
            [ThirdParty {
                account: "464622532012".into(),
                name: Some("datadog".into())
            }]
        );
        assert_eq!(c.required_tags, ["owner"]);
        assert_eq!(c.exclude, ["examples/**"]);
        assert_eq!(
            c.rule("TL013").and_then(|r| r.severity),
            Some(Severity::Error)
        );
        assert_eq!(
            c.rule("TL020").map(|r| r.allowed_service_sets.clone()),
            Some(vec![vec![
                "ecs-tasks.amazonaws.com".to_string(),
                "ec2.amazonaws.com".to_string()
            ]])
        );
        assert!(!c.rule_enabled("TL050"));
        assert!(c.rule_enabled("TL001"));
        assert!(c.is_trusted_account("222222222222"));
        assert_eq!(
            c.third_party("464622532012")
                .and_then(|t| t.name.as_deref()),
            Some("datadog")
        );
    }

    #[test]
    fn unquoted_account_ids_keep_every_digit() {
        let c = parse("trusted_accounts:\n  - 012345678901\n  - 111111111111\n")
            .map_err(|e| e.to_string());
        assert_eq!(
            c.map(|c| c.trusted_accounts),
            Ok(vec!["012345678901".to_string(), "111111111111".to_string()])
        );
    }

    #[test]
    fn empty_files_and_empty_keys_are_fine() {
        assert_eq!(parse("").ok(), Some(Config::default()));
        assert_eq!(parse("# nothing\n").ok(), Some(Config::default()));
        assert_eq!(
            parse("trusted_accounts:\nrules:\n").ok(),
            Some(Config::default())
        );
    }

    #[test]
    fn unknown_top_level_key() {
        let (l, c, m) = error("trusted_accounts: []\ntrusted_acounts: []\n");
        assert_eq!((l, c), (2, 1));
        assert!(m.contains("unknown key `trusted_acounts`"), "{m}");
        assert!(m.contains("trusted_accounts"), "{m}");
    }

    #[test]
    fn account_ids_must_have_twelve_digits() {
        let (l, c, m) = error("trusted_accounts: [\"111111111111\", 12345]\n");
        assert_eq!((l, c), (1, 36));
        assert!(
            m.contains("`trusted_accounts`") && m.contains("\"12345\""),
            "{m}"
        );
        let (l, c, _) = error("trusted_accounts:\n  - 1.1e11\n");
        assert_eq!((l, c), (2, 5));
    }

    #[test]
    fn wrong_types_name_the_key() {
        let (l, c, m) = error("trusted_accounts: \"111111111111\"\n");
        assert_eq!((l, c), (1, 19));
        assert!(
            m.contains("`trusted_accounts` must be a list of strings, found a scalar"),
            "{m}"
        );
        let (l, c, m) = error("required_tags:\n  - [owner]\n");
        assert_eq!((l, c), (2, 5));
        assert!(m.contains("`required_tags`"), "{m}");
        let (_, _, m) = error("rules: [TL001]\n");
        assert!(m.contains("`rules` must be a mapping, found a list"), "{m}");
        let (_, _, m) = error("- a\n- b\n");
        assert!(m.contains("the configuration must be a mapping"), "{m}");
    }

    #[test]
    fn organization_ids_are_validated() {
        let (l, c, m) = error("organization_ids: [o-short]\n");
        assert_eq!((l, c), (1, 20));
        assert!(
            m.contains("`organization_ids`") && m.contains("o-short"),
            "{m}"
        );
    }

    #[test]
    fn third_party_entries() {
        let (l, c, m) =
            error("third_party_accounts:\n  - { account: \"464622532012\", nmae: x }\n");
        assert_eq!((l, c), (2, 32));
        assert!(
            m.contains("unknown key `nmae` in `third_party_accounts`"),
            "{m}"
        );
        let (l, _, m) = error("third_party_accounts:\n  - { name: x }\n");
        assert_eq!(l, 2);
        assert!(m.contains("no `account`"), "{m}");
        let (_, _, m) = error("third_party_accounts: [\"464622532012\"]\n");
        assert!(
            m.contains("entries must be {account, name} mappings"),
            "{m}"
        );
        let (_, _, m) = error("third_party_accounts:\n  - { account: \"4646\" }\n");
        assert!(m.contains("`third_party_accounts.account`"), "{m}");
    }

    #[test]
    fn unknown_rule_ids_are_errors() {
        let (l, c, m) = error("rules:\n  TL999: { enabled: false }\n");
        assert_eq!((l, c), (2, 3));
        assert!(m.contains("unknown rule ID `TL999`"), "{m}");
    }

    #[test]
    fn rule_ids_are_case_insensitive() {
        let c = parse("rules:\n  tl050: { enabled: false }\n").map_err(|e| e.to_string());
        assert_eq!(c.map(|c| c.rule_enabled("TL050")), Ok(false));
    }

    #[test]
    fn rule_settings_are_checked() {
        let (l, c, m) = error("rules:\n  TL013:\n    severity: critical\n");
        assert_eq!((l, c), (3, 15));
        assert!(
            m.contains("`rules.TL013.severity` must be one of error, warning, note"),
            "{m}"
        );
        let (l, c, m) = error("rules:\n  TL013:\n    enabled: yes\n");
        assert_eq!((l, c), (3, 14));
        assert!(
            m.contains("`rules.TL013.enabled` must be true or false, found \"yes\""),
            "{m}"
        );
        let (l, c, m) = error("rules:\n  TL013:\n    serverity: error\n");
        assert_eq!((l, c), (3, 5));
        assert!(
            m.contains("unknown key `serverity` in `rules.TL013`"),
            "{m}"
        );
        let (_, _, m) = error("rules:\n  TL020: { allowed_service_sets: [a.amazonaws.com] }\n");
        assert!(
            m.contains("`rules.TL020.allowed_service_sets` must be a list of lists"),
            "{m}"
        );
        let (_, _, m) = error("rules:\n  TL013: error\n");
        assert!(m.contains("`rules.TL013` must be a mapping"), "{m}");
        let (_, _, m) = error("rules:\n  TL013: {}\n  tl013: {}\n");
        assert!(m.contains("configured twice"), "{m}");
    }

    #[test]
    fn invalid_yaml_and_duplicate_keys() {
        let (l, _, m) = error("trusted_accounts: [\"1\"\nrules: {}\n");
        assert!(l >= 1 && m.starts_with("invalid YAML"), "{l} {m}");
        let (l, _, m) = error("exclude: []\nexclude: []\n");
        assert_eq!(l, 2);
        assert!(m.contains("duplicated key"), "{m}");
    }

    #[test]
    fn tags_and_bad_globs_are_rejected() {
        let (_, _, m) = error("required_tags: [!Ref owner]\n");
        assert!(m.contains("tags are not allowed"), "{m}");
        let (l, c, m) = error("exclude: [\"a/**\", \"b/[\"]\n");
        assert_eq!((l, c), (1, 19));
        assert!(m.contains("`exclude`: invalid glob"), "{m}");
        assert!(parse("required_tags: [!!str 123]\n").is_ok());
    }

    #[test]
    fn load_reports_missing_files() {
        let e = Config::load(Path::new("/nonexistent/.trustlint.yml")).err();
        assert!(e.is_some_and(|e| e.message.contains("cannot read configuration")));
    }
}
