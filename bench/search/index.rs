//! Search index benchmark: build time and memory of the search index against the whole build.
//!
//!   cargo bench --bench search_index -- SITE_DIR
//!
//! Builds SITE_DIR completely (search on) into a temp folder, measuring wall time and the peak
//! of heap bytes in use (a counting global allocator), then loads the model again and builds
//! only the search index, measuring the same. Prints one JSON object; bench/search/run.py
//! drives it on a synthetic archive and adds on-disk sizes and per-query bytes.

use std::alloc::{GlobalAlloc, Layout, System};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use newsgen::BuildOptions;

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to the system allocator and only counts sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = CURRENT.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            if new_size >= layout.size() {
                let now = CURRENT.fetch_add(new_size - layout.size(), Ordering::Relaxed)
                    + (new_size - layout.size());
                PEAK.fetch_max(now, Ordering::Relaxed);
            } else {
                CURRENT.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        p
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// CPU seconds (user + system) this process has used: less sensitive than wall time to other
/// work on a shared machine. Linux only (/proc/self/stat, ticks of 1/100 s).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    let tick = |i: usize| {
        f.get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(f64::NAN)
    };
    // Fields 14 and 15 of the file (utime, stime): 12 and 13 after the command name.
    (tick(11) + tick(12)) / 100.0
}

/// Starts a measurement: returns the bytes in use, and the peak restarts from there.
fn start() -> usize {
    let now = CURRENT.load(Ordering::Relaxed);
    PEAK.store(now, Ordering::Relaxed);
    now
}

fn main() {
    let site_dir = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with("--"))
        .map(PathBuf::from)
        .expect("usage: cargo bench --bench search_index -- SITE_DIR");
    let scratch = tempfile::tempdir().expect("temp dir");
    let opts = BuildOptions {
        site_dir: site_dir.clone(),
        output: Some(scratch.path().join("public")),
        ..Default::default()
    };

    // INDEX_ONLY=1 skips the full build (for profiling the index alone).
    let (build_s, build_cpu, build_peak) = if std::env::var_os("INDEX_ONLY").is_some() {
        (f64::NAN, f64::NAN, 0)
    } else {
        let base = start();
        let (t, c) = (Instant::now(), cpu_seconds());
        let report = newsgen::build(&opts).expect("build");
        let r = (
            t.elapsed().as_secs_f64(),
            cpu_seconds() - c,
            PEAK.load(Ordering::Relaxed) - base,
        );
        drop(report);
        r
    };

    let loaded = newsgen::build::load_site(&opts).expect("load");
    let out = scratch.path().join("index-only");
    let sink = |rel: &str, bytes: &[u8]| -> Result<(), newsgen::Diagnostic> {
        let p = out.join(rel);
        std::fs::create_dir_all(p.parent().expect("has parent")).expect("mkdir");
        std::fs::write(&p, bytes).expect("write");
        Ok(())
    };
    let base = start();
    let (t, c) = (Instant::now(), cpu_seconds());
    let stats = newsgen::generators::search::build_index(&loaded.site, &sink).expect("index");
    let index_s = t.elapsed().as_secs_f64();
    let index_cpu = cpu_seconds() - c;
    let index_peak = PEAK.load(Ordering::Relaxed) - base;

    println!(
        "{}",
        serde_json::json!({
            "articles": stats.docs,
            "build_seconds": build_s,
            "build_cpu_seconds": build_cpu,
            "index_cpu_seconds": index_cpu,
            "build_peak_heap_bytes": build_peak,
            "index_seconds": index_s,
            "index_peak_heap_bytes": index_peak,
            "index_files": stats.files,
            "index_bytes": stats.bytes,
            "stems": stats.stems,
            "dictionary_keys": stats.keys,
            "postings": stats.postings,
            "output": scratch.keep().join("public"),
        })
    );
}
