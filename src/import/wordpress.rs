//! WordPress (WXR export) → articles. The export is read twice, streaming: first to check
//! the whole file and learn its attachments, then to convert and write one post at a time.

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::NaiveDateTime;

use super::front::{NewFront, When, push_unique};
use super::report::Report;
use super::wxr::{self, Channel, Item};
use super::{
    Article, BundleFile, ImportOptions, SourceSite, Writer, add_bundle_file, urls, wpbody,
};
use crate::error::Error;

/// An attachment of the export: its file URL and the post it belongs to.
struct Attachment {
    url: String,
    parent: String,
}

/// What converting a post needs besides the post.
struct Context {
    attachments: BTreeMap<String, Attachment>,
    uploads: Option<PathBuf>,
    base_path: String,
    /// Upload URLs left pointing at the old host because no `--uploads` was given.
    left_on_old_host: usize,
}

pub fn import(opts: &ImportOptions, report: &mut Report) -> Result<(), Error> {
    if let Some(dir) = &opts.uploads
        && !dir.is_dir()
    {
        return Err(Error::Usage(format!(
            "--uploads {}: no such folder",
            dir.display()
        )));
    }
    let mut attachments = BTreeMap::new();
    let channel = wxr::read(&opts.source, |item, _| {
        if item.post_type == "attachment" {
            let url = item.attachment_url;
            attachments.insert(
                item.post_id,
                Attachment {
                    url,
                    parent: item.post_parent,
                },
            );
        }
        Ok(())
    })?;
    let source = SourceSite {
        title: Some(channel.title.clone()),
        base_url: Some(channel.link.clone()),
        timezone: None,
    };
    let mut writer = Writer::open(opts, &source)?;
    let base = if channel.base_blog_url.is_empty() {
        &channel.link
    } else {
        &channel.base_blog_url
    };
    let mut ctx = Context {
        attachments,
        uploads: opts.uploads.clone(),
        base_path: urls::base_path(base),
        left_on_old_host: 0,
    };
    wxr::read(&opts.source, |item, channel| {
        report.count("comments", item.comments);
        match item.post_type.as_str() {
            "post" => {
                if let Some(article) = post(item, channel, &mut ctx, report) {
                    writer.write(article, report)?;
                }
            }
            "page" => report.count("pages", 1),
            "attachment" => report.count("attachments", 1),
            "nav_menu_item" => report.count("menu items", 1),
            _ => report.count("other items (custom post types, revisions, blocks)", 1),
        }
        Ok(())
    })?;
    if ctx.left_on_old_host > 0 {
        report.unmapped(
            opts.source.display().to_string(),
            format!(
                "{} upload URLs still point at the old site: pass --uploads path/to/wp-content/uploads to copy the files",
                ctx.left_on_old_host
            ),
        );
    }
    writer.finish(report)
}

/// Converts one `post` item, or reports why it is skipped.
fn post(item: Item, channel: &Channel, ctx: &mut Context, report: &mut Report) -> Option<Article> {
    // WordPress keeps titles and term names HTML-escaped (`&amp;`); newsgen's are plain text.
    let title = plain_text(&item.title);
    let origin = format!("post {} \"{title}\"", item.post_id);
    let (draft, live) = match item.status.as_str() {
        "publish" | "future" => (false, true),
        "draft" | "pending" | "private" => (true, false),
        other => {
            report.skip(&origin, format!("status `{other}`"));
            return None;
        }
    };
    let Some(date) = gmt(&item.post_date_gmt).or_else(|| local(&item.post_date)) else {
        report.skip(&origin, format!("no usable date (`{}`)", item.post_date));
        return None;
    };
    let mut title = title;
    if title.is_empty() {
        title = format!("Untitled post {}", item.post_id);
        report.review(&origin, format!("has no title: written as \"{title}\""));
    }
    let slug = percent_encoding::percent_decode_str(&item.post_name)
        .decode_utf8_lossy()
        .into_owned();
    let mut front = NewFront::new(title, date, slug);
    front.set_updated(gmt(&item.post_modified_gmt));
    // A password-protected post was not public: it stays unpublished until a person decides.
    let protected = !item.post_password.is_empty();
    if protected {
        report.review(
            &origin,
            "password-protected in WordPress: imported as a draft",
        );
    }
    front.draft = draft || protected;
    front.featured = item.is_sticky;
    if let Some(name) = channel.authors.get(&item.creator).or(Some(&item.creator)) {
        push_unique(&mut front.authors, name);
    }
    let summary = plain_text(&item.excerpt);
    front.summary = (!summary.is_empty()).then_some(summary);
    let section = sort_terms(&item, channel, &mut front, &origin, report);
    if live && !protected {
        match urls::old_path(&item.link, &ctx.base_path) {
            Some(path) => front.aliases.push(path),
            None => report.unmapped(
                &origin,
                format!("old URL `{}` cannot have a redirect page", item.link),
            ),
        }
    }
    let post_id = item.post_id.clone();
    let gallery = |attrs: &str| gallery_urls(&ctx.attachments, &post_id, attrs);
    let (html, unknown) = wpbody::convert(&item.content, &gallery);
    for name in unknown {
        report.review(&origin, format!("unknown shortcode [{name}] kept as text"));
    }
    let mut body = html;
    let mut files = Vec::new();
    let featured = item
        .meta
        .get("_thumbnail_id")
        .and_then(|id| ctx.attachments.get(id))
        .map(|a| a.url.clone());
    for url in upload_urls(&body) {
        if let Some(name) = bundle(&url, ctx, &mut files, &origin, report) {
            body = body.replace(&url, &name);
        }
    }
    if let Some(url) = featured {
        front.image = Some(bundle(&url, ctx, &mut files, &origin, report).unwrap_or(url));
    }
    Some(Article {
        origin,
        section,
        front,
        body,
        files,
    })
}

/// The section is the primary category (Yoast's, when set), else the first; the other
/// categories and the tags become tags.
fn sort_terms(
    item: &Item,
    channel: &Channel,
    front: &mut NewFront,
    origin: &str,
    report: &mut Report,
) -> String {
    let primary = item
        .meta
        .get("_yoast_wpseo_primary_category")
        .and_then(|id| channel.category_ids.get(id));
    let categories: Vec<_> = item
        .terms
        .iter()
        .filter(|t| t.domain == "category")
        .collect();
    let section_term = primary
        .and_then(|nice| categories.iter().find(|t| &t.nicename == nice))
        .or(categories.first());
    let section = section_term.map_or_else(|| "news".to_string(), |t| plain_text(&t.name));
    for t in &item.terms {
        let name = plain_text(&t.name);
        match t.domain.as_str() {
            "category" if name != section => push_unique(&mut front.tags, &name),
            "category" => {}
            "post_tag" => push_unique(&mut front.tags, &name),
            other => report.unmapped(origin, format!("term `{name}` of taxonomy `{other}`")),
        }
    }
    section
}

/// Copies the upload behind `url` into the article's bundle; returns its name there.
fn bundle(
    url: &str,
    ctx: &mut Context,
    files: &mut Vec<BundleFile>,
    origin: &str,
    report: &mut Report,
) -> Option<String> {
    let rel = upload_path(url)?;
    let rel = percent_encoding::percent_decode_str(rel)
        .decode_utf8_lossy()
        .into_owned();
    let Some(dir) = &ctx.uploads else {
        ctx.left_on_old_host += 1;
        return None;
    };
    let from = dir.join(&rel);
    if rel.split('/').any(|s| s == "..") || !from.is_file() {
        report.review(
            origin,
            format!("missing upload `{rel}`: left at its old URL"),
        );
        return None;
    }
    add_bundle_file(files, from)
}

/// The path of an upload below the uploads folder: what follows `/wp-content/uploads/`, or
/// the path of a WordPress.com media URL (`https://site.files.wordpress.com/2013/03/x.jpg`).
fn upload_path(url: &str) -> Option<&str> {
    let path = match url.split_once("/wp-content/uploads/") {
        Some((_, rel)) => rel,
        None => {
            let (host, path) = url.split_once("://")?.1.split_once('/')?;
            if !host.ends_with(".files.wordpress.com") {
                return None;
            }
            path
        }
    };
    path.split(['?', '#']).next().filter(|p| !p.is_empty())
}

/// `src` and `href` values pointing at uploads, each once.
fn upload_urls(body: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for key in ["src=\"", "href=\"", "](", "src='"] {
        let mut rest = body;
        while let Some(i) = rest.find(key) {
            let value = &rest[i + key.len()..];
            let end = value.find(['"', '\'', ')', ' ']).unwrap_or(value.len());
            let url = &value[..end];
            if upload_path(url).is_some() && !out.iter().any(|u| u == url) {
                out.push(url.to_string());
            }
            rest = &value[end..];
        }
    }
    // Longest first, so that replacing one URL never cuts into a longer one.
    out.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    out
}

/// The image URLs of a `[gallery]`: its `ids`, else the images attached to the post.
fn gallery_urls(
    attachments: &BTreeMap<String, Attachment>,
    post_id: &str,
    attrs: &str,
) -> Vec<String> {
    match wpbody::attr(attrs, "ids") {
        Some(ids) => ids
            .split(',')
            .filter_map(|id| attachments.get(id.trim()))
            .map(|a| a.url.clone())
            .collect(),
        None => attachments
            .values()
            .filter(|a| a.parent == post_id)
            .map(|a| a.url.clone())
            .collect(),
    }
}

/// A `*_gmt` field; WordPress writes `0000-00-00 00:00:00` when it has none (drafts).
fn gmt(s: &str) -> Option<When> {
    let naive = NaiveDateTime::parse_from_str(s.trim(), "%Y-%m-%d %H:%M:%S").ok()?;
    Some(When::Instant(naive.and_utc().fixed_offset()))
}

/// A site-local time (the export does not say the site's zone).
fn local(s: &str) -> Option<When> {
    NaiveDateTime::parse_from_str(s.trim(), "%Y-%m-%d %H:%M:%S")
        .ok()
        .map(When::Local)
}

/// HTML (an excerpt) as plain text, whitespace collapsed.
fn plain_text(html: &str) -> String {
    let doc = scraper::Html::parse_fragment(html);
    let text: String = doc.root_element().text().collect();
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upload_paths() {
        let p = |u| upload_path(u);
        assert_eq!(
            p("https://e.org/blog/wp-content/uploads/2020/01/a.jpg?w=300"),
            Some("2020/01/a.jpg")
        );
        assert_eq!(
            p("https://site.files.wordpress.com/2013/03/b.jpg"),
            Some("2013/03/b.jpg")
        );
        assert_eq!(p("https://e.org/2020/01/post/"), None);
        assert_eq!(p("https://files.wordpress.com.evil.org/x.jpg"), None);
    }
}
