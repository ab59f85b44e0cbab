//! `serve`'s URL decoding and path mapping: whatever the request path, the file served lies
//! inside the output folder. The output folder has a secret file beside it, so a traversal
//! that got through would be seen.
use std::path::PathBuf;

use newsgen::serve::http::{Resolved, resolve};

fn main() {
    let dir = tempfile::tempdir().expect("a temporary folder for the fixture");
    let root: PathBuf = dir.path().join("public");
    std::fs::create_dir_all(root.join("politics")).expect("fixture folders");
    std::fs::write(root.join("index.html"), "home").expect("fixture file");
    std::fs::write(root.join("politics/index.html"), "politics").expect("fixture file");
    std::fs::write(dir.path().join("secret.txt"), "secret").expect("fixture file");
    let canon = root.canonicalize().expect("the fixture exists");
    afl::fuzz!(|data: &[u8]| {
        let Ok(path) = std::str::from_utf8(data) else {
            return;
        };
        for base in ["/", "/news/"] {
            if let Resolved::File(f) = resolve(&root, base, path, None) {
                assert!(f.starts_with(&canon), "{path:?} served {}", f.display());
            }
        }
    });
}
