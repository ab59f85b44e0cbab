//! A progress line for long builds on a terminal: pages checked of the total, pages rendered
//! and the rate. Piped output (CI, logs) gets only the summary line the command prints.

use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// What the renderer has done so far; read by the progress line.
#[derive(Debug, Default)]
pub struct Counters {
    checked: AtomicUsize,
    rendered: AtomicUsize,
    fingerprinted: AtomicUsize,
}

impl Counters {
    /// One page looked at; `rendered` when it had to be rendered again.
    pub fn page_done(&self, rendered: bool) {
        self.checked.fetch_add(1, Ordering::Relaxed);
        if rendered {
            self.rendered.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// One page's context built and fingerprinted (before it is kept or rendered).
    pub fn page_fingerprinted(&self) {
        self.fingerprinted.fetch_add(1, Ordering::Relaxed);
    }

    pub fn fingerprinted(&self) -> usize {
        self.fingerprinted.load(Ordering::Relaxed)
    }

    pub fn checked(&self) -> usize {
        self.checked.load(Ordering::Relaxed)
    }

    pub fn rendered(&self) -> usize {
        self.rendered.load(Ordering::Relaxed)
    }
}

/// The progress line's thread, when there is one.
pub struct Progress {
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// Below this, a build is too quick for a progress line to be worth drawing.
const FIRST_DRAW: Duration = Duration::from_millis(700);

impl Progress {
    /// Starts drawing on stderr if it is a terminal.
    pub fn start(total: usize, counters: Arc<Counters>) -> Progress {
        let stop = Arc::new(AtomicBool::new(false));
        let thread = std::io::stderr().is_terminal().then(|| {
            let stop = stop.clone();
            std::thread::spawn(move || draw(total, &counters, &stop))
        });
        Progress { stop, thread }
    }

    /// Stops and clears the line.
    pub fn finish(self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread {
            let _ = t.join();
        }
    }
}

fn draw(total: usize, counters: &Counters, stop: &AtomicBool) {
    let start = Instant::now();
    let mut drawn = false;
    while !stop.load(Ordering::Relaxed) {
        std::thread::sleep(Duration::from_millis(100));
        let elapsed = start.elapsed();
        if elapsed < FIRST_DRAW {
            continue;
        }
        let rendered = counters.rendered();
        let rate = rendered as f64 / elapsed.as_secs_f64();
        eprint!(
            "\r\x1b[2Kpages: {} of {total} checked, {rendered} rendered ({rate:.0}/s)",
            counters.checked()
        );
        let _ = std::io::stderr().flush();
        drawn = true;
    }
    if drawn {
        eprint!("\r\x1b[2K");
    }
}
