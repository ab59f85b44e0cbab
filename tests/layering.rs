//! The layering of docs/architecture.md holds: no module of `src/` names a module of a higher
//! layer. Every file is parsed with syn; the paths it uses (`use` trees, paths in code and
//! types, `crate::` in macro bodies and attributes) are resolved from the file's module to the
//! top-level module they reach. Doc comments are not read: a link in prose is no dependency.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use syn::visit::Visit;

/// The layers, lowest first. A module may use modules of lower layers only; the modules of
/// one layer are independent of each other, so no cycle can form. Every top-level module of
/// the library must be listed, so a new one gets a place.
const LAYERS: &[&[&str]] = &[
    &["util"],
    &["error", "dates", "slug", "suggest", "progress", "testing"],
    &["load", "output"],
    &["model"],
    &["images"],
    &["render"],
    &["generators"],
    &["build"],
    &["commands", "serve", "import"],
];

/// Known upward uses, each with its reason. Keep this short.
const EXCEPTIONS: &[(&str, &str, &str)] = &[(
    "model",
    "images",
    "model::Site carries the processed-image registry (images::Images) that pages and \
     bodies read; images itself is built from the model's articles and assets",
)];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

/// The module path of a source file: `src/render/seo.rs` → `["render", "seo"]`.
fn module_path(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).expect("file under src/");
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let last = parts.pop().expect("a file name");
    let stem = last.strip_suffix(".rs").expect("a .rs file");
    if stem != "mod" && stem != "lib" {
        parts.push(stem.to_string());
    }
    parts
}

/// Collects the top-level modules a file's paths reach.
struct Uses {
    /// The module the visitor is in (the file's, plus inline `mod`s).
    module: Vec<String>,
    /// Top-level modules reached, with a path that shows where.
    reached: BTreeMap<String, String>,
}

impl Uses {
    /// Resolves a path written in the current module; records it when it leaves that
    /// module's top-level module through `crate::` or `super::`.
    fn record(&mut self, segments: &[String]) {
        let mut resolved: Vec<String> = match segments.first().map(String::as_str) {
            Some("crate") => Vec::new(),
            Some("super") | Some("self") => self.module.clone(),
            _ => return,
        };
        let mut rest = segments;
        if rest[0] == "crate" {
            rest = &rest[1..];
        }
        for seg in rest {
            match seg.as_str() {
                "super" => {
                    resolved.pop();
                }
                "self" => {}
                _ => {
                    resolved.push(seg.clone());
                    break;
                }
            }
        }
        if let Some(top) = resolved.first() {
            self.reached
                .entry(top.clone())
                .or_insert_with(|| segments.join("::"));
        }
    }

    /// `crate::x` inside token streams that syn does not parse (macro bodies, attributes).
    fn scan_tokens(&mut self, text: &str) {
        let text: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        for (i, _) in text.match_indices("crate::") {
            let after = &text[i + "crate::".len()..];
            let ident: String = after
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !ident.is_empty() {
                self.record(&["crate".to_string(), ident]);
            }
        }
    }

    fn use_tree(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree) {
        match tree {
            syn::UseTree::Path(p) => {
                prefix.push(p.ident.to_string());
                self.use_tree(prefix, &p.tree);
                prefix.pop();
            }
            syn::UseTree::Name(n) => self.use_leaf(prefix, n.ident.to_string()),
            syn::UseTree::Rename(r) => self.use_leaf(prefix, r.ident.to_string()),
            syn::UseTree::Glob(_) => self.record(prefix),
            syn::UseTree::Group(g) => {
                for t in &g.items {
                    self.use_tree(prefix, t);
                }
            }
        }
    }

    fn use_leaf(&mut self, prefix: &[String], name: String) {
        let mut full = prefix.to_vec();
        full.push(name);
        self.record(&full);
    }
}

impl<'ast> Visit<'ast> for Uses {
    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        self.module.push(m.ident.to_string());
        syn::visit::visit_item_mod(self, m);
        self.module.pop();
    }

    fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
        self.use_tree(&mut Vec::new(), &u.tree);
    }

    fn visit_path(&mut self, p: &'ast syn::Path) {
        let segments: Vec<String> = p.segments.iter().map(|s| s.ident.to_string()).collect();
        self.record(&segments);
        syn::visit::visit_path(self, p);
    }

    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        self.scan_tokens(&m.tokens.to_string());
        syn::visit::visit_macro(self, m);
    }

    fn visit_attribute(&mut self, a: &'ast syn::Attribute) {
        if !a.path().is_ident("doc") {
            let tokens = match &a.meta {
                syn::Meta::List(l) => l.tokens.to_string(),
                syn::Meta::NameValue(nv) => quote_expr(&nv.value),
                syn::Meta::Path(_) => String::new(),
            };
            self.scan_tokens(&tokens);
        }
    }
}

/// The text of a string literal in an attribute (`#[serde(with = "crate::…")]` is a list,
/// this covers `#[x = "crate::…"]`).
fn quote_expr(e: &syn::Expr) -> String {
    match e {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s),
            ..
        }) => s.value(),
        _ => String::new(),
    }
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src/") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// (file's top-level module, module it reaches, example path) for every library file.
fn edges(src: &Path) -> Vec<(String, String, String, PathBuf)> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    files.sort();
    let mut out = Vec::new();
    for file in files {
        let module = module_path(src, &file);
        // lib.rs declares the modules; main.rs is the binary, above every layer.
        let Some(top) = module.first().cloned() else {
            continue;
        };
        if top == "main" {
            continue;
        }
        let text = std::fs::read_to_string(&file).expect("read a source file");
        let ast = syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let mut uses = Uses {
            module,
            reached: BTreeMap::new(),
        };
        uses.visit_file(&ast);
        for (to, example) in uses.reached {
            if to != top {
                out.push((top.clone(), to, example, file.clone()));
            }
        }
    }
    out
}

/// The upward uses among `edges`, as readable lines.
fn violations(edges: &[(String, String, String, PathBuf)]) -> Vec<String> {
    let mut bad = Vec::new();
    for (from, to, example, file) in edges {
        let (Some(lf), Some(lt)) = (layer_of(from), layer_of(to)) else {
            bad.push(format!(
                "{}: `{from}` or `{to}` is in no layer of tests/layering.rs",
                file.display()
            ));
            continue;
        };
        let excepted = EXCEPTIONS.iter().any(|(f, t, _)| f == from && t == to);
        if lt >= lf && !excepted {
            bad.push(format!(
                "{}: `{from}` (layer {lf}) uses `{example}` of layer {lt}, not a lower one",
                file.display()
            ));
        }
    }
    bad
}

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

#[test]
fn no_module_uses_a_higher_layer() {
    let edges = edges(&src_dir());
    // The scan must see the pipeline's real uses, or it proves nothing.
    for (from, to) in [
        ("model", "load"),
        ("render", "model"),
        ("generators", "render"),
    ] {
        assert!(
            edges.iter().any(|(f, t, _, _)| f == from && t == to),
            "expected `{from}` to use `{to}`; is the scan reading the files?"
        );
    }
    let bad = violations(&edges);
    assert!(bad.is_empty(), "layering broken:\n{}", bad.join("\n"));
}

#[test]
fn util_is_a_leaf() {
    let edges = edges(&src_dir());
    let from_util: Vec<_> = edges.iter().filter(|(f, ..)| f == "util").collect();
    assert!(from_util.is_empty(), "util uses {from_util:?}");
}

#[test]
fn every_module_has_a_layer_and_every_exception_is_needed() {
    let lib = std::fs::read_to_string(src_dir().join("lib.rs")).expect("read lib.rs");
    let ast = syn::parse_file(&lib).expect("parse lib.rs");
    let modules: BTreeSet<String> = ast
        .items
        .iter()
        .filter_map(|i| match i {
            syn::Item::Mod(m) => Some(m.ident.to_string()),
            _ => None,
        })
        .collect();
    assert!(modules.len() >= 15, "lib.rs declares {modules:?}");
    for m in &modules {
        assert!(layer_of(m).is_some(), "module `{m}` is in no layer");
    }
    let edges = edges(&src_dir());
    for (from, to, why) in EXCEPTIONS {
        assert!(
            edges.iter().any(|(f, t, _, _)| f == from && t == to),
            "exception {from} → {to} ({why}) is no longer needed: remove it"
        );
    }
}

#[test]
fn the_scan_catches_an_upward_use() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let src = dir.path().join("src");
    std::fs::create_dir_all(src.join("load")).expect("create src/load");
    std::fs::write(
        src.join("load/mod.rs"),
        "mod inner { fn f() { let _ = crate::render::x(); } }\n\
         #[cfg(test)] mod tests { use super::super::model::Site; }\n",
    )
    .expect("write a file");
    std::fs::write(
        src.join("util.rs"),
        "fn g() { format!(\"{}\", crate::error::E); }\n",
    )
    .expect("write a file");
    std::fs::write(src.join("dates.rs"), "use crate::slug::slugify;\n").expect("write a file");
    let bad = violations(&edges(&src));
    assert_eq!(bad.len(), 4, "{bad:#?}");
    assert!(
        bad.iter().any(|b| b.contains("crate::render::x")),
        "{bad:#?}"
    );
    assert!(
        bad.iter().any(|b| b.contains("super::super::model")),
        "{bad:#?}"
    );
    assert!(
        bad.iter()
            .any(|b| b.contains("`util`") && b.contains("crate::error")),
        "{bad:#?}"
    );
    assert!(
        bad.iter().any(|b| b.contains("crate::slug::slugify")),
        "{bad:#?}"
    );
}
