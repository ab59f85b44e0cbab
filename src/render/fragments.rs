//! `cached(template=NAME, ...)`: a template rendered once per build for each set of arguments,
//! as Hugo's `partialCached`. The default theme's masthead and footer are the same on
//! thousands of pages: rendering them once spares a cold build a fifth of its template work.
//! (A call costs about what a dozen template lookups do, so it pays for fragments that are
//! shared and not tiny: caching each week of the archive calendar cost more than it saved.)
//!
//! A cached template sees Tera's global context and the arguments given, nothing of the page
//! that calls it, so its output is a function of the template texts, the global values and the
//! arguments: exactly what a page's fingerprint already covers (the texts and the global values
//! its templates read, and the page values the arguments come from). The cache lives as long
//! as the renderer of one build.

use std::sync::{Arc, Mutex, OnceLock, Weak};

use rustc_hash::FxHashMap;
use tera::{Context, Kwargs, State, Tera, TeraResult, Value};
use xxhash_rust::xxh3::xxh3_128;

use super::fingerprint::ValueHasher;

/// The name templates call.
pub const FUNCTION: &str = "cached";

/// Most fragments one build keeps. A theme may pass arguments that differ on every page (then
/// each fragment serves one page); past this many, new fragments are rendered and not kept,
/// so memory stays bounded on any archive.
const MAX_KEPT: usize = 20_000;

/// The fragments of one build.
#[derive(Default)]
pub struct Fragments {
    /// The renderer's Tera (weak: Tera holds the function that holds this cache).
    tera: OnceLock<Weak<Tera>>,
    /// Hash of (template name, arguments) → rendered HTML.
    kept: Mutex<FxHashMap<u128, Value>>,
}

impl Fragments {
    /// Registers `cached` in `tera` (whose global context is final) and returns it shared.
    pub fn install(mut tera: Tera) -> Arc<Tera> {
        let fragments = Arc::new(Fragments::default());
        let f = fragments.clone();
        tera.register_function(FUNCTION, move |kwargs: Kwargs, _: &State| f.get(&kwargs));
        let tera = Arc::new(tera);
        fragments
            .tera
            .set(Arc::downgrade(&tera))
            .unwrap_or_else(|_| unreachable!("a new cache is installed once"));
        tera
    }

    /// The fragment `kwargs` names, rendered on first use.
    fn get(&self, kwargs: &Kwargs) -> TeraResult<Value> {
        let name: &str = kwargs.must_get("template")?;
        let mut key = Vec::with_capacity(256);
        let hasher = ValueHasher::new();
        for (k, v) in kwargs.iter() {
            key.extend_from_slice(k.to_string().as_bytes());
            key.push(0);
            hasher.hash_into(v, &mut key);
        }
        let key = xxh3_128(&key);
        if let Some(html) = self.lock().get(&key) {
            return Ok(html.clone());
        }
        let tera = self
            .tera
            .get()
            .and_then(Weak::upgrade)
            .expect("templates render only while their renderer holds its Tera");
        let mut ctx = Context::new();
        for (k, v) in kwargs.iter() {
            if k.as_str() != Some("template") {
                ctx.insert_value(k.to_string(), v.clone());
            }
        }
        let html = Value::safe_string(&tera.render(name, &ctx)?);
        let mut kept = self.lock();
        if kept.len() < MAX_KEPT {
            kept.insert(key, html.clone());
        }
        Ok(html)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, FxHashMap<u128, Value>> {
        self.kept
            .lock()
            .expect("no thread panics while holding the fragment cache")
    }
}

/// What `cached` does outside a renderer (templates are checked before one exists): fails.
pub fn unavailable(_: Kwargs, _: &State) -> TeraResult<Value> {
    Err(tera::Error::message(format!(
        "`{FUNCTION}` renders only while pages are rendered"
    )))
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    /// Renders `page` with a fragment template that counts its renders.
    fn render(page: &str) -> String {
        let mut tera = Tera::new();
        let renders = Arc::new(AtomicUsize::new(0));
        tera.register_function("renders", move |_: Kwargs, _: &State| {
            renders.fetch_add(1, Ordering::Relaxed) + 1
        });
        tera.register_function(FUNCTION, unavailable);
        tera.global_context().insert("site", "S");
        tera.add_raw_template("frag.html", "[{{ site }} {{ x }} #{{ renders() }}]")
            .unwrap();
        tera.add_raw_template("page.html", page).unwrap();
        let tera = Fragments::install(tera);
        tera.render("page.html", &Context::new()).unwrap()
    }

    #[test]
    fn each_set_of_arguments_renders_once_with_the_global_values() {
        let page = r#"{{ cached(template="frag.html", x=1) }}{{ cached(template="frag.html", x=2) }}{{ cached(template="frag.html", x=1) }}"#;
        assert_eq!(render(page), "[S 1 #1][S 2 #2][S 1 #1]");
    }

    #[test]
    fn a_fragment_sees_no_page_value() {
        let mut tera = Tera::new();
        tera.register_function(FUNCTION, unavailable);
        tera.add_raw_template("frag.html", "{{ title }}").unwrap();
        tera.add_raw_template("page.html", r#"{{ cached(template="frag.html") }}"#)
            .unwrap();
        let tera = Fragments::install(tera);
        let mut ctx = Context::new();
        ctx.insert("title", "page title");
        let err = tera.render("page.html", &ctx).unwrap_err();
        assert!(
            format!("{err:?}").contains("`title` is not defined"),
            "{err:?}"
        );
    }
}
