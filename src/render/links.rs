//! The link checker: which links of article bodies lead to no output of the site. A pure
//! function of the links recorded while rendering bodies and an index of the site's outputs,
//! so it needs neither the disk nor a full re-render.

use std::collections::{BTreeMap, HashSet};

use rustc_hash::{FxHashMap, FxHashSet};

use crate::error::Diagnostic;
use crate::util::url::{has_scheme, percent_decode};

/// What one article links to, as recorded while rendering it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ArticleLinks {
    /// The article's file, relative to the site folder (`content/world/a.md`).
    pub source: String,
    /// The article page's path in the output (`world/2025/01/01/a/`), which relative links
    /// and `#fragment`s are read against.
    pub page: String,
    /// Link and image targets as written in the body (and the front matter `image`).
    pub targets: Vec<String>,
    /// The file line where each target is written, when known (parallel to `targets`).
    pub lines: Vec<Option<usize>>,
    /// The article is a bundle (`name/index.md`): files beside it are published.
    pub bundle: bool,
}

/// The outputs of a build: every file path (`politics/index.html`, `feed.xml`), and for pages
/// whose element ids are known (article pages), those ids, borrowed from the recorded links:
/// a rebuild checks every article's links, and a copy of 50,000 id lists cost more than the
/// check.
#[derive(Debug, Default)]
pub struct SiteIndex<'a> {
    files: FxHashSet<String>,
    /// By page path (`world/2025/01/01/a/`).
    ids: FxHashMap<&'a str, &'a [String]>,
}

impl<'a> SiteIndex<'a> {
    /// The index of these output files (paths relative to the output root).
    pub fn of_files(files: FxHashSet<String>) -> SiteIndex<'a> {
        SiteIndex {
            files,
            ids: FxHashMap::default(),
        }
    }

    /// Adds an output file (path relative to the output root, `/` separators).
    pub fn add_file(&mut self, path: impl Into<String>) {
        self.files.insert(path.into());
    }

    /// Records the ids of the page at `page` (a page path such as `world/2025/01/01/a/`, whose
    /// file is among the index's files); fragments pointing to that page are then checked
    /// against them.
    pub fn add_ids(&mut self, page: &'a str, ids: &'a [String]) {
        self.ids.insert(page, ids);
    }
}

/// The broken links of a build: one diagnostic per article and target, and the summary.
#[derive(Debug, Default)]
pub struct LinkReport {
    pub diagnostics: Vec<Diagnostic>,
    /// `342 broken links in 57 articles; --strict makes them errors`, when any is broken.
    pub summary: Option<String>,
}

/// Checks every internal link against `index`. Links with a scheme (`https:`, `mailto:`,
/// `tel:`), protocol-relative ones and empty ones are not the site's and are not checked.
pub fn check(articles: &[ArticleLinks], index: &SiteIndex) -> LinkReport {
    // (article source, problem) → (count, first line); BTreeMap for a sorted, deterministic
    // report.
    let mut broken: BTreeMap<(&str, String), (usize, Option<usize>)> = BTreeMap::new();
    for article in articles {
        for (i, target) in article.targets.iter().enumerate() {
            if let Some(mut problem) = problem(target, &article.page, index) {
                if !article.bundle && is_relative(target) {
                    problem.push_str(BUNDLE_HINT);
                }
                let line = article.lines.get(i).copied().flatten();
                let entry = broken
                    .entry((&article.source, problem))
                    .or_insert((0, line));
                entry.0 += 1;
                entry.1 = match (entry.1, line) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
            }
        }
    }
    let total: usize = broken.values().map(|(count, _)| count).sum();
    let files: HashSet<&str> = broken.keys().map(|(source, _)| *source).collect();
    let diagnostics = broken
        .iter()
        .map(|((source, problem), &(count, line))| {
            let times = if count > 1 {
                format!(" ({count} times)")
            } else {
                String::new()
            };
            Diagnostic::warning(source, line, format!("broken link: {problem}{times}"))
        })
        .collect();
    let summary = (total > 0).then(|| {
        format!(
            "{total} broken link{} in {} article{}; --strict makes them errors",
            plural(total),
            files.len(),
            plural(files.len())
        )
    });
    LinkReport {
        diagnostics,
        summary,
    }
}

/// Whether any of `targets`, written on the page at `page`, leads nowhere: a cheap first pass,
/// so that only the few articles with a broken link are located in their files for [`check`].
pub fn any_broken(targets: &[String], page: &str, index: &SiteIndex) -> bool {
    targets.iter().any(|t| problem(t, page, index).is_some())
}

/// Added to a broken relative link of a single-file article: its neighbours are not published.
const BUNDLE_HINT: &str = " (files beside an article are published only from a bundle folder: \
                           move the article to <folder>/index.md with its files)";

/// A link read against the article's own page: not site-absolute, not a fragment alone, no
/// scheme.
fn is_relative(target: &str) -> bool {
    !target.starts_with('/') && !target.starts_with('#') && !has_scheme(target)
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// What is wrong with one link of the page at `page`, if anything.
fn problem(target: &str, page: &str, index: &SiteIndex) -> Option<String> {
    if target.is_empty() || target.starts_with("//") || has_scheme(target) {
        return None;
    }
    let (rest, fragment) = match target.split_once('#') {
        Some((rest, f)) => (rest, Some(f)),
        None => (target, None),
    };
    let path = rest.split('?').next().unwrap_or("");
    let resolved = if path.is_empty() {
        Some(page.to_string())
    } else if let Some(abs) = path.strip_prefix('/') {
        normalize("", abs)
    } else {
        normalize(page, path)
    };
    let Some(resolved) = resolved else {
        return Some(format!("{target} leads outside the site"));
    };
    let Some(file) = output_file(&resolved, index) else {
        return Some(format!("/{resolved} is not a page or file of the site"));
    };
    let fragment = decode_or_keep(fragment?);
    let ids = index.ids.get(file.strip_suffix("index.html")?)?;
    (!fragment.is_empty() && !ids.contains(&fragment))
        .then(|| format!("/{resolved}#{fragment}: the page has no element with id `{fragment}`"))
}

/// Joins `path` to the folder `base` (a page path ending in `/`, or empty for the root),
/// decoding `%XX` and resolving `.` and `..`; `None` when it climbs above the root.
fn normalize(base: &str, path: &str) -> Option<String> {
    let decoded = decode_or_keep(path);
    let mut parts: Vec<&str> = base.split('/').filter(|s| !s.is_empty()).collect();
    let trailing = decoded.ends_with('/') || decoded.ends_with("/.") || decoded.ends_with("/..");
    for segment in decoded.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    let mut out = parts.join("/");
    if (trailing || decoded == "." || decoded == "..") && !out.is_empty() {
        out.push('/');
    }
    Some(out)
}

/// The output file a resolved path is served from: `a/b/` → `a/b/index.html`; `a/b` →
/// itself, or `a/b/index.html` (static hosts redirect a folder to its slash form).
fn output_file(resolved: &str, index: &SiteIndex) -> Option<String> {
    let candidates = if resolved.is_empty() || resolved.ends_with('/') {
        vec![format!("{resolved}index.html")]
    } else {
        vec![resolved.to_string(), format!("{resolved}/index.html")]
    };
    candidates.into_iter().find(|c| index.files.contains(c))
}

/// A URL part with its `%XX` escapes decoded; one with a broken escape is checked as written.
fn decode_or_keep(s: &str) -> String {
    percent_decode(s).unwrap_or_else(|| s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index() -> SiteIndex<'static> {
        let mut index = SiteIndex::default();
        index.add_file("index.html");
        index.add_file("politics/index.html");
        index.add_file("feed.xml");
        index.add_file("world/2025/01/01/a/chart one.png");
        index.add_file("world/2025/01/01/a/index.html");
        index.add_file("world/2025/01/02/b/index.html");
        index.add_ids("world/2025/01/01/a/", Vec::leak(vec!["usage".to_string()]));
        index.add_ids(
            "world/2025/01/02/b/",
            Vec::leak(vec!["building-nodejs".to_string()]),
        );
        index
    }

    fn report(targets: &[&str]) -> Vec<String> {
        let a = ArticleLinks {
            source: "content/world/a.md".into(),
            page: "world/2025/01/01/a/".into(),
            targets: targets.iter().map(|t| t.to_string()).collect(),
            lines: Vec::new(),
            bundle: true,
        };
        check(&[a], &index())
            .diagnostics
            .iter()
            .map(|d| d.message.clone())
            .collect()
    }

    #[test]
    fn links_that_lead_somewhere_are_not_reported() {
        let fine = [
            "https://e.org/x",
            "mailto:a@b.org",
            "tel:+6421",
            "//cdn.e.org/x.js",
            "#usage",
            "",
            "/politics/",
            "/politics",
            "/politics/?page=2#top",
            "/",
            "/feed.xml",
            "chart%20one.png",
            "./chart one.png",
            "../../02/b/#building-nodejs",
            "/world/2025/01/01/a/#usage",
            "?q=1",
            "/politics/#anything",
        ];
        assert_eq!(report(&fine), Vec::<String>::new());
    }

    #[test]
    fn links_that_lead_nowhere_are_reported_once_with_a_count() {
        let got = report(&[
            "/nowhere/",
            "/nowhere/",
            "nope.png",
            "#missing",
            "../../02/b/#building-node.js",
            "../../../../../../etc/passwd",
        ]);
        assert_eq!(
            got,
            [
                "broken link: ../../../../../../etc/passwd leads outside the site",
                "broken link: /nowhere/ is not a page or file of the site (2 times)",
                "broken link: /world/2025/01/01/a/#missing: the page has no element with id `missing`",
                "broken link: /world/2025/01/01/a/nope.png is not a page or file of the site",
                "broken link: /world/2025/01/02/b/#building-node.js: the page has no element with id `building-node.js`",
            ]
        );
    }

    #[test]
    fn summary_counts_links_and_articles() {
        let mk = |source: &str, targets: &[&str]| ArticleLinks {
            source: source.into(),
            page: "x/".into(),
            targets: targets.iter().map(|t| t.to_string()).collect(),
            lines: Vec::new(),
            bundle: true,
        };
        let r = check(
            &[mk("a.md", &["/n/", "/n/", "/m/"]), mk("b.md", &["/n/"])],
            &index(),
        );
        assert_eq!(r.diagnostics.len(), 3);
        assert_eq!(
            r.summary.as_deref(),
            Some("4 broken links in 2 articles; --strict makes them errors")
        );
        assert_eq!(check(&[mk("c.md", &["/"])], &index()).summary, None);
    }
}
