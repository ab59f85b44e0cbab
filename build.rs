//! Embeds the built-in `default` theme (themes/default) into the binary, so a site with only
//! site.toml and content/ builds. The file list is generated so a new template needs no code.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            collect(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let theme = root.join("themes").join("default");
    println!("cargo:rerun-if-changed={}", theme.display());
    println!("cargo:rerun-if-changed=Cargo.toml");
    let mut files = Vec::new();
    collect(&theme, &mut files);
    let mut code = String::from(
        "/// (path inside the theme, bytes)\npub static FILES: &[(&str, &[u8])] = &[\n",
    );
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        let rel = f.strip_prefix(&theme).expect("below theme");
        let rel = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        writeln!(
            code,
            "    ({rel:?}, include_bytes!({:?})),",
            f.display().to_string()
        )
        .expect("write to string");
    }
    code.push_str("];\n");
    let out =
        PathBuf::from(std::env::var("OUT_DIR").expect("set by cargo")).join("builtin_theme.rs");
    std::fs::write(out, code).expect("write generated theme list");
    build_id(&root);
}

/// `NEWSGEN_BUILD_ID`: a digest of the sources and the theme, so an output written by a
/// different build of newsgen (a new version, or a development build with other code) is
/// rendered again rather than trusted by the incremental build.
fn build_id(root: &Path) {
    use std::hash::{Hash, Hasher};
    let mut files = Vec::new();
    for dir in ["src", "themes/default"] {
        println!("cargo:rerun-if-changed={}", root.join(dir).display());
        collect(&root.join(dir), &mut files);
    }
    // SipHash with fixed keys: the same sources give the same id on any machine.
    #[allow(deprecated)]
    let mut h = std::hash::SipHasher::new();
    for f in &files {
        f.strip_prefix(root).expect("below the root").hash(&mut h);
        std::fs::read(f).expect("read a source file").hash(&mut h);
    }
    println!(
        "cargo:rustc-env=NEWSGEN_BUILD_ID={}-{:016x}",
        std::env::var("CARGO_PKG_VERSION").expect("set by cargo"),
        h.finish()
    );
}
