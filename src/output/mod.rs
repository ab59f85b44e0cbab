//! Writing the site: everything goes to a staging folder beside the output, swapped in only
//! when the whole build succeeded, so a failed build leaves the previous output untouched.

use std::path::{Path, PathBuf};

use crate::error::{Diagnostic, Error};

/// A build's output in progress.
#[derive(Debug)]
pub struct Output {
    staging: PathBuf,
    /// Folders already created, so each file costs one `write` and no `mkdir` calls.
    made_dirs: std::sync::Mutex<std::collections::HashSet<PathBuf>>,
}

impl Output {
    /// Creates an empty staging folder next to `dest` (same file system, so the swap is a rename).
    pub fn begin(dest: &Path) -> Result<Output, Error> {
        let parent = dest
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        let name = dest
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "public".into());
        let staging = parent.join(format!(".{name}.newsgen-{}", std::process::id()));
        if staging.exists() {
            std::fs::remove_dir_all(&staging).map_err(|e| Error::io(&staging, e))?;
        }
        std::fs::create_dir_all(&staging).map_err(|e| Error::io(&staging, e))?;
        Ok(Output {
            staging,
            made_dirs: std::sync::Mutex::new(std::collections::HashSet::new()),
        })
    }

    /// The staging folder (for generators that need a path).
    pub fn root(&self) -> &Path {
        &self.staging
    }

    fn target(&self, rel: &str) -> Result<PathBuf, Diagnostic> {
        if rel.split('/').any(|s| s == ".." || s == ".") || rel.starts_with('/') {
            return Err(Diagnostic::error(
                rel,
                None,
                "refusing to write outside the output folder",
            ));
        }
        Ok(self.staging.join(rel))
    }

    fn ensure_parent(&self, path: &Path, rel: &str) -> Result<(), Diagnostic> {
        let Some(dir) = path.parent() else {
            return Ok(());
        };
        let known = self
            .made_dirs
            .lock()
            .map(|set| set.contains(dir))
            .unwrap_or(false);
        if !known {
            std::fs::create_dir_all(dir).map_err(|e| write_error(rel, &e))?;
            if let Ok(mut set) = self.made_dirs.lock() {
                set.insert(dir.to_path_buf());
            }
        }
        Ok(())
    }

    /// Writes one file (`politics/index.html`), creating folders as needed.
    pub fn write(&self, rel: &str, bytes: &[u8]) -> Result<(), Diagnostic> {
        let path = self.target(rel)?;
        self.ensure_parent(&path, rel)?;
        std::fs::write(&path, bytes).map_err(|e| write_error(rel, &e))
    }

    /// Writes several files; every failure is reported.
    pub fn write_all(&self, files: Vec<(String, Vec<u8>)>) -> Result<(), Vec<Diagnostic>> {
        let errors: Vec<Diagnostic> = files
            .into_iter()
            .filter_map(|(rel, bytes)| self.write(&rel, &bytes).err())
            .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// Copies a file from the site into the output.
    pub fn copy(&self, src: &Path, rel: &str) -> Result<(), Diagnostic> {
        let path = self.target(rel)?;
        self.ensure_parent(&path, rel)?;
        std::fs::copy(src, &path)
            .map(|_| ())
            .map_err(|e| write_error(rel, &e))
    }

    /// Replaces `dest` with the finished output.
    pub fn commit(self, dest: &Path) -> Result<(), Error> {
        let old = self.staging.with_extension("old");
        if dest.exists() {
            if old.exists() {
                std::fs::remove_dir_all(&old).map_err(|e| Error::io(&old, e))?;
            }
            std::fs::rename(dest, &old).map_err(|e| Error::io(dest, e))?;
        }
        if let Err(e) = std::fs::rename(&self.staging, dest) {
            // Put the previous output back before reporting.
            let _ = std::fs::rename(&old, dest);
            return Err(Error::io(dest, e));
        }
        if old.exists() {
            remove_tree(&old).map_err(|e| Error::io(&old, e))?;
        }
        Ok(())
    }

    /// Throws the staging folder away after a failed build.
    pub fn abort(self) {
        let _ = remove_tree(&self.staging);
    }
}

/// Removes a folder tree, its top-level entries in parallel (an old output can hold
/// hundreds of thousands of files).
fn remove_tree(root: &Path) -> std::io::Result<()> {
    use rayon::prelude::*;
    // An old output that is a link (`--output` naming a link to a folder) is removed as a
    // link: following it would empty a folder newsgen never wrote.
    if root.is_symlink() {
        return std::fs::remove_file(root);
    }
    let entries: Vec<PathBuf> = std::fs::read_dir(root)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    entries.par_iter().try_for_each(|p| {
        if p.is_dir() && !p.is_symlink() {
            std::fs::remove_dir_all(p)
        } else {
            std::fs::remove_file(p)
        }
    })?;
    std::fs::remove_dir(root)
}

fn write_error(rel: &str, e: &std::io::Error) -> Diagnostic {
    Diagnostic::error(
        format!("(output)/{rel}"),
        None,
        format!("cannot write: {e}"),
    )
}
