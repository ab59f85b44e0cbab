//! Page fingerprints: a 128-bit hash of exactly the values a page's template sees.
//!
//! A page is rendered again only when its fingerprint changed, so the fingerprint must cover
//! everything the template can read. It is therefore computed from the finished template
//! context itself, never from a second list of "what a page depends on": the page's own
//! values, the parts of Tera's global context its template reads (see [`super::deps`]), the
//! template texts, and the Markdown of the body it shows (the body's HTML is a function of the
//! Markdown and site.toml, which is in the build key).

use std::sync::RwLock;
use std::sync::atomic::{AtomicBool, Ordering};

use rustc_hash::FxHashMap;
use tera::Value;

const POISON: &str = "the hasher's lock is poisoned only after a panic, which stops the build";
use xxhash_rust::xxh3::xxh3_128;

use crate::model::ArticleId;

/// A registered value: its hash, and the article it is the card of, if it is one.
#[derive(Clone, Copy)]
struct Known {
    hash: u128,
    card: Option<ArticleId>,
}

/// Hashes Tera values. Values built once per build and shared by many pages (article cards,
/// section summaries) are registered with their hash, so a page that lists twenty cards costs
/// twenty look-ups, not twenty deep walks.
#[derive(Default)]
pub struct ValueHasher {
    /// Address of a registered value's shared allocation → its hash (and card owner).
    shared: FxHashMap<usize, Known>,
    /// The registered values, kept alive so that no other value can take their address.
    keep: Vec<Value>,
    /// Values registered while pages render (cards built on first use), with their hashes;
    /// looked up only once one was registered, so a build that registers all values up front
    /// takes no lock.
    late: RwLock<(FxHashMap<usize, Known>, Vec<Value>)>,
    any_late: AtomicBool,
}

/// The address of a value's reference-counted contents, which identifies it while it lives.
fn address(v: &Value) -> Option<usize> {
    if let Some(m) = v.as_map() {
        return Some(m as *const _ as usize);
    }
    // An empty array has no allocation: every empty array would share one address.
    v.as_array()
        .filter(|a| !a.is_empty())
        .map(|a| a.as_ptr() as usize)
}

impl ValueHasher {
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers values that many pages share.
    pub fn register<'v>(&mut self, values: impl IntoIterator<Item = &'v Value>) {
        for v in values {
            if let Some(addr) = address(v) {
                let hash = self.hash(v);
                self.shared.insert(addr, Known { hash, card: None });
                self.keep.push(v.clone());
            }
        }
    }

    /// Registers one value from any thread (a card built when a page first needs it), with
    /// the article it is the `card` of. It hashes as if it had been registered with
    /// [`ValueHasher::register`]; hashing a value that holds it notes `card`.
    pub fn register_late(&self, v: &Value, card: Option<ArticleId>) {
        let Some(addr) = address(v) else { return };
        let hash = self.hash(v);
        let mut late = self.late.write().expect(POISON);
        late.0.insert(addr, Known { hash, card });
        late.1.push(v.clone());
        self.any_late.store(true, Ordering::Release);
    }

    /// Moves late registrations into the lock-free table (while nothing else hashes).
    pub fn seal(&mut self) {
        let (map, keep) = std::mem::take(self.late.get_mut().expect(POISON));
        self.shared.extend(map);
        self.keep.extend(keep);
        *self.any_late.get_mut() = false;
    }

    /// The registered hash of the value at `addr`, if any.
    fn known(&self, addr: usize) -> Option<Known> {
        if let Some(&h) = self.shared.get(&addr) {
            return Some(h);
        }
        if !self.any_late.load(Ordering::Acquire) {
            return None;
        }
        self.late.read().expect(POISON).0.get(&addr).copied()
    }

    /// The article whose card `v` is, if it is a registered card.
    pub fn card_of(&self, v: &Value) -> Option<ArticleId> {
        address(v).and_then(|a| self.known(a)).and_then(|k| k.card)
    }

    /// Appends one value's bytes to `buf` (hash the buffer once, at the end: one-shot xxh3 is
    /// far cheaper than many small streaming updates).
    pub fn hash_into(&self, v: &Value, buf: &mut Vec<u8>) {
        self.walk(v, buf, &mut Vec::new());
    }

    /// [`ValueHasher::hash_into`], pushing onto `cards` the article of every card met.
    pub fn hash_noting(&self, v: &Value, buf: &mut Vec<u8>, cards: &mut Vec<ArticleId>) {
        self.walk(v, buf, cards);
    }

    /// The hash of one value on its own.
    pub fn hash(&self, v: &Value) -> u128 {
        let mut buf = Vec::new();
        self.walk(v, &mut buf, &mut Vec::new());
        xxh3_128(&buf)
    }

    fn walk(&self, v: &Value, h: &mut Vec<u8>, cards: &mut Vec<ArticleId>) {
        if let Some(known) = address(v).and_then(|a| self.known(a)) {
            h.extend_from_slice(&[0xFE]);
            h.extend_from_slice(&known.hash.to_le_bytes());
            cards.extend(known.card);
            return;
        }
        use tera::value::ValueKind as K;
        match v.kind() {
            K::Undefined => h.extend_from_slice(&[0]),
            K::None => h.extend_from_slice(&[1]),
            K::Bool => h.extend_from_slice(&[2, u8::from(v.as_bool() == Some(true))]),
            K::U64 | K::I64 | K::U128 | K::I128 => {
                h.extend_from_slice(&[3]);
                match v.as_i128() {
                    Some(n) => h.extend_from_slice(&n.to_le_bytes()),
                    None => h.extend_from_slice(&v.as_u128().unwrap_or_default().to_le_bytes()),
                }
            }
            K::F64 => {
                h.extend_from_slice(&[4]);
                h.extend_from_slice(&v.as_f64().unwrap_or_default().to_bits().to_le_bytes());
            }
            K::String => {
                let s = v.as_str().expect("a string value has a string");
                h.extend_from_slice(&[5, u8::from(v.is_safe())]);
                h.extend_from_slice(&(s.len() as u64).to_le_bytes());
                h.extend_from_slice(s.as_bytes());
            }
            K::Array => {
                let items = v.as_array().expect("an array value has items");
                h.extend_from_slice(&[6]);
                h.extend_from_slice(&(items.len() as u64).to_le_bytes());
                for item in items {
                    self.walk(item, h, cards);
                }
            }
            K::Map => {
                let map = v.as_map().expect("a map value has a map");
                h.extend_from_slice(&[7]);
                h.extend_from_slice(&(map.len() as u64).to_le_bytes());
                for (k, item) in map {
                    match k.as_str() {
                        Some(key) => {
                            h.extend_from_slice(&(key.len() as u64).to_le_bytes());
                            h.extend_from_slice(key.as_bytes());
                        }
                        None => {
                            let key = k.to_string();
                            h.push(0xFF);
                            h.extend_from_slice(&(key.len() as u64).to_le_bytes());
                            h.extend_from_slice(key.as_bytes());
                        }
                    }
                    self.walk(item, h, cards);
                }
            }
            K::Bytes => {
                let b = v.as_bytes().expect("a bytes value has bytes");
                h.extend_from_slice(&[8]);
                h.extend_from_slice(&(b.len() as u64).to_le_bytes());
                h.extend_from_slice(b);
            }
            // A kind added by a later Tera: its printed form is what a template shows.
            _ => {
                let text = v.to_string();
                h.extend_from_slice(&[9]);
                h.extend_from_slice(&(text.len() as u64).to_le_bytes());
                h.extend_from_slice(text.as_bytes());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card(title: &str) -> Value {
        crate::render::context::obj([("title", title.into()), ("n", 3.into())])
    }

    #[test]
    fn equal_values_hash_alike_and_any_change_shows() {
        let h = ValueHasher::new();
        assert_eq!(h.hash(&card("a")), h.hash(&card("a")));
        assert_ne!(h.hash(&card("a")), h.hash(&card("b")));
        // Safe and escaped strings render differently, so they hash differently.
        assert_ne!(
            h.hash(&Value::from("<b>")),
            h.hash(&Value::safe_string("<b>"))
        );
        // Structure counts: ["ab"] is not ["a", "b"].
        assert_ne!(
            h.hash(&Value::from(vec![Value::from("ab")])),
            h.hash(&Value::from(vec![Value::from("a"), Value::from("b")]))
        );
    }

    #[test]
    fn registered_values_hash_as_their_contents() {
        let shared = card("a");
        let mut h = ValueHasher::new();
        let before = h.hash(&Value::from(vec![shared.clone()]));
        h.register([&shared]);
        // A list of the shared card hashes differently from a list of an equal fresh card
        // only through the registered shortcut, and stays the same from build to build.
        let with_shared = h.hash(&Value::from(vec![shared.clone()]));
        let mut h2 = ValueHasher::new();
        let again = card("a");
        h2.register([&again]);
        assert_eq!(with_shared, h2.hash(&Value::from(vec![again.clone()])));
        assert_ne!(with_shared, h.hash(&Value::from(vec![card("b")])));
        let _ = before;
        // Registered late (a card built on first use), before or after sealing: the same.
        let mut h3 = ValueHasher::new();
        let late = card("a");
        h3.register_late(&late, None);
        assert_eq!(with_shared, h3.hash(&Value::from(vec![late.clone()])));
        h3.seal();
        assert_eq!(with_shared, h3.hash(&Value::from(vec![late.clone()])));
    }
}
