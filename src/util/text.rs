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

/// `text.split_whitespace().count()`, 64 bytes at a time where the text is ASCII: word counts
/// and search lengths walk every body of a cold build, and `split_whitespace` decodes every
/// character.
pub fn count_words(text: &str) -> usize {
    let bytes = text.as_bytes();
    let mut count = WordCount {
        words: 0,
        in_word: false,
    };
    let mut blocks = bytes.chunks_exact(64);
    let mut at = 0;
    for block in &mut blocks {
        if block.is_ascii() {
            // Bit k set: byte k is white space. A word starts where a byte is not white space
            // and the one before it (the previous block's last for bit 0) is.
            let space = block.iter().enumerate().fold(0u64, |m, (k, &b)| {
                m | u64::from(BYTE_CLASS[b as usize] == SPACE) << k
            });
            let space_before = space << 1 | u64::from(!count.in_word);
            count.words += (!space & space_before).count_ones() as usize;
            count.in_word = space >> 63 == 0;
        } else {
            count.bytes(text, at, at + 64);
        }
        at += 64;
    }
    count.bytes(text, at, bytes.len());
    count.words
}

/// The state of [`count_words`] between bytes.
struct WordCount {
    words: usize,
    in_word: bool,
}

impl WordCount {
    /// Counts bytes `from..to` of `text` one at a time.
    fn bytes(&mut self, text: &str, from: usize, to: usize) {
        for (i, &b) in text.as_bytes()[from..to].iter().enumerate() {
            let space = match BYTE_CLASS[b as usize] {
                WORD => false,
                SPACE => true,
                CONTINUATION => continue,
                _ => text[from + i..]
                    .chars()
                    .next()
                    .expect("a lead byte starts a character")
                    .is_whitespace(),
            };
            self.words += usize::from(!space && !self.in_word);
            self.in_word = !space;
        }
    }
}

const WORD: u8 = 0;
const SPACE: u8 = 1;
/// A UTF-8 continuation byte: part of the character before, which decided.
const CONTINUATION: u8 = 2;
/// The lead byte of a character that may be white space (U+0085, U+00A0, U+1680, U+2000 to
/// U+205F, U+3000): decoded.
const MAYBE_SPACE: u8 = 3;

/// What each byte says for [`count_words`]. In ASCII, `char::is_whitespace` is tab, line feed,
/// vertical tab, form feed, carriage return and space (`u8::is_ascii_whitespace` leaves out
/// the vertical tab).
const BYTE_CLASS: [u8; 256] = {
    let mut table = [WORD; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = match b as u8 {
            b'\t'..=b'\r' | b' ' => SPACE,
            0x80..=0xBF => CONTINUATION,
            0xC2 | 0xE1 | 0xE2 | 0xE3 => MAYBE_SPACE,
            _ => WORD,
        };
        b += 1;
    }
    table
};

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
                let words = count_words(t);
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
    fn words_are_counted_as_split_whitespace_counts_them() {
        for text in [
            "",
            " ",
            "one",
            "  two words ",
            "tab\tline\nfeed\x0bvertical\x0cform\rreturn",
            "not\x1cspace\x1feither",
            "no\u{a0}break\u{2003}em\u{3000}ideographic\u{85}next",
            "curly \u{201c}quotes\u{201d} \u{2014} dash, caf\u{e9} \u{1f600}",
            "\u{200b}zero-width is not white space",
        ]
        .into_iter()
        .map(String::from)
        // Blocks of 64 bytes: words and spaces across their edges, multi-byte characters split
        // by them, ASCII and non-ASCII blocks side by side.
        .chain((0..200).map(|n| {
            let piece = ["ab ", " ", "\u{a0}", "é", "x", "\u{3000}", "\n\n", "word"];
            (0..n).map(|i| piece[(i * 7 + n) % piece.len()]).collect()
        })) {
            let text = text.as_str();
            assert_eq!(
                super::count_words(text),
                text.split_whitespace().count(),
                "{text:?}"
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
