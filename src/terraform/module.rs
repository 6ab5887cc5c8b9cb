//! One Terraform module = one directory: its files parsed once and indexed by what they declare.

use super::ast::{Attr, Block, Body};
use super::fastparse;
use super::lower::Lowerer;
use super::tfjson;
use crate::discover::{Discovered, FileKind};
use crate::model::Diagnostic;
use crate::source::{SourceFile, SourceMap, Span};
use foldhash::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A parsed directory.
#[derive(Debug, Default)]
pub struct Module {
    pub dir: PathBuf,
    /// Directory relative to the working directory (`/`-separated, `.` for the current one).
    pub rel: String,
    /// The scan root the directory was found under (`file()` is confined to it).
    pub root: PathBuf,
    /// Top-level blocks of every `.tf`/`.tf.json` file, in file order.
    pub blocks: Vec<Block>,
    pub variables: HashMap<String, usize>,
    /// `locals` entries: (block index, attribute index).
    pub locals: HashMap<String, (usize, usize)>,
    /// (type, name) → block index; `resource` blocks in source order in `resource_order`.
    pub resources: HashMap<(String, String), usize>,
    pub resource_order: Vec<usize>,
    pub data: HashMap<(String, String), usize>,
    pub data_order: Vec<usize>,
    pub calls: HashMap<String, usize>,
    pub call_order: Vec<usize>,
    pub outputs: HashMap<String, usize>,
    /// `terraform.tfvars`, `terraform.tfvars.json`, `*.auto.tfvars(.json)`, in Terraform's precedence order.
    pub tfvars: Vec<Body>,
    /// Names of `data "aws_iam_policy_document"` blocks referenced by resources other than roles (bucket
    /// policies, KMS key policies…): those are not standalone trust documents.
    pub docs_used_by_resources: foldhash::HashSet<String>,
    /// Terraform files read (for stats).
    pub files: usize,
    pub diagnostics: Vec<Diagnostic>,
}

impl Module {
    pub fn attr_of_local(&self, name: &str) -> Option<&Attr> {
        let (b, a) = *self.locals.get(name)?;
        self.blocks.get(b)?.body.attrs.get(a)
    }

    pub fn block(&self, i: usize) -> Option<&Block> {
        self.blocks.get(i)
    }

    pub fn resource(&self, ty: &str, name: &str) -> Option<&Block> {
        let i = *self.resources.get(&(ty.to_string(), name.to_string()))?;
        self.blocks.get(i)
    }

    pub fn data_block(&self, ty: &str, name: &str) -> Option<&Block> {
        let i = *self.data.get(&(ty.to_string(), name.to_string()))?;
        self.blocks.get(i)
    }

    pub fn variable(&self, name: &str) -> Option<&Block> {
        self.blocks.get(*self.variables.get(name)?)
    }

    pub fn call(&self, name: &str) -> Option<&Block> {
        self.blocks.get(*self.calls.get(name)?)
    }

    pub fn output(&self, name: &str) -> Option<&Block> {
        self.blocks.get(*self.outputs.get(name)?)
    }

    /// A module from already-parsed top-level blocks (tests, generated input).
    pub fn from_blocks(dir: PathBuf, rel: String, root: PathBuf, blocks: Vec<Block>) -> Module {
        let mut m = Module {
            dir,
            rel,
            root,
            blocks,
            ..Module::default()
        };
        m.index();
        m
    }

    fn index(&mut self) {
        for (i, b) in self.blocks.iter().enumerate() {
            let l0 = b.label(0).map(str::to_string);
            let l1 = b.label(1).map(str::to_string);
            match (b.ty.as_str(), l0, l1) {
                ("variable", Some(n), _) => {
                    self.variables.insert(n, i);
                }
                ("locals", ..) => {
                    for (j, a) in b.body.attrs.iter().enumerate() {
                        self.locals.insert(a.name.clone(), (i, j));
                    }
                }
                ("resource", Some(t), Some(n)) => {
                    let fresh = self.resources.insert((t, n), i).is_none();
                    push_if(&mut self.resource_order, fresh, i);
                }
                ("data", Some(t), Some(n)) => {
                    let fresh = self.data.insert((t, n), i).is_none();
                    push_if(&mut self.data_order, fresh, i);
                }
                ("module", Some(n), _) => {
                    let fresh = self.calls.insert(n, i).is_none();
                    push_if(&mut self.call_order, fresh, i);
                }
                ("output", Some(n), _) => {
                    self.outputs.insert(n, i);
                }
                _ => {}
            }
        }
        for &i in &self.resource_order {
            let Some(b) = self.blocks.get(i) else {
                continue;
            };
            if b.label(0) == Some("aws_iam_role") {
                continue;
            }
            collect_doc_refs(&b.body, &mut self.docs_used_by_resources, 0);
        }
        // A duplicate declaration keeps the first position but the last definition (override files).
        self.resource_order
            .retain(|i| self.blocks.get(*i).is_some_and(|b| b.ty == "resource"));
    }
}

fn collect_doc_refs(body: &Body, out: &mut foldhash::HashSet<String>, depth: usize) {
    if depth > 32 {
        return;
    }
    for a in &body.attrs {
        expr_doc_refs(&a.expr, out, 0);
    }
    for b in &body.blocks {
        collect_doc_refs(&b.body, out, depth + 1);
    }
}

fn expr_doc_refs(e: &super::ast::Expr, out: &mut foldhash::HashSet<String>, depth: usize) {
    use super::ast::{Expr, Key, TPart};
    if depth > 256 {
        return;
    }
    let d = depth + 1;
    match e {
        Expr::Traversal(head, ops, _) => {
            if let Some(p) = e.traversal_path() {
                if let ["data", "aws_iam_policy_document", name, ..] = p.as_slice() {
                    out.insert((*name).to_string());
                }
            }
            expr_doc_refs(head, out, d);
            for op in ops {
                if let super::ast::TOp::Index(x) = op {
                    expr_doc_refs(x, out, d);
                }
            }
        }
        Expr::Template(t) => {
            for p in &t.parts {
                match p {
                    TPart::Interp(x, ..) => expr_doc_refs(x, out, d),
                    TPart::If { cond, .. } => expr_doc_refs(cond, out, d),
                    TPart::For { coll, .. } => expr_doc_refs(coll, out, d),
                    TPart::Lit(_) => {}
                }
            }
        }
        Expr::Array(items, _) => items.iter().for_each(|x| expr_doc_refs(x, out, d)),
        Expr::Object(entries, _) => entries.iter().for_each(|(k, x)| {
            if let Key::Expr(k) = k {
                expr_doc_refs(k, out, d);
            }
            expr_doc_refs(x, out, d);
        }),
        Expr::Call(c) => c.args.iter().for_each(|x| expr_doc_refs(x, out, d)),
        Expr::Cond(xs, _) => xs.iter().for_each(|x| expr_doc_refs(x, out, d)),
        Expr::Unary(_, x, _) => expr_doc_refs(x, out, d),
        Expr::Binary(_, xs, _) => xs.iter().for_each(|x| expr_doc_refs(x, out, d)),
        Expr::For(f) => {
            expr_doc_refs(&f.coll, out, d);
            expr_doc_refs(&f.value_expr, out, d);
        }
        _ => {}
    }
}

fn push_if(v: &mut Vec<usize>, cond: bool, i: usize) {
    if cond {
        v.push(i);
    }
}

/// Reads and parses one file. The text is registered in the source map whatever happens.
pub fn read_source(
    path: &Path,
    rel: &str,
    sources: &SourceMap,
) -> Result<Arc<SourceFile>, Diagnostic> {
    match crate::source::read_file(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => Ok(sources.add(path.to_path_buf(), rel.to_string(), text)),
            Err(e) => {
                let offset = e.utf8_error().valid_up_to();
                let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
                let f = sources.add(path.to_path_buf(), rel.to_string(), lossy);
                Err(Diagnostic::ParseError {
                    message: format!("file is not valid UTF-8 (invalid byte at offset {offset})"),
                    span: f.span(offset, offset),
                    resource: None,
                })
            }
        },
        Err(e) => {
            let f = sources.add(path.to_path_buf(), rel.to_string(), String::new());
            Err(Diagnostic::ParseError {
                message: format!("cannot read file: {e}"),
                span: f.whole(),
                resource: None,
            })
        }
    }
}

/// Parses HCL text into a body; a syntax error becomes a TL900 diagnostic at the parser's position.
///
/// The fast parser takes what it is certain of; whatever it declines (every syntax error among it) goes
/// through hcl-edit, which stays the reference and the error reporter.
pub fn parse_hcl(file: &SourceFile) -> Result<Body, Diagnostic> {
    match fastparse::parse(file.id, &file.text) {
        Some(body) => Ok(body),
        None => parse_hcl_reference(file),
    }
}

/// hcl-edit's parse, lowered: the reference the fast parser must agree with, and the source of every HCL
/// syntax error message.
pub fn parse_hcl_reference(file: &SourceFile) -> Result<Body, Diagnostic> {
    match hcl::edit::parser::parse_body(&file.text) {
        Ok(body) => Ok(Lowerer::new(file.id, &file.text).body(&body)),
        Err(e) => {
            let off = e.location().offset().min(file.text.len());
            let end = next_char_end(&file.text, off);
            Err(Diagnostic::ParseError {
                message: format!("HCL syntax error: {}", e.message()),
                span: file.span(off, end),
                resource: None,
            })
        }
    }
}

fn next_char_end(text: &str, off: usize) -> usize {
    let mut off = off.min(text.len());
    while off > 0 && !text.is_char_boundary(off) {
        off -= 1;
    }
    text[off..]
        .chars()
        .next()
        .map(|c| off + c.len_utf8())
        .unwrap_or(off)
}

/// Parses a file of either syntax (by name) into a body.
pub fn parse_file(file: &SourceFile, json: bool, diags: &mut Vec<Diagnostic>) -> Option<Body> {
    if json {
        match tfjson::parse(file, diags) {
            Ok(b) => Some(b),
            Err(d) => {
                diags.push(d);
                None
            }
        }
    } else {
        match parse_hcl(file) {
            Ok(b) => Some(b),
            Err(d) => {
                diags.push(d);
                None
            }
        }
    }
}

fn is_override(name: &str) -> bool {
    let stem = name
        .strip_suffix(".tf.json")
        .or_else(|| name.strip_suffix(".tf"))
        .unwrap_or(name);
    stem == "override" || stem.ends_with("_override")
}

/// Rank of a tfvars file in Terraform's precedence (lower is applied first).
fn tfvars_rank(name: &str) -> u8 {
    match name {
        "terraform.tfvars" => 0,
        "terraform.tfvars.json" => 1,
        _ => 2,
    }
}

/// Parses the files of one directory into a [`Module`].
pub fn load(dir: &Path, files: &[&Discovered], sources: &SourceMap) -> Module {
    read(dir, files, sources).parse()
}

/// The files of one directory, each read and registered in the source map once, so that the directory can
/// be parsed again (its syntax tree freed in between) without reading or reporting anything twice.
pub struct DirFiles {
    pub dir: PathBuf,
    pub rel: String,
    root: PathBuf,
    /// `.tf`/`.tf.json` files in merge order (override files last), with whether each is JSON.
    tf: Vec<(Arc<SourceFile>, bool)>,
    /// tfvars files in Terraform's precedence order, with whether each is JSON.
    tfvars: Vec<(Arc<SourceFile>, bool)>,
    files: usize,
    /// Files that could not be read.
    diagnostics: Vec<Diagnostic>,
}

/// Reads the files of one directory.
pub fn read(dir: &Path, files: &[&Discovered], sources: &SourceMap) -> DirFiles {
    let mut out = DirFiles {
        dir: dir.to_path_buf(),
        rel: rel_dir(files.first().map(|f| f.rel.as_str()).unwrap_or(".")),
        root: files.first().map(|f| f.root.clone()).unwrap_or_default(),
        tf: Vec::new(),
        tfvars: Vec::new(),
        files: 0,
        diagnostics: Vec::new(),
    };
    let mut tf: Vec<&&Discovered> = files
        .iter()
        .filter(|f| matches!(f.kind, FileKind::Terraform | FileKind::TerraformJson))
        .collect();
    // Override files are merged last (their blocks replace the originals).
    let overrides = |f: &Discovered| {
        f.path
            .file_name()
            .is_some_and(|n| is_override(&n.to_string_lossy()))
    };
    tf.sort_by(|a, b| {
        (overrides(a).cmp(&overrides(b))).then_with(|| crate::discover::path_cmp(&a.path, &b.path))
    });
    for f in tf {
        out.files += 1;
        match read_source(&f.path, &f.rel, sources) {
            Ok(file) => out.tf.push((file, f.kind == FileKind::TerraformJson)),
            Err(d) => out.diagnostics.push(d),
        }
    }
    let mut vars: Vec<&&Discovered> = files
        .iter()
        .filter(|f| f.kind == FileKind::Tfvars)
        .collect();
    vars.sort_by_key(|f| {
        let name = file_name(&f.path);
        (tfvars_rank(&name.to_ascii_lowercase()), name)
    });
    for f in vars {
        out.files += 1;
        match read_source(&f.path, &f.rel, sources) {
            Ok(file) => {
                let json = file_name(&f.path).to_ascii_lowercase().ends_with(".json");
                out.tfvars.push((file, json));
            }
            Err(d) => out.diagnostics.push(d),
        }
    }
    out
}

impl DirFiles {
    /// The module, with the read errors and every syntax error among its diagnostics.
    pub fn parse(&self) -> Module {
        let mut m = Module {
            dir: self.dir.clone(),
            rel: self.rel.clone(),
            root: self.root.clone(),
            files: self.files,
            diagnostics: self.diagnostics.clone(),
            ..Module::default()
        };
        for (file, json) in &self.tf {
            if let Some(body) = parse_file(file, *json, &mut m.diagnostics) {
                // Top-level attributes are not valid Terraform; they are ignored.
                m.blocks.extend(body.blocks);
            }
        }
        for (file, json) in &self.tfvars {
            if let Some(body) = parse_tfvars(file, *json, &mut m.diagnostics) {
                m.tfvars.push(body);
            }
        }
        m.index();
        m
    }

    /// Directories this one seems to call, from a textual look for `source = "./…"` / `"../…"` (HCL) and
    /// `"source": "…"` (JSON) without parsing. Only a hint: a miss or a false match costs time, never
    /// correctness.
    pub fn local_sources_hint(&self) -> Vec<PathBuf> {
        let mut out = Vec::new();
        for (file, _) in &self.tf {
            let text = file.text.as_str();
            for (at, _) in text.match_indices("source") {
                let rest = text.get(at + "source".len()..).unwrap_or_default();
                let rest = rest.strip_prefix('"').unwrap_or(rest).trim_start();
                let Some(rest) = rest.strip_prefix(['=', ':']) else {
                    continue;
                };
                let Some(rest) = rest.trim_start().strip_prefix('"') else {
                    continue;
                };
                let Some(value) = rest.split('"').next() else {
                    continue;
                };
                if value.starts_with("./")
                    || value.starts_with("../")
                    || value == "."
                    || value == ".."
                {
                    out.push(join_source(&self.dir, value));
                }
            }
        }
        out
    }

    /// Files of the directory, read or not.
    pub fn count(&self) -> usize {
        self.files
    }

    /// The module parsed once more: its files were already counted and its diagnostics already reported.
    pub fn reparse(&self) -> Module {
        let mut m = self.parse();
        m.files = 0;
        m.diagnostics.clear();
        m
    }
}

/// A tfvars file: HCL attributes, or a JSON object whose properties are the values.
pub fn parse_tfvars(file: &SourceFile, json: bool, diags: &mut Vec<Diagnostic>) -> Option<Body> {
    if json {
        match tfjson::parse_values(file) {
            Ok(b) => Some(b),
            Err(d) => {
                diags.push(d);
                None
            }
        }
    } else {
        match parse_hcl(file) {
            Ok(b) => Some(b),
            Err(d) => {
                diags.push(d);
                None
            }
        }
    }
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The directory part of a `/`-separated relative file path.
pub fn rel_dir(rel_file: &str) -> String {
    match rel_file.rsplit_once('/') {
        Some((d, _)) if !d.is_empty() => d.to_string(),
        _ => ".".to_string(),
    }
}

/// Joins a module source path to a directory lexically (`..` pops a component), as Terraform does.
pub fn join_source(dir: &Path, source: &str) -> PathBuf {
    let mut out = dir.to_path_buf();
    for comp in source.split(['/', '\\']) {
        out.push(comp);
    }
    clean_path(&out)
}

/// Lexical normalisation: no `.` components, `..` folded where a normal component precedes it.
pub fn clean_path(p: &Path) -> PathBuf {
    use std::path::Component;
    let mut parts: Vec<Component> = Vec::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => match parts.last() {
                Some(Component::Normal(_)) => {
                    parts.pop();
                }
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => parts.push(c),
            },
            c => parts.push(c),
        }
    }
    let out: PathBuf = parts.iter().collect();
    if out.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        out
    }
}

/// Spans of a block's attribute value, or its header when absent.
pub fn attr_or_header(b: &Block, name: &str) -> Span {
    b.body.attr(name).map(|a| a.span).unwrap_or(b.header)
}

/// All modules of a scan, by directory.
#[derive(Debug, Default)]
pub struct ModuleSet {
    pub modules: HashMap<PathBuf, Module>,
}

impl ModuleSet {
    pub fn get(&self, dir: &Path) -> Option<&Module> {
        self.modules.get(dir)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_sources_lexically() {
        assert_eq!(
            join_source(Path::new("a/b"), "../c/./d"),
            PathBuf::from("a/c/d")
        );
        assert_eq!(join_source(Path::new("a"), "./m"), PathBuf::from("a/m"));
        assert_eq!(join_source(Path::new("./a"), "../m"), PathBuf::from("m"));
        assert_eq!(join_source(Path::new("a"), ".."), PathBuf::from("."));
        assert_eq!(join_source(Path::new("."), "../x"), PathBuf::from("../x"));
        assert!(is_override("override.tf"));
        assert!(is_override("x_override.tf.json"));
        assert!(!is_override("main.tf"));
    }
}
