//! Terraform resource addresses: `module.a["x"].module.b.data.aws_iam_policy_document.d[0]`.

/// One module step of an address: the call name and the instance key as written (`["x"]`, `[0]`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ModuleStep {
    pub name: String,
    pub key: Option<String>,
}

/// A parsed resource instance address.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Address {
    pub modules: Vec<ModuleStep>,
    pub data: bool,
    pub type_: String,
    pub name: String,
    /// The instance key as written, brackets included (`["prod"]`, `[0]`).
    pub index: Option<String>,
}

/// Splits an address into `.`-separated segments, attaching `[...]` keys to the segment before them.
/// Quotes inside brackets may contain dots and brackets.
fn segments(addr: &str) -> Option<Vec<(String, Option<String>)>> {
    let mut out: Vec<(String, Option<String>)> = Vec::new();
    let mut cur = String::new();
    let mut key: Option<String> = None;
    let mut chars = addr.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '.' => {
                if cur.is_empty() {
                    return None;
                }
                out.push((std::mem::take(&mut cur), key.take()));
            }
            '[' => {
                let mut k = String::from("[");
                let mut in_str = false;
                let mut closed = false;
                while let Some(c) = chars.next() {
                    k.push(c);
                    if in_str {
                        if c == '\\' {
                            if let Some(n) = chars.next() {
                                k.push(n);
                            }
                        } else if c == '"' {
                            in_str = false;
                        }
                    } else if c == '"' {
                        in_str = true;
                    } else if c == ']' {
                        closed = true;
                        break;
                    }
                }
                if !closed || key.is_some() {
                    return None;
                }
                key = Some(k);
            }
            c => {
                if key.is_some() {
                    return None;
                }
                cur.push(c);
            }
        }
    }
    if cur.is_empty() {
        return None;
    }
    out.push((cur, key));
    Some(out)
}

impl Address {
    pub fn parse(addr: &str) -> Option<Address> {
        let segs = segments(addr)?;
        let mut i = 0;
        let mut modules = Vec::new();
        while segs
            .get(i)
            .is_some_and(|s| s.0 == "module" && s.1.is_none())
            && segs.len() > i + 2
        {
            let (name, key) = segs.get(i + 1)?.clone();
            modules.push(ModuleStep { name, key });
            i += 2;
        }
        let mut data = false;
        if segs.get(i).is_some_and(|s| s.0 == "data" && s.1.is_none()) {
            data = true;
            i += 1;
        }
        let (type_, tkey) = segs.get(i)?.clone();
        let (name, index) = segs.get(i + 1)?.clone();
        if tkey.is_some() || segs.len() != i + 2 {
            return None;
        }
        Some(Address {
            modules,
            data,
            type_,
            name,
            index,
        })
    }

    /// The module instance prefix (`module.a["x"].module.b`), empty for the root module.
    pub fn module_instance(&self) -> String {
        module_instance_string(&self.modules)
    }

    /// Module call names without instance keys: the path into `configuration`.
    pub fn config_path(&self) -> Vec<String> {
        self.modules.iter().map(|m| m.name.clone()).collect()
    }

    /// The resource within its module, without instance key (`data.aws_iam_policy_document.d`): the address
    /// used by `configuration`.
    pub fn config_address(&self) -> String {
        if self.data {
            format!("data.{}.{}", self.type_, self.name)
        } else {
            format!("{}.{}", self.type_, self.name)
        }
    }

    /// The full address without the resource's own instance key.
    pub fn without_index(&self) -> String {
        join(&self.module_instance(), &self.config_address())
    }

    /// The full address with every instance key removed (modules included).
    pub fn without_any_index(&self) -> String {
        let mut s = String::new();
        for m in &self.modules {
            s.push_str("module.");
            s.push_str(&m.name);
            s.push('.');
        }
        s.push_str(&self.config_address());
        s
    }

    pub fn to_string_full(&self) -> String {
        let mut s = self.without_index();
        if let Some(i) = &self.index {
            s.push_str(i);
        }
        s
    }
}

/// `module.a["x"].module.b` from steps.
pub fn module_instance_string(steps: &[ModuleStep]) -> String {
    let mut s = String::new();
    for m in steps {
        if !s.is_empty() {
            s.push('.');
        }
        s.push_str("module.");
        s.push_str(&m.name);
        if let Some(k) = &m.key {
            s.push_str(k);
        }
    }
    s
}

/// Joins a module instance prefix and a relative address.
pub fn join(module: &str, rel: &str) -> String {
    if module.is_empty() {
        rel.to_string()
    } else {
        format!("{module}.{rel}")
    }
}

/// A reference from `configuration` expressions, split into its head and the rest:
/// `aws_iam_role.r[0].arn` → resource `aws_iam_role.r`, key `[0]`, attribute path `arn`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reference {
    Var(String),
    Local(String),
    /// `module.NAME[key].OUTPUT`
    ModuleOutput {
        name: String,
        key: Option<String>,
        output: Option<String>,
    },
    /// `[data.]TYPE.NAME[key].ATTR…`
    Resource {
        data: bool,
        type_: String,
        name: String,
        key: Option<String>,
        attr: Option<String>,
    },
    /// `each.key`, `count.index`, `path.module`, `terraform.workspace`, `self.…`
    Meta(String),
}

impl Reference {
    pub fn parse(r: &str) -> Option<Reference> {
        let segs = segments(r)?;
        let first = segs.first()?;
        let seg = |i: usize| segs.get(i).map(|s| s.0.clone());
        match first.0.as_str() {
            "var" => Some(Reference::Var(seg(1)?)),
            "local" => Some(Reference::Local(seg(1)?)),
            "each" | "count" | "path" | "terraform" | "self" => Some(Reference::Meta(r.into())),
            "module" => {
                let (name, key) = segs.get(1)?.clone();
                Some(Reference::ModuleOutput {
                    name,
                    key,
                    output: seg(2),
                })
            }
            "data" => {
                let (type_, _) = segs.get(1)?.clone();
                let (name, key) = segs.get(2)?.clone();
                Some(Reference::Resource {
                    data: true,
                    type_,
                    name,
                    key,
                    attr: seg(3),
                })
            }
            _ => {
                let (type_, _) = first.clone();
                let (name, key) = segs.get(1)?.clone();
                Some(Reference::Resource {
                    data: false,
                    type_,
                    name,
                    key,
                    attr: seg(2),
                })
            }
        }
    }
}

#[cfg(test)]
mod tests;
