//! Which parts of Tera's global context each page template reads.
//!
//! Global values (`sections`, `top_stories`, `latest_day`...) are shared by every page, but a
//! template usually reads only some of them, or only one field (`latest_day.date.iso`). A page's
//! fingerprint includes its template's digest: the template texts it may see and, for each
//! global it mentions, the part it reads. So adding an article changes the front page (which
//! lists the latest news) without re-rendering every article page, and a change to a value a
//! template does read re-renders every page of that template.

use std::collections::HashMap;
use std::path::Path;

use rustc_hash::FxHashSet;
use tera::Value;
use xxhash_rust::xxh3::xxh3_128;

use super::fingerprint::ValueHasher;
use super::theme::Theme;
use crate::model::ArticleId;
use crate::model::pages::PAGE_TEMPLATES;

/// The digest of each page template, and the articles whose cards the global values it
/// reads hold.
pub struct TemplateDeps {
    digests: HashMap<&'static str, u128>,
    cards: HashMap<&'static str, Vec<ArticleId>>,
}

impl TemplateDeps {
    /// Digests every page template from the theme's texts and the global values.
    pub fn new(
        theme: &Theme,
        site_dir: &Path,
        globals: &[(&'static str, Value)],
        hasher: &ValueHasher,
    ) -> TemplateDeps {
        let texts = template_texts(theme, site_dir);
        let mut deps = TemplateDeps {
            digests: HashMap::new(),
            cards: HashMap::new(),
        };
        for &t in PAGE_TEMPLATES.iter() {
            let text = texts.get(t).map(String::as_str).unwrap_or("");
            let mut h = text.as_bytes().to_vec();
            let mut cards = Vec::new();
            for (key, value) in globals {
                for usage in usages(text, key) {
                    h.extend_from_slice(key.as_bytes());
                    match usage {
                        Use::Whole => hasher.hash_noting(value, &mut h, &mut cards),
                        // Truthiness of a list of cards is its length: structure.
                        Use::Truthy => h.push(u8::from(value.is_truthy())),
                        Use::Path(path) => match lookup(value, &path, hasher, &mut cards) {
                            Some(part) => hasher.hash_noting(part, &mut h, &mut cards),
                            None => h.extend_from_slice(b"(missing)"),
                        },
                    }
                }
            }
            deps.digests.insert(t, xxh3_128(&h));
            deps.cards.insert(t, cards);
        }
        deps
    }

    /// Whether the global values page template `t` reads hold the card of any article of
    /// `changed`.
    pub fn reads_card_of(&self, t: &str, changed: &FxHashSet<ArticleId>) -> bool {
        self.cards
            .get(t)
            .expect("every page kind's template is one of PAGE_TEMPLATES")
            .iter()
            .any(|id| changed.contains(id))
    }

    /// The digest of page template `t`.
    pub fn digest(&self, t: &str) -> u128 {
        *self
            .digests
            .get(t)
            .expect("every page kind's template is one of PAGE_TEMPLATES")
    }
}

/// A digest of every template text of the theme.
pub fn texts_digest(theme: &Theme, site_dir: &Path) -> u128 {
    let mut texts: Vec<(&'static str, String)> =
        template_texts(theme, site_dir).into_iter().collect();
    texts.sort();
    let mut buf = Vec::new();
    for (name, text) in texts {
        buf.extend_from_slice(name.as_bytes());
        buf.extend_from_slice(&(text.len() as u64).to_le_bytes());
        buf.extend_from_slice(text.as_bytes());
    }
    xxh3_128(&buf)
}

/// The text each page template may see: its own, every template that is not a page template
/// (layouts, partials, macros), and page templates it names.
fn template_texts(theme: &Theme, site_dir: &Path) -> HashMap<&'static str, String> {
    let mut texts: HashMap<String, String> = HashMap::new();
    for (name, file) in &theme.files {
        if let Some(t) = name.strip_prefix("templates/")
            && let Ok(bytes) = file.read(site_dir)
        {
            texts.insert(t.to_string(), String::from_utf8_lossy(&bytes).into_owned());
        }
    }
    let mut shared: Vec<(&String, &String)> = texts
        .iter()
        .filter(|(name, _)| !PAGE_TEMPLATES.contains(&name.as_str()))
        .collect();
    shared.sort();
    let shared: String = shared
        .into_iter()
        .map(|(_, t)| t.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    PAGE_TEMPLATES
        .iter()
        .map(|&t| {
            let own = texts.get(t).map(String::as_str).unwrap_or("");
            let mut all = format!("{own}\n{shared}");
            for other in PAGE_TEMPLATES {
                if other != t && own.contains(other) {
                    all.push('\n');
                    all.push_str(texts.get(other).map(String::as_str).unwrap_or(""));
                }
            }
            (t, all)
        })
        .collect()
}

/// How a template reads a global value.
#[derive(Debug, PartialEq, Eq)]
enum Use {
    /// Any way (passed on, iterated, printed...).
    Whole,
    /// Only whether it is truthy: `{% if key %}`.
    Truthy,
    /// One part: `key.a.b`.
    Path(Vec<String>),
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Every use of the identifier `key` in a template's text. Conservative: anything that is not
/// plainly `key.a.b` or `{% if key %}` counts as a use of the whole value (also the word in
/// plain HTML text, which only costs some rendering).
fn usages(text: &str, key: &str) -> Vec<Use> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = text[from..].find(key).map(|i| i + from) {
        from = i + key.len();
        let before = text[..i].chars().next_back();
        let after = text[from..].chars().next();
        if before.is_some_and(is_ident) || after.is_some_and(is_ident) {
            continue;
        }
        let rest = &text[from..];
        if rest.starts_with('.') {
            let chain: String = rest
                .chars()
                .take_while(|&c| is_ident(c) || c == '.')
                .collect();
            let path: Vec<String> = chain
                .split('.')
                .filter(|p| !p.is_empty())
                .map(str::to_string)
                .collect();
            let next = rest[chain.len()..].trim_start();
            // `key.a.b[...]` or `key.a.b(`: a computed access; take the whole value.
            if path.is_empty() || next.starts_with('[') || next.starts_with('(') {
                out.push(Use::Whole);
            } else {
                out.push(Use::Path(path));
            }
            continue;
        }
        let head = text[..i].trim_end();
        let is_if = (head.ends_with("{% if")
            || head.ends_with("{%- if")
            || head.ends_with("{% elif")
            || head.ends_with("{%- elif"))
            && (rest.trim_start().starts_with("%}") || rest.trim_start().starts_with("-%}"));
        out.push(if is_if { Use::Truthy } else { Use::Whole });
    }
    out
}

/// The part of `v` at `path` (map keys, or array indexes).
/// Pushes onto `cards` the article of every card the path passes through (`latest.0.title`
/// reads a card's title).
fn lookup<'v>(
    v: &'v Value,
    path: &[String],
    hasher: &ValueHasher,
    cards: &mut Vec<ArticleId>,
) -> Option<&'v Value> {
    path.iter().try_fold(v, |v, seg| {
        cards.extend(hasher.card_of(v));
        if let Some(m) = v.as_map() {
            m.iter()
                .find(|(k, _)| k.as_str() == Some(seg))
                .map(|(_, v)| v)
        } else {
            let items = v.as_array()?;
            seg.parse::<usize>().ok().and_then(|i| items.get(i))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_how_templates_use_a_global() {
        let t = "{% if latest_day %}<a href=\"{{ latest_day.date.iso | date }}\">{% endif %}\
                 {{ my_latest_day }} {{ latest_dayx }}";
        assert_eq!(
            usages(t, "latest_day"),
            vec![Use::Truthy, Use::Path(vec!["date".into(), "iso".into()])]
        );
        assert_eq!(usages("{% for a in latest %}", "latest"), vec![Use::Whole]);
        assert_eq!(usages("{{ latest[0].title }}", "latest"), vec![Use::Whole]);
        assert_eq!(usages("Latest news", "latest"), vec![]);
        assert_eq!(usages("the latest news", "latest"), vec![Use::Whole]);
    }

    #[test]
    fn paths_look_into_maps_and_lists() {
        let v = Value::from_serializable(
            &serde_json::json!({"date": {"iso": "x"}, "articles": [1, 2]}),
        );
        let (hasher, mut cards) = (ValueHasher::new(), Vec::new());
        let mut find = |path: &[&str]| {
            let path: Vec<String> = path.iter().map(|s| s.to_string()).collect();
            lookup(&v, &path, &hasher, &mut cards).cloned()
        };
        assert_eq!(
            find(&["date", "iso"]).as_ref().and_then(Value::as_str),
            Some("x")
        );
        assert_eq!(
            find(&["articles", "1"]).as_ref().and_then(Value::as_i64),
            Some(2)
        );
        assert!(find(&["nope"]).is_none());
        assert!(cards.is_empty());
    }

    #[test]
    fn a_path_through_a_card_notes_its_article() {
        let card = crate::render::context::obj([("title", "T".into())]);
        let hasher = ValueHasher::new();
        hasher.register_late(&card, Some(ArticleId::from(4)));
        let latest = Value::from(vec![Value::from("other"), card]);
        let mut cards = Vec::new();
        let path = ["1".to_string(), "title".to_string()];
        let title = lookup(&latest, &path, &hasher, &mut cards);
        assert_eq!(title.and_then(Value::as_str), Some("T"));
        assert_eq!(cards, [ArticleId::from(4)]);
        // Hashing a list that holds the card notes it too.
        let mut noted = Vec::new();
        hasher.hash_noting(&latest, &mut Vec::new(), &mut noted);
        assert_eq!(noted, [ArticleId::from(4)]);
    }
}
