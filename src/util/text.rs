//! Plain text from Markdown: default summaries, search text, word counts.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

/// The Markdown extensions of SPEC §2, the same for rendering and for plain text.
pub fn markdown_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// The first paragraph of a body as plain text: the default summary (SPEC §6).
pub fn first_paragraph_text(markdown: &str) -> String {
    let mut out = String::new();
    let mut in_para = false;
    for ev in Parser::new_ext(markdown, markdown_options()) {
        match ev {
            Event::Start(Tag::Paragraph) => in_para = true,
            Event::End(TagEnd::Paragraph) if in_para => break,
            Event::Text(t) | Event::Code(t) if in_para => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak if in_para => out.push(' '),
            _ => {}
        }
    }
    out.trim().to_string()
}

/// The whole body as plain text, for search.
pub fn plain_text(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    for ev in Parser::new_ext(markdown, markdown_options()) {
        match text_of(&ev) {
            Some(Piece::Text(t)) => out.push_str(t),
            Some(Piece::Break(c)) => out.push(c),
            None => {}
        }
    }
    out
}

/// What an event adds to a body's plain text: its text, or a separator.
enum Piece<'a> {
    Text(&'a str),
    Break(char),
}

fn text_of<'a>(ev: &'a Event<'_>) -> Option<Piece<'a>> {
    match ev {
        Event::Text(t) | Event::Code(t) => Some(Piece::Text(t)),
        Event::SoftBreak | Event::HardBreak => Some(Piece::Break(' ')),
        Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item | TagEnd::TableCell) => {
            Some(Piece::Break('\n'))
        }
        _ => None,
    }
}

/// Counts the words of [`plain_text`] from the Markdown events as they pass (the parse of an
/// article already walks them once: counting there spares a second parse of every body).
#[derive(Debug, Default)]
pub struct WordCounter {
    words: usize,
    in_word: bool,
}

impl WordCounter {
    pub fn event(&mut self, ev: &Event<'_>) {
        match text_of(ev) {
            Some(Piece::Text(t)) if !t.is_empty() => {
                let words = t.split_whitespace().count();
                // A piece that starts inside a word continues it (`glued*emphasis*`).
                let continued = self.in_word && !t.starts_with(char::is_whitespace);
                self.words += words - usize::from(continued && words > 0);
                self.in_word = !t.ends_with(char::is_whitespace);
            }
            Some(Piece::Break(_)) => self.in_word = false,
            Some(Piece::Text(_)) | None => {}
        }
    }

    /// The words seen: what `plain_text(..).split_whitespace().count()` gives.
    pub fn words(&self) -> usize {
        self.words
    }
}

#[cfg(test)]
mod tests {
    use super::first_paragraph_text;

    #[test]
    fn counted_words_are_the_words_of_the_plain_text() {
        use super::{WordCounter, markdown_options, plain_text};
        for md in [
            "",
            "One two  three.\n\nFour",
            "Glued*emphasis*words and `code`here\nsoft break",
            "# Head\n- item one\n- item\u{a0}two\n\n| a | b |\n|---|---|\n| c d | e |\n",
            "Hard  \nbreak, [a link](/x/) and ![an image](i.png) and <b>raw</b> html.",
        ] {
            let mut counter = WordCounter::default();
            for ev in pulldown_cmark::Parser::new_ext(md, markdown_options()) {
                counter.event(&ev);
            }
            assert_eq!(
                counter.words(),
                plain_text(md).split_whitespace().count(),
                "{md:?}"
            );
        }
    }

    #[test]
    fn summaries() {
        assert_eq!(
            first_paragraph_text("## Head\n\nFirst *para*\nline two.\n\nSecond."),
            "First para line two."
        );
        assert_eq!(first_paragraph_text(""), "");
    }
}
