//! The house's rules (docs/architecture.md), checked on the source: the
//! methods import nothing above them, so that a method is one place and
//! every front end (the run config, the CLI flags, the study files) converts
//! its input into the method's own options.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The code of a file without its comments (`//` to the end of a line):
/// a doc comment may name a module above, an import may not.
fn code(text: &str) -> String {
    text.lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The top-level modules a file's code names as `crate::<module>`.
fn named(text: &str) -> BTreeSet<String> {
    let code = code(text);
    code.match_indices("crate::")
        .map(|(i, m)| {
            code[i + m.len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect::<String>()
        })
        .filter(|m| !m.is_empty())
        .collect()
}

#[test]
fn the_methods_import_nothing_above_them() {
    let root = common::repo().join("pipeline/methods");
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    assert!(files.len() >= 15, "{files:?}");
    let mut offences = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        for m in named(&text) {
            if m != "methods" {
                offences.push(format!("{}: crate::{m}", f.display()));
            }
        }
        // Nor by climbing out with `super::` from the top of methods/.
        // methods/stats.rs is methods::stats: `super::super::` is the crate;
        // methods/did/mod.rs is methods::did: `super::super::` too.
        let depth = f.strip_prefix(&root).unwrap().components().count();
        let up = if f.file_name().unwrap() == "mod.rs" {
            depth
        } else {
            depth + 1
        };
        let climb = "super::".repeat(up);
        if code(&text).contains(&climb) {
            offences.push(format!("{}: {climb}", f.display()));
        }
    }
    assert!(
        offences.is_empty(),
        "methods/ names what is above it:\n{}",
        offences.join("\n")
    );
}

#[test]
fn the_rule_checker_sees_an_import_and_ignores_a_comment() {
    // The check must be able to fail: an import is seen, a comment is not.
    assert!(named("use crate::config::Qca;").contains("config"));
    assert!(named("let x = crate::progress::bar(1);").contains("progress"));
    assert!(named("//! see crate::config for the keys").is_empty());
    assert!(named("foo(); // crate::render").is_empty());
}

/// Which top-level module names which: the graph docs/architecture.md draws,
/// printed for the reader (`cargo test --test architecture -- --nocapture`).
/// It must have no circle: data and imports run one way.
/// The graph of the modules in `root` (a file's module is its first path
/// component): what `names(code, directly_in_root)` finds in their files,
/// less themselves.
fn graph_of(
    root: &Path,
    names: impl Fn(&str, bool) -> BTreeSet<String>,
) -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    rust_files(root, &mut files);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in &files {
        let rel = f.strip_prefix(root).unwrap();
        let top = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_string();
        let text = std::fs::read_to_string(f).unwrap();
        let direct = rel.components().count() == 1;
        let edges = graph.entry(top.clone()).or_default();
        edges.extend(names(&text, direct).into_iter().filter(|m| *m != top));
    }
    graph
}

#[test]
fn the_module_graph() {
    let graph = graph_of(&common::repo().join("pipeline"), |text, _| named(text));
    for (m, to) in &graph {
        eprintln!(
            "{m} -> {}",
            to.iter().cloned().collect::<Vec<_>>().join(", ")
        );
    }
    let into_methods: Vec<&String> = graph
        .get("methods")
        .map(|to| to.iter().collect())
        .unwrap_or_default();
    assert!(into_methods.is_empty(), "methods -> {into_methods:?}");
    // No circle: every module can be placed on a floor above all it names.
    if let Some(circle) = a_circle(&graph) {
        panic!("an import circle: {}", circle.join(" -> "));
    }
}

/// The modules a file of `parent` names as `crate::<parent>::<module>` or,
/// directly in `parent`'s folder, `super::<module>`.
fn named_within(text: &str, parent: &str, direct: bool) -> BTreeSet<String> {
    let code = code(text);
    let mut prefixes = vec![format!("crate::{parent}::")];
    if direct {
        prefixes.push("super::".into());
    }
    let mut out = BTreeSet::new();
    for prefix in &prefixes {
        for (i, m) in code.match_indices(prefix.as_str()) {
            // `super::super::x` climbs out of the parent: not a sibling.
            if code[..i].ends_with("::") {
                continue;
            }
            let name: String = code[i + m.len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() && name != "super" {
                out.insert(name);
            }
        }
    }
    out
}

/// Within ingest, too, imports run one way: the readers below their
/// helpers' shared error (read_error), the file's head below both paths,
/// the sink below the loaders (`load` → `columnar`, `head`, `sink`; none
/// back).
#[test]
fn the_ingest_graph_has_no_circle() {
    let mut graph = graph_of(&common::repo().join("pipeline/ingest"), |text, direct| {
        named_within(text, "ingest", direct)
    });
    graph.remove("mod");
    // Only the modules of ingest: `super::` in a direct child may also name
    // an item of ingest/mod.rs (IngestError, Planned).
    let modules: BTreeSet<String> = graph.keys().cloned().collect();
    for to in graph.values_mut() {
        to.retain(|m| modules.contains(m));
    }
    assert!(graph["load"].contains("columnar"), "{graph:?}");
    if let Some(circle) = a_circle(&graph) {
        panic!("an import circle in ingest: {}", circle.join(" -> "));
    }
}

#[test]
fn an_ingest_circle_would_be_seen() {
    assert!(named_within("use super::read::ReadError;", "ingest", true).contains("read"));
    assert!(named_within("use crate::ingest::sink::Sink;", "ingest", false).contains("sink"));
    assert!(named_within("use super::super::x;", "ingest", true).is_empty());
}

/// A circle in the graph, if there is one (depth-first, the path kept).
fn a_circle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        m: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|p| p == m) {
            let mut circle = path[i..].to_vec();
            circle.push(m.to_string());
            return Some(circle);
        }
        if done.contains(m) {
            return None;
        }
        path.push(m.to_string());
        for to in graph.get(m).into_iter().flatten() {
            if let Some(c) = visit(to, graph, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(m.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|m| visit(m, graph, &mut Vec::new(), &mut done))
}

#[test]
fn a_circle_is_found() {
    let g = |edges: &[(&str, &str)]| {
        let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (a, b) in edges {
            g.entry(a.to_string()).or_default().insert(b.to_string());
        }
        g
    };
    assert_eq!(
        a_circle(&g(&[("config", "ingest"), ("ingest", "config")])),
        Some(vec!["config".into(), "ingest".into(), "config".into()])
    );
    assert_eq!(
        a_circle(&g(&[("ingest", "config"), ("config", "contract")])),
        None
    );
}
