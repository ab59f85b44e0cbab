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

/// The whole body as plain text, for search and word counts.
pub fn plain_text(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    for ev in Parser::new_ext(markdown, markdown_options()) {
        match ev {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            Event::End(
                TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item | TagEnd::TableCell,
            ) => out.push('\n'),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::first_paragraph_text;

    #[test]
    fn summaries() {
        assert_eq!(
            first_paragraph_text("## Head\n\nFirst *para*\nline two.\n\nSecond."),
            "First para line two."
        );
        assert_eq!(first_paragraph_text(""), "");
    }
}
