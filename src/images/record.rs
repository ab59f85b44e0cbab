//! The images one page asks for while it renders (docs/architecture.md, "Incremental
//! builds"). A page renders on one thread from start to end, so its requests are collected in
//! a thread-local list around it ([`recording`]). The requests and the digest of the answers go
//! into the page's manifest record; a later build that would keep the page asks again
//! ([`super::Images::still_valid`]): the same answers mean the same HTML, and they tell the
//! image pipeline which files the kept page shows.

use std::cell::RefCell;

use serde::Serialize;
use xxhash_rust::xxh3::xxh3_128;

use crate::output::manifest::{ImageRequest, PageImages};

thread_local! {
    /// The requests of the page rendering on this thread, with the hash of each answer.
    static PAGE: RefCell<Option<Vec<(ImageRequest, u128)>>> = const { RefCell::new(None) };
}

/// Runs `render` (one page) and returns what it returned with the images it asked for
/// (`None` when it asked for none).
pub fn recording<T>(render: impl FnOnce() -> T) -> (T, Option<PageImages>) {
    // Kept and put back, should a page ever render inside another on this thread.
    let outer = PAGE.with(|p| p.replace(Some(Vec::new())));
    let result = render();
    let asked = PAGE
        .with(|p| p.replace(outer))
        .expect("the list put in place above is still there");
    if asked.is_empty() {
        return (result, None);
    }
    let digest = digest(asked.iter().map(|(_, answer)| *answer));
    let requests = asked.into_iter().map(|(request, _)| request).collect();
    (result, Some(PageImages { requests, digest }))
}

/// Notes a request and its answer for the page rendering on this thread, if any.
pub fn note(request: ImageRequest, answer: u128) {
    PAGE.with(|p| {
        if let Some(list) = p.borrow_mut().as_mut() {
            list.push((request, answer));
        }
    });
}

/// The hash of one answer as the page sees it (URLs, sizes, types).
pub fn answer_hash(answer: &impl Serialize) -> u128 {
    xxh3_128(&postcard::to_stdvec(answer).expect("image views serialise to memory"))
}

/// The digest of a page's answers, in the order it asked.
pub fn digest(answers: impl Iterator<Item = u128>) -> u128 {
    let bytes: Vec<u8> = answers.flat_map(u128::to_le_bytes).collect();
    xxh3_128(&bytes)
}
