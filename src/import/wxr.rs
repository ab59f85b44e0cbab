//! A streaming reader of WordPress's export format (WXR 1.2): one `<item>` at a time, so an
//! export of hundreds of MB is read in bounded memory.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use quick_xml::Reader;
use quick_xml::events::Event;

use crate::error::{Diagnostic, Error};

/// What the export says about the whole site (everything before the first `<item>`).
#[derive(Debug, Default)]
pub struct Channel {
    pub title: String,
    pub link: String,
    pub base_blog_url: String,
    /// Author login → display name.
    pub authors: BTreeMap<String, String>,
    /// Category term id → nicename (for Yoast's primary category).
    pub category_ids: BTreeMap<String, String>,
    /// Author being read: (login, display name).
    pending_author: (String, String),
    /// Category being read: (term id, nicename).
    pending_category: (String, String),
}

/// A `<category>` of an item: `domain` is `category`, `post_tag`, `post_format`...
#[derive(Debug, Clone, Default)]
pub struct Term {
    pub domain: String,
    pub nicename: String,
    pub name: String,
}

/// One `<item>`: a post, page, attachment, menu item...
#[derive(Debug, Default)]
pub struct Item {
    pub title: String,
    pub link: String,
    pub creator: String,
    pub content: String,
    pub excerpt: String,
    pub post_id: String,
    pub post_date: String,
    pub post_date_gmt: String,
    pub post_modified_gmt: String,
    pub post_name: String,
    pub status: String,
    pub post_type: String,
    pub post_parent: String,
    pub post_password: String,
    pub is_sticky: bool,
    pub attachment_url: String,
    pub terms: Vec<Term>,
    /// `<wp:postmeta>` key → value.
    pub meta: BTreeMap<String, String>,
    pub comments: usize,
    pending_meta_key: String,
}

impl Item {
    /// Stores the text of a direct child element (`name`), or of a postmeta child.
    fn set(&mut self, path: &[String], text: String) {
        let name = path.last().map(String::as_str).unwrap_or("");
        if path.len() == 2 && path[0] == "wp:postmeta" {
            match name {
                "wp:meta_key" => self.pending_meta_key = text,
                "wp:meta_value" => {
                    let key = std::mem::take(&mut self.pending_meta_key);
                    self.meta.insert(key, text);
                }
                _ => {}
            }
            return;
        }
        if path.len() != 1 {
            return;
        }
        let field = match name {
            "title" => &mut self.title,
            "link" => &mut self.link,
            "dc:creator" => &mut self.creator,
            "content:encoded" => &mut self.content,
            "excerpt:encoded" => &mut self.excerpt,
            "wp:post_id" => &mut self.post_id,
            "wp:post_date" => &mut self.post_date,
            "wp:post_date_gmt" => &mut self.post_date_gmt,
            "wp:post_modified_gmt" => &mut self.post_modified_gmt,
            "wp:post_name" => &mut self.post_name,
            "wp:status" => &mut self.status,
            "wp:post_type" => &mut self.post_type,
            "wp:post_parent" => &mut self.post_parent,
            "wp:post_password" => &mut self.post_password,
            "wp:attachment_url" => &mut self.attachment_url,
            "wp:is_sticky" => {
                self.is_sticky = text.trim() == "1";
                return;
            }
            "category" => {
                if let Some(term) = self.terms.last_mut() {
                    term.name = text;
                }
                return;
            }
            _ => return,
        };
        *field = text;
    }
}

impl Channel {
    fn set(&mut self, path: &[String], text: String) {
        let name = path.last().map(String::as_str).unwrap_or("");
        match (path.len(), path.first().map(String::as_str), name) {
            (1, _, "title") => self.title = text,
            (1, _, "link") => self.link = text,
            (1, _, "wp:base_blog_url") => self.base_blog_url = text,
            (2, Some("wp:author"), "wp:author_login") => self.pending_author.0 = text,
            (2, Some("wp:author"), "wp:author_display_name") => self.pending_author.1 = text,
            (2, Some("wp:category"), "wp:term_id") => self.pending_category.0 = text,
            (2, Some("wp:category"), "wp:category_nicename") => self.pending_category.1 = text,
            _ => {}
        }
    }

    fn close(&mut self, name: &str) {
        if name == "wp:author" {
            let (login, display) = std::mem::take(&mut self.pending_author);
            let display = if display.trim().is_empty() {
                login.clone()
            } else {
                display
            };
            self.authors.insert(login, display);
        } else if name == "wp:category" {
            let (id, nicename) = std::mem::take(&mut self.pending_category);
            self.category_ids.insert(id, nicename);
        }
    }
}

/// Where the reader is: inside the channel, or inside an item (with the path below it).
enum Place {
    Outside,
    Channel,
    Item(Box<Item>),
}

/// Reads the export at `path`, calling `on_item` for each item in file order. Malformed XML
/// is an error naming the file and line.
pub fn read(
    path: &Path,
    mut on_item: impl FnMut(Item, &Channel) -> Result<(), Error>,
) -> Result<Channel, Error> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut reader = Reader::from_reader(BufReader::with_capacity(1 << 16, file));
    let mut channel = Channel::default();
    let mut place = Place::Outside;
    // Element names below the channel or the current item; `depth` counts from the root.
    let mut below: Vec<String> = Vec::new();
    let mut open: Vec<String> = Vec::new();
    let mut text = String::new();
    let mut buf = Vec::new();
    loop {
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| xml_error(path, reader.error_position(), &e.to_string()))?;
        match event {
            Event::Start(e) => {
                let name = e.name().as_ref().to_string();
                text.clear();
                match (&place, name.as_str()) {
                    (Place::Outside, "channel") => place = Place::Channel,
                    (Place::Channel, "item") if below.is_empty() => {
                        place = Place::Item(Box::default());
                    }
                    _ => {
                        if let Place::Item(item) = &mut place {
                            if below.is_empty() && name == "category" {
                                item.terms.push(term(&e));
                            }
                            if name == "wp:comment" && below.is_empty() {
                                item.comments += 1;
                            }
                        }
                        if !matches!(place, Place::Outside) {
                            below.push(name.clone());
                        }
                    }
                }
                open.push(name);
            }
            Event::Empty(e) => {
                if let Place::Item(item) = &mut place
                    && below.is_empty()
                    && e.name().as_ref() == "category"
                {
                    item.terms.push(term(&e));
                }
            }
            Event::Text(t) => text.push_str(&t.xml10_content()),
            Event::CData(t) => text.push_str(&t.xml10_content()),
            Event::GeneralRef(r) => text.push_str(&entity(&r, path, reader.buffer_position())?),
            Event::End(e) => {
                let name = e.name().as_ref().to_string();
                open.pop();
                if below.last() == Some(&name) {
                    let value = std::mem::take(&mut text);
                    match &mut place {
                        Place::Item(item) => item.set(&below, value),
                        Place::Channel => channel.set(&below, value),
                        Place::Outside => {}
                    }
                    below.pop();
                    if matches!(place, Place::Channel) && below.is_empty() {
                        channel.close(&name);
                    }
                } else if name == "item" && matches!(place, Place::Item(_)) {
                    let Place::Item(item) = std::mem::replace(&mut place, Place::Channel) else {
                        unreachable!("matched Place::Item just above")
                    };
                    on_item(*item, &channel)?;
                } else if name == "channel" {
                    place = Place::Outside;
                }
                text.clear();
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    if let Some(name) = open.last() {
        return Err(xml_error(
            path,
            reader.buffer_position(),
            &format!("the file ends inside <{name}>: the export is incomplete"),
        ));
    }
    if channel.title.is_empty() && channel.link.is_empty() {
        return Err(xml_error(
            path,
            0,
            "no <channel>: this is not a WordPress export (WXR) file",
        ));
    }
    Ok(channel)
}

fn term(e: &quick_xml::events::BytesStart) -> Term {
    let mut t = Term::default();
    for attr in e.attributes().flatten() {
        let value = attr
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map(|v| v.into_owned())
            .unwrap_or_default();
        match attr.key.as_ref() {
            "domain" => t.domain = value,
            "nicename" => t.nicename = value,
            _ => {}
        }
    }
    t
}

/// The text of `&name;` or `&#n;`; the five XML entities are all XML defines.
fn entity(r: &quick_xml::events::BytesRef, path: &Path, offset: u64) -> Result<String, Error> {
    if let Ok(Some(c)) = r.resolve_char_ref() {
        return Ok(c.to_string());
    }
    let name = r.xml10_content();
    let text = match name.as_ref() {
        "amp" => "&",
        "lt" => "<",
        "gt" => ">",
        "quot" => "\"",
        "apos" => "'",
        other => {
            return Err(xml_error(
                path,
                offset,
                &format!("unknown entity `&{other};`"),
            ));
        }
    };
    Ok(text.to_string())
}

/// An XML error located by line: the file is read again up to the byte offset.
fn xml_error(path: &Path, offset: u64, message: &str) -> Error {
    let line = File::open(path)
        .ok()
        .map(|f| line_at(BufReader::new(f), offset));
    let name = path
        .file_name()
        .map_or_else(|| path.to_path_buf(), std::path::PathBuf::from);
    Error::Site(vec![Diagnostic::error(
        name,
        line,
        format!("invalid XML: {message}"),
    )])
}

fn line_at(reader: impl BufRead, offset: u64) -> usize {
    let newlines = reader
        .take(offset)
        .bytes()
        .filter(|b| matches!(b, Ok(b'\n')))
        .count();
    newlines + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    const PIECES: &[&str] = &[
        "<rss>",
        "</rss>",
        "<channel>",
        "</channel>",
        "<item>",
        "</item>",
        "<title>",
        "</title>",
        "<wp:postmeta>",
        "</wp:postmeta>",
        "<wp:meta_key>",
        "</wp:meta_key>",
        "<category domain=\"category\">",
        "</category>",
        "<![CDATA[",
        "]]>",
        "&amp;",
        "&nbsp;",
        "&#233;",
        "<wp:author>",
        "</wp:author>",
        "<wp:comment>",
        "</wp:comment>",
        "x",
        "é",
        "<",
        ">",
        "\n",
    ];

    #[test]
    fn random_exports_never_panic() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.xml");
        let mut next = crate::testing::xorshift(0x1234_5678_9abc_def1);
        for _ in 0..500 {
            let n = (next() % 40) as usize;
            let text: String = (0..n)
                .map(|_| PIECES[(next() as usize) % PIECES.len()])
                .collect();
            std::fs::write(&path, &text).unwrap();
            let _ = read(&path, |_, _| Ok(()));
        }
    }

    #[test]
    fn entities_and_split_cdata_are_text() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.xml");
        std::fs::write(
            &path,
            "<rss><channel><title>T &amp; &#233;</title><item><title><![CDATA[a]]]]><![CDATA[>b]]></title>\
             <wp:post_type>post</wp:post_type></item></channel></rss>",
        )
        .unwrap();
        let mut titles = Vec::new();
        let channel = read(&path, |item, _| {
            titles.push(item.title);
            Ok(())
        })
        .unwrap();
        assert_eq!(channel.title, "T & é");
        assert_eq!(titles, vec!["a]]>b"]);
        std::fs::write(&path, "<rss><channel><title>&nbsp;</title></channel></rss>").unwrap();
        let Err(Error::Site(d)) = read(&path, |_, _| Ok(())) else {
            panic!("an unknown entity is an error")
        };
        assert!(d[0].message.contains("&nbsp;"), "{}", d[0].message);
        assert_eq!(d[0].line, Some(1));
    }
}
