//! XML text rules shared by every XML file newsgen writes (feeds, sitemaps).

use std::borrow::Cow;

/// Removes characters XML 1.0 cannot carry at all, even escaped (C0 controls but tab, CR, LF;
/// U+FFFE/U+FFFF). Everything else is escaped by the writer.
pub fn xml_chars(s: &str) -> Cow<'_, str> {
    let ok = |c: char| {
        matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{fffe}' && c != '\u{ffff}')
    };
    if s.chars().all(ok) {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(s.chars().filter(|&c| ok(c)).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_characters_xml_cannot_carry() {
        assert_eq!(xml_chars("a\u{1}b\tc\u{ffff}"), "ab\tc");
        assert!(matches!(xml_chars("plain Māori"), Cow::Borrowed(_)));
    }
}
