//! No module imports one above it (docs/architecture.md): every `crate::…` path in
//! `src/**` is checked against the layers below. A new back-edge fails here; so
//! does a known one that is gone (strike it from `KNOWN`, so the list only shrinks).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The layers, lowest first. A module may use its own layer and those before it.
/// A name is a top-level module of `src/`, or `a::b` for a leaf inside one that
/// sits lower than the rest of its folder.
const LAYERS: &[&[&str]] = &[
    // Pure and leaf platform parts: no database, no web.
    // (`code_enum` is the macro `codes` exports at the crate root.)
    &["rules", "config", "error", "input", "queues", "cache", "tz", "codes", "code_enum"],
    &["db"],
    // The platform: sessions, people and permissions, the audit log, web plumbing,
    // and the state every handler shares.
    &["people", "audit", "auth", "web", "app::state", "decision"],
    &["demo::ctx"],
    // Features, each above those it builds on.
    &["catalog"],
    &["inventory"],
    &["partners"],
    &["contracts"],
    &["purchasing"],
    &["stocktake"],
    &["orders"],
    &["after_sales"],
    &["complaints"],
    &["campaigns"],
    // Targets read the orders' and refunds' tables in their own SQL.
    &["targets"],
    &["payroll"],
    &["imports"],
    &["hr"],
    &["dashboard"],
    // Pages that read across the features, then what starts the program.
    &["home"],
    &["demo"],
    // The router merges every feature; the command line starts it.
    &["app"],
    &["cli"],
];

/// Back-edges that exist today, each to be removed (issue "The house in order").
/// (from, to, why it is still there).
const KNOWN: &[(&str, &str, &str)] = &[
    ("app::state", "home", "AppState holds the home-summary cache, whose type is home's"),
    ("catalog", "inventory", "the product page shows stock movements: MovementRow belongs in inventory::ledger"),
    ("partners", "contracts", "a partner's page lists its contracts: should come through a queue-like interface"),
];

fn layer_of(node: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&node))
}

/// The node a path such as `crate::demo::ctx::Ctx` or `crate::hr::x` belongs to.
fn node_of(path: &str) -> String {
    let mut parts = path.split("::");
    let first = parts.next().unwrap_or_default();
    if let Some(second) = parts.next() {
        let leaf = format!("{first}::{second}");
        if layer_of(&leaf).is_some() {
            return leaf;
        }
    }
    first.to_owned()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every (from, to) module edge of `src/`, with one file that makes it.
fn edges() -> Vec<(String, String, String)> {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut out = Vec::new();
    for file in files {
        let rel = file.strip_prefix(&src).expect("under src").with_extension("");
        let rel = rel.to_string_lossy().replace('/', "::");
        let rel = rel.strip_suffix("::mod").unwrap_or(&rel);
        if matches!(rel, "lib" | "main") {
            continue;
        }
        let from = node_of(rel);
        let text = std::fs::read_to_string(&file).expect("read file");
        // Comments name modules without importing them.
        let text: String =
            text.lines().map(|l| if l.trim_start().starts_with("//") { "" } else { l }).collect::<Vec<_>>().join("\n");
        // Paths inside `use crate::{a, b::c}` groups count too.
        let mut targets = BTreeSet::new();
        for (i, _) in text.match_indices("crate::") {
            let rest = &text[i + "crate::".len()..];
            if let Some(group) = rest.strip_prefix('{') {
                let end = group.find('}').unwrap_or(group.len());
                for item in group[..end].split(',') {
                    let item = item.trim();
                    if !item.is_empty() {
                        targets.insert(node_of(item.split(['{', ' ']).next().unwrap_or(item).trim_end_matches("::")));
                    }
                }
                continue;
            }
            let path: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':').collect();
            targets.insert(node_of(path.trim_end_matches(':')));
        }
        for to in targets {
            if to != from && !to.is_empty() {
                out.push((from.clone(), to, file.display().to_string()));
            }
        }
    }
    out
}

#[test]
fn no_module_imports_one_above_it() {
    let mut unknown = BTreeSet::new();
    let mut back = BTreeSet::new();
    for (from, to, file) in edges() {
        let (Some(lf), Some(lt)) = (layer_of(&from), layer_of(&to)) else {
            unknown.insert(format!("{from} -> {to} ({file}): add the module to LAYERS"));
            continue;
        };
        if lt > lf {
            back.insert((from, to, file));
        }
    }
    assert!(unknown.is_empty(), "modules the layering does not know:\n{}", Vec::from_iter(unknown).join("\n"));
    let found: BTreeSet<(String, String)> = back.iter().map(|(f, t, _)| (f.clone(), t.clone())).collect();
    let new: Vec<String> = back
        .iter()
        .filter(|(f, t, _)| !KNOWN.iter().any(|(kf, kt, _)| kf == f && kt == t))
        .map(|(f, t, file)| format!("{f} -> {t} (in {file})"))
        .collect();
    assert!(new.is_empty(), "a module imports one above it:\n{}", new.join("\n"));
    let gone: Vec<&str> =
        KNOWN.iter().filter(|(f, t, _)| !found.contains(&(f.to_string(), t.to_string()))).map(|(f, _, _)| *f).collect();
    assert!(gone.is_empty(), "known back-edges that are gone (strike them from KNOWN): {gone:?} {found:?}");
}

#[test]
fn the_check_sees_use_groups_and_inline_paths() {
    assert_eq!(node_of("demo::ctx::Ctx"), "demo::ctx");
    assert_eq!(node_of("demo::DEMO_PASSWORD"), "demo");
    assert_eq!(node_of("app::state::AppState"), "app::state");
    assert_eq!(node_of("app"), "app");
    assert!(layer_of("rules") < layer_of("db") && layer_of("catalog") < layer_of("inventory"));
    // The real tree has edges of every kind the parser reads.
    let all = edges();
    assert!(all.iter().any(|(f, t, _)| f == "inventory" && t == "catalog"), "use crate::catalog::…");
    assert!(all.iter().any(|(f, t, _)| f == "home" && t == "purchasing"), "an inline crate::purchasing::… call");
}
