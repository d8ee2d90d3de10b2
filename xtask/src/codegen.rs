//! `cargo xtask codegen [--check]`: writes `schema/` (and the npm package's generated files)
//! from the core's types.
//!
//! The files and their contents come from `ics_codegen::generated_files()`; this
//! module only writes them, deletes leftovers under `schema/json/`, and, with `--check`,
//! names what is stale without touching anything.

use std::{
    collections::BTreeSet,
    fs,
    path::{Component, Path, PathBuf},
};

use anyhow::{bail, Context, Result};

use crate::util::{project_root, read_optional};

/// Folder whose `*.json` files are all generated: anything not in the list is deleted.
const OWNED_DIR: &str = "schema/json";

/// Why a generated file is out of date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Staleness {
    /// The file is not there.
    Missing,
    /// The file is there with other contents.
    Differs,
    /// The file is under `schema/json/` but no longer generated.
    Extra,
}

/// One file that `cargo xtask codegen` would change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stale {
    /// Path relative to the repo root.
    pub path: PathBuf,
    /// What is wrong with it.
    pub why: Staleness,
}

/// Runs `cargo xtask codegen`: writes (or with `check`, only compares) every generated file.
pub fn run(check: bool) -> Result<()> {
    let root = project_root();
    let files = ics_codegen::generated_files().map_err(|e| anyhow::anyhow!("{e}"))?;
    let stale = compare(&root, &files)?;

    if check {
        if stale.is_empty() {
            println!("codegen --check: {} generated files are up to date", files.len());
            return Ok(());
        }
        let mut msg = format!(
            "{} generated file(s) are stale; run `cargo xtask codegen` and commit the result:",
            stale.len()
        );
        for s in &stale {
            msg.push_str(&format!("\n  {} ({})", s.path.display(), describe(s.why)));
        }
        bail!("{msg}");
    }

    for s in &stale {
        let path = root.join(&s.path);
        match s.why {
            Staleness::Extra => {
                fs::remove_file(&path).with_context(|| format!("deleting {}", s.path.display()))?;
                println!("deleted {}", s.path.display());
            }
            Staleness::Missing | Staleness::Differs => {
                let contents = files
                    .iter()
                    .find(|(p, _)| *p == s.path)
                    .map(|(_, c)| c)
                    .expect("stale files come from the list");
                if let Some(dir) = path.parent() {
                    fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
                }
                fs::write(&path, contents).with_context(|| format!("writing {}", s.path.display()))?;
                println!("wrote {}", s.path.display());
            }
        }
    }
    println!(
        "codegen: {} generated files, {} written or deleted, {} unchanged",
        files.len(),
        stale.len(),
        files.len() - stale.iter().filter(|s| s.why != Staleness::Extra).count()
    );
    Ok(())
}

fn describe(why: Staleness) -> &'static str {
    match why {
        Staleness::Missing => "missing",
        Staleness::Differs => "differs from what codegen writes",
        Staleness::Extra => "no longer generated; codegen deletes it",
    }
}

/// Compares the generated `files` with what is on disk below `root`.
pub fn compare(root: &Path, files: &[(PathBuf, String)]) -> Result<Vec<Stale>> {
    let mut wanted = BTreeSet::new();
    let mut stale = Vec::new();
    for (path, contents) in files {
        check_relative(path)?;
        if !wanted.insert(path.clone()) {
            bail!("generated_files() lists {} twice", path.display());
        }
        let why = match read_optional(&root.join(path))? {
            None => Staleness::Missing,
            Some(old) if old != *contents => Staleness::Differs,
            Some(_) => continue,
        };
        stale.push(Stale {
            path: path.clone(),
            why,
        });
    }
    let mut on_disk = Vec::new();
    json_files(root, Path::new(OWNED_DIR), &mut on_disk)?;
    for path in on_disk {
        if !wanted.contains(&path) {
            stale.push(Stale {
                path,
                why: Staleness::Extra,
            });
        }
    }
    Ok(stale)
}

/// Refuses paths that could write outside the repo.
fn check_relative(path: &Path) -> Result<()> {
    let ok = !path.as_os_str().is_empty() && path.components().all(|c| matches!(c, Component::Normal(_)));
    if !ok {
        bail!(
            "generated_files() returned {}: paths must be relative to the repo root, without `..`",
            path.display()
        );
    }
    Ok(())
}

/// Every `*.json` below `root/dir`, recursively, as paths relative to `root`, sorted.
fn json_files(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let entries = match fs::read_dir(root.join(dir)) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => bail!("listing {}: {e}", dir.display()),
    };
    let mut names: Vec<_> = entries
        .map(|e| e.map(|e| e.file_name()))
        .collect::<std::result::Result<_, _>>()
        .with_context(|| format!("listing {}", dir.display()))?;
    names.sort();
    for name in names {
        let rel = dir.join(&name);
        let full = root.join(&rel);
        if full.is_dir() {
            json_files(root, &rel, out)?;
        } else if rel.extension().is_some_and(|e| e == "json") {
            out.push(rel);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A scratch folder in the system temp dir, emptied first.
    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("xtask-codegen-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join(OWNED_DIR)).unwrap();
        dir
    }

    fn check(
        name: &str,
        on_disk: &[(&str, &str)],
        generated: &[(&str, &str)],
        expected: &[(&str, Staleness)],
    ) {
        let root = scratch(name);
        for (p, c) in on_disk {
            let path = root.join(p);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, c).unwrap();
        }
        let generated: Vec<(PathBuf, String)> = generated
            .iter()
            .map(|(p, c)| (PathBuf::from(p), c.to_string()))
            .collect();
        let stale = compare(&root, &generated).unwrap();
        let got: Vec<(String, Staleness)> = stale
            .into_iter()
            .map(|s| (s.path.display().to_string(), s.why))
            .collect();
        let expected: Vec<(String, Staleness)> = expected.iter().map(|(p, w)| (p.to_string(), *w)).collect();
        fs::remove_dir_all(&root).unwrap();
        assert_eq!(got, expected);
    }

    #[test]
    fn up_to_date() {
        check(
            "up-to-date",
            &[("schema/openapi.json", "{}"), ("schema/json/A.schema.json", "a")],
            &[("schema/openapi.json", "{}"), ("schema/json/A.schema.json", "a")],
            &[],
        );
    }

    #[test]
    fn missing_differs_and_extra() {
        check(
            "stale",
            &[
                ("schema/openapi.json", "old"),
                ("schema/json/Old.schema.json", "x"),
                ("schema/json/sub/Nested.json", "x"),
                ("schema/json/README.md", "not json, kept"),
            ],
            &[("schema/openapi.json", "new"), ("schema/json/A.schema.json", "a")],
            &[
                ("schema/openapi.json", Staleness::Differs),
                ("schema/json/A.schema.json", Staleness::Missing),
                ("schema/json/Old.schema.json", Staleness::Extra),
                ("schema/json/sub/Nested.json", Staleness::Extra),
            ],
        );
    }

    #[test]
    fn refuses_paths_outside_the_repo() {
        for bad in ["../x.json", "/etc/x.json", ""] {
            assert!(check_relative(Path::new(bad)).is_err(), "{bad}");
        }
        assert!(check_relative(Path::new("schema/json/A.schema.json")).is_ok());
    }
}
