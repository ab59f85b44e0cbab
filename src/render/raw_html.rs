//! Raw HTML written in article bodies: left as the author wrote it when it is balanced,
//! repaired when it is not, and its links and ids seen by the link checker.

use std::cell::{Cell, RefCell};

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};

/// Elements that never have content, so never an end tag.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr", "frame", "keygen", "image",
];

/// Elements whose end tag HTML lets authors leave out (`<li>`, `<td>`, `<p>`...): the parser
/// closes them at the right place, so they cannot leak out of the body.
const OPTIONAL_END: &[&str] = &[
    "p", "li", "dt", "dd", "tr", "td", "th", "thead", "tbody", "tfoot", "option", "optgroup", "rt",
    "rp", "rb", "rtc", "colgroup", "caption", "html", "head", "body",
];

/// Whether every element opened in `html` is closed, in order, inside it. Raw HTML that
/// passes is kept byte for byte: re-serialising valid HTML would add `<tbody>`, drop the
/// first newline of `<pre>`, turn processing instructions and CDATA into comments...
pub fn is_balanced(html: &str) -> bool {
    let tokenizer = Tokenizer::new(Balance::default(), TokenizerOpts::default());
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    let sink = &tokenizer.sink;
    !sink.broken.get() && sink.open.borrow().is_empty()
}

/// Raw HTML from many hands leaves tags open (`<div>` without `</div>`), which would swallow
/// the rest of the page into the article. Parsing the body as an HTML fragment, the way a
/// browser would, and writing it back closes every element inside the body.
pub fn balance(html: &str) -> String {
    let fragment = scraper::Html::parse_fragment(html);
    fragment.root_element().inner_html()
}

/// Follows open and end tags; set `broken` at an end tag that closes nothing open, or the
/// wrong element.
#[derive(Default)]
struct Balance {
    open: RefCell<Vec<String>>,
    broken: Cell<bool>,
}

impl TokenSink for Balance {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let tag = match token {
            Token::TagToken(tag) => tag,
            // Input ending inside a tag or comment would swallow the page's own markup.
            Token::ParseError(e) if e.contains("EOF") => {
                self.broken.set(true);
                return TokenSinkResult::Continue;
            }
            _ => return TokenSinkResult::Continue,
        };
        let name: &str = &tag.name;
        if VOID.contains(&name) || OPTIONAL_END.contains(&name) {
            return TokenSinkResult::Continue;
        }
        match tag.kind {
            // `<x/>` closes itself only in SVG and MathML; `<div/>` and `<my-el/>` stay open.
            TagKind::StartTag if tag.self_closing && self.in_foreign(name) => {
                TokenSinkResult::Continue
            }
            TagKind::StartTag => {
                self.open.borrow_mut().push(name.to_string());
                text_mode(name)
            }
            TagKind::EndTag => {
                let mut open = self.open.borrow_mut();
                if open.last().map(String::as_str) == Some(name) {
                    open.pop();
                } else {
                    self.broken.set(true);
                }
                TokenSinkResult::Continue
            }
        }
    }
}

impl Balance {
    fn in_foreign(&self, name: &str) -> bool {
        matches!(name, "svg" | "math")
            || self.open.borrow().iter().any(|n| n == "svg" || n == "math")
    }
}

/// The tokenizer state after an open tag whose content is text, not markup (what the tree
/// builder would tell the tokenizer).
fn text_mode(name: &str) -> TokenSinkResult<()> {
    match name {
        "script" => TokenSinkResult::RawData(RawKind::ScriptData),
        "style" | "xmp" | "iframe" | "noembed" | "noframes" => {
            TokenSinkResult::RawData(RawKind::Rawtext)
        }
        "textarea" | "title" => TokenSinkResult::RawData(RawKind::Rcdata),
        "plaintext" => TokenSinkResult::Plaintext,
        _ => TokenSinkResult::Continue,
    }
}

/// What one piece of raw HTML links to and which ids it defines.
#[derive(Debug, Default, PartialEq)]
pub struct RawRefs {
    /// `href` and `src` values as written.
    pub links: Vec<String>,
    pub ids: Vec<String>,
}

/// Collects the links and ids of a piece of raw HTML and rewrites its `href` and `src`
/// values with `rewrite` (which returns `None` to keep a value). Everything else is kept
/// byte for byte.
pub fn rewrite_links(html: &str, rewrite: &dyn Fn(&str) -> Option<String>) -> (String, RawRefs) {
    let refs = RefCell::new(RawRefs::default());
    let handler = lol_html::element!("[href], [src], [id]", |el| {
        let mut refs = refs.borrow_mut();
        if let Some(id) = el.get_attribute("id") {
            refs.ids.push(id);
        }
        for name in ["href", "src"] {
            let Some(value) = el.get_attribute(name) else {
                continue;
            };
            if let Some(new) = rewrite(&value) {
                el.set_attribute(name, &new)
                    .expect("href and src are valid attribute names");
            }
            refs.links.push(value);
        }
        Ok(())
    });
    let settings = lol_html::RewriteStrSettings::new().append_element_content_handler(handler);
    // lol_html fails only past its memory limit (far above an article); keep the text then.
    let out = lol_html::rewrite_str(html, settings).unwrap_or_else(|_| html.to_string());
    (out, refs.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn balance_follows_html_rules() {
        for ok in [
            "<table><tr><td>a</td></tr></table>",
            "<ul><li>a<li>b</ul>",
            "<p>a<p>b",
            "<br><img src=x><hr/>",
            "<svg><path d='M0'/></svg>",
            "<script>if (a</b) {}</script>",
            "<textarea>\n</div></textarea>",
            "<?php echo 1; ?><![CDATA[ <x> ]]><!-- <div> -->",
            "<my-widget><span>x</span></my-widget>",
        ] {
            assert!(is_balanced(ok), "{ok}");
        }
        for broken in [
            "<div>",
            "</div>",
            "<b><i>x</b></i>",
            "<table><tr><td>x",
            "<script>x",
            "<div id=\"foo\"\n*hi*\n",
            "<!-- never closed",
            "<p><a/><b2/></p>",
            "<responsive-image src=\"foo.jpg\" />",
        ] {
            assert!(!is_balanced(broken), "{broken}");
        }
    }

    #[test]
    fn links_are_rewritten_in_place() {
        let html = "<A HREF='/x' title=t>a</A>\n<img src=\"y.png\" id=pic>";
        let (out, refs) =
            rewrite_links(html, &|u| u.strip_prefix('/').map(|r| format!("/news/{r}")));
        assert_eq!(
            out,
            "<A HREF=\"/news/x\" title=t>a</A>\n<img src=\"y.png\" id=pic>"
        );
        assert_eq!(refs.links, ["/x", "y.png"]);
        assert_eq!(refs.ids, ["pic"]);
    }
}
