//! The first step of every rebuild: patching the edit into the model in memory
//! ([`super::live`]) and serving it at once. It runs on the watcher's thread, while the
//! build that writes the served folder runs on a thread of its own (`Builder` in
//! [`super`]), so an edit made while a long build writes (a template edit at 50,000
//! articles renders every article page) is served without waiting for it.
//!
//! The two agree through the [`Gate`]: a build installs its model, and stops serving pages
//! from memory, only if no patch was made since it started (the model in memory is newer
//! then, and the build that follows will write it).

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use rustc_hash::FxHashSet;

use super::http::ServerState;
use super::live::Live;
use super::lock;

/// What the patcher and the builder share.
#[derive(Default)]
pub struct Gate {
    state: Mutex<GateState>,
    /// The files the generators of the last build own: requests for them wait while a
    /// patch is ahead of the served folder.
    generated: Mutex<Arc<FxHashSet<String>>>,
}

#[derive(Default)]
struct GateState {
    /// Patches made so far.
    patches: u64,
    /// The model in memory is the served folder's, or ahead of it by patches only, so an
    /// edit can be patched into it.
    live_ok: bool,
}

impl Gate {
    /// The number of patches so far: a build notes it when it starts.
    pub fn patches(&self) -> u64 {
        lock(&self.state).patches
    }

    /// Runs `then` (installing a build's model, serving its folder) if no patch was made
    /// since `since`; returns whether it ran. Patches wait meanwhile.
    pub fn if_current(&self, since: u64, then: impl FnOnce()) -> bool {
        let mut state = lock(&self.state);
        let current = state.patches == since;
        if current {
            then();
            state.live_ok = true;
        }
        current
    }

    /// A build failed or a patch was refused: no patch until a build installs a model.
    pub fn spoil(&self) {
        lock(&self.state).live_ok = false;
    }

    pub fn set_generated(&self, files: FxHashSet<String>) {
        *lock(&self.generated) = Arc::new(files);
    }
}

/// Patches edits into the model in memory.
pub struct Patcher {
    pub live: Arc<Live>,
    pub state: Arc<ServerState>,
    pub gate: Arc<Gate>,
    pub quiet: bool,
}

impl Patcher {
    /// An edit the model in memory can take (`serve::live` decides): patches it, serves pages
    /// from it and reloads the open tabs whose page changed, before a build writes them.
    /// Returns false, changing nothing served, for any other edit.
    pub fn patch(&self, changes: &[PathBuf], start: Instant) -> bool {
        let mut gate = lock(&self.gate.state);
        if !gate.live_ok {
            return false;
        }
        let Some(files) = self.live.patch(changes.to_vec(), self.state.open_pages()) else {
            // The model may be half patched: it serves again once a build installs one.
            gate.live_ok = false;
            self.state.caught_up();
            return false;
        };
        gate.patches += 1;
        let root = &self.state.root;
        let changed: Vec<String> = files
            .iter()
            .filter(|(file, bytes)| std::fs::read(root.join(file)).ok().as_ref() != Some(bytes))
            .map(|(file, _)| file.clone())
            .collect();
        if !self.quiet {
            eprintln!(
                "pages served from the model in memory after {} ms; writing them",
                start.elapsed().as_millis()
            );
        }
        // Feeds, sitemaps, the search index and new files wait for the build behind.
        self.state.generating(lock(&self.gate.generated).clone());
        self.state.go_ahead(self.live.clone(), files);
        self.state.succeeded(None, &changed, true);
        true
    }
}
