//! The one way newsgen writes XML (feeds, sitemaps): quick-xml's writer, two-space indent,
//! every text and attribute escaped by the writer after [`xml_chars`].

use std::borrow::Cow;

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

/// Removes characters XML 1.0 cannot carry at all, even escaped (C0 controls but tab, CR, LF;
/// U+FFFE/U+FFFF). Everything else is escaped by the writer.
pub fn xml_chars(s: &str) -> Cow<'_, str> {
    let ok = |c: char| {
        matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{fffe}' && c != '\u{ffff}')
    };
    // Bytes: every byte of a character XML refuses is a C0 control or starts with 0xEF
    // (U+FFFE/U+FFFF); text without them is kept without decoding a character.
    let clean = |b: u8| (b >= b' ' && b != 0xEF) || matches!(b, b'\t' | b'\n' | b'\r');
    if s.bytes().all(clean) || s.chars().all(ok) {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(s.chars().filter(|&c| ok(c)).collect())
    }
}

/// An XML document being written into memory. Writing into a `Vec` cannot fail, so the
/// methods do not return quick-xml's `io::Result`.
pub struct XmlWriter {
    w: Writer<Vec<u8>>,
}

const INFALLIBLE: &str = "writing XML into a Vec cannot fail";

impl XmlWriter {
    /// A document starting with its declaration (`encoding` is the label written in it).
    pub fn new(encoding: &str) -> XmlWriter {
        let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
        w.write_event(Event::Decl(BytesDecl::new("1.0", Some(encoding), None)))
            .expect(INFALLIBLE);
        XmlWriter { w }
    }

    pub fn start(&mut self, name: &str, attrs: &[(&str, &str)]) {
        let el = element(name, attrs);
        self.w.write_event(Event::Start(el)).expect(INFALLIBLE);
    }

    pub fn end(&mut self, name: &str) {
        let el = BytesEnd::new(name);
        self.w.write_event(Event::End(el)).expect(INFALLIBLE);
    }

    pub fn empty(&mut self, name: &str, attrs: &[(&str, &str)]) {
        let el = element(name, attrs);
        self.w.write_event(Event::Empty(el)).expect(INFALLIBLE);
    }

    /// `<name attrs>text</name>` on one line.
    pub fn text(&mut self, name: &str, attrs: &[(&str, &str)], text: &str) {
        self.start(name, attrs);
        let text = xml_chars(text);
        self.w
            .write_event(Event::Text(BytesText::new(&text)))
            .expect(INFALLIBLE);
        self.end(name);
    }

    /// Bytes written so far (for files with a size limit).
    pub fn len(&self) -> usize {
        self.w.get_ref().len()
    }

    /// Whether nothing was written (never true: the declaration comes first).
    pub fn is_empty(&self) -> bool {
        self.w.get_ref().is_empty()
    }

    /// Drops what was written after `len`, which must be where a whole element began at the
    /// current depth (the writer's indentation state is the same there).
    pub fn truncate(&mut self, len: usize) {
        self.w.get_mut().truncate(len);
    }

    /// The document, ending with a newline.
    pub fn finish(mut self) -> Vec<u8> {
        let mut bytes = std::mem::take(self.w.get_mut());
        bytes.push(b'\n');
        bytes
    }
}

fn element<'a>(name: &'a str, attrs: &[(&str, &str)]) -> BytesStart<'a> {
    let mut el = BytesStart::new(name);
    for (k, v) in attrs {
        el.push_attribute((*k, xml_chars(v).as_ref()));
    }
    el
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_characters_xml_cannot_carry() {
        assert_eq!(xml_chars("a\u{1}b\tc\u{ffff}"), "ab\tc");
        assert!(matches!(xml_chars("plain Māori"), Cow::Borrowed(_)));
        // U+FF01 starts with the byte 0xEF too, and is kept.
        assert_eq!(xml_chars("\u{ff01}\u{fffe}x\u{ff01}"), "\u{ff01}x\u{ff01}");
        assert!(matches!(xml_chars("wide \u{ff01}"), Cow::Borrowed(_)));
    }
}
