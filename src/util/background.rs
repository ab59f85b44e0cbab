//! Work handed to a thread of its own while the caller goes on: reading a file that is needed
//! later, freeing a large value nobody waits for.

use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

/// A value being computed on another thread (or already computed, when the system would not
/// start one).
#[derive(Debug)]
pub enum Background<T> {
    Running(JoinHandle<T>),
    Done(T),
}

impl<T: Send + 'static> Background<T> {
    /// Starts `f` on a new thread, or runs it here when no thread can be started.
    pub fn start<F: FnOnce() -> T + Send + 'static>(f: F) -> Background<T> {
        let slot = Arc::new(Mutex::new(Some(f)));
        let theirs = Arc::clone(&slot);
        let spawned = std::thread::Builder::new().spawn(move || {
            let f = theirs.lock().expect("held only to take the job").take();
            f.expect("the job is taken here or, when no thread starts, by the caller")()
        });
        match spawned {
            Ok(handle) => Background::Running(handle),
            Err(_) => {
                let f = slot.lock().expect("held only to take the job").take();
                Background::Done(f.expect("no thread started to take the job")())
            }
        }
    }

    /// The value; a panic of the thread goes on here.
    pub fn join(self) -> T {
        match self {
            Background::Running(handle) => handle
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            Background::Done(value) => value,
        }
    }
}

/// Drops `value` on a thread of its own: freeing a 50,000-article model takes tens of
/// milliseconds nobody needs to wait for (a process that exits does not wait for it).
pub fn drop_in_background<T: Send + 'static>(value: T) {
    drop(Background::start(move || drop(value)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_value_computed_on_the_thread_is_joined() {
        let here = std::thread::current().id();
        let job = Background::start(move || (std::thread::current().id() != here, 6 * 7));
        assert_eq!(job.join(), (true, 42));
    }

    #[test]
    fn a_panic_of_the_thread_goes_on_at_the_join() {
        let job = Background::start(|| -> u8 { panic!("boom") });
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job.join()));
        assert!(caught.is_err());
    }
}
