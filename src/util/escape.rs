//! Escaping text for HTML and for JSON inside HTML.

/// Escapes text for HTML element content and attribute values (outside templates: feed
/// content, the serve error overlay).
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Makes JSON safe inside `<script>`: no `</script>`, `<!--` or U+2028/9 can break out.
/// Every page's JSON-LD passes here, and most holds none of these bytes: they are found with
/// `memchr` (vectorised), and text without them is returned as it is.
pub fn escape_json_for_html(json: &str) -> std::borrow::Cow<'_, str> {
    let bytes = json.as_bytes();
    // Positions of the bytes that may need replacing, in order (0xE2 leads U+2028/9).
    let mut specials = memchr::memchr3_iter(b'<', b'>', b'&', bytes).peekable();
    let mut leads = memchr::memchr_iter(0xE2, bytes).peekable();
    let mut candidates = std::iter::from_fn(|| match (specials.peek(), leads.peek()) {
        (Some(s), Some(l)) if l < s => leads.next(),
        (Some(_), _) => specials.next(),
        (None, _) => leads.next(),
    })
    .peekable();
    if candidates.peek().is_none() {
        return std::borrow::Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len() + 16);
    let mut done = 0;
    for i in candidates {
        let replacement = match bytes[i] {
            b'<' => "\\u003c",
            b'>' => "\\u003e",
            b'&' => "\\u0026",
            // U+2028 and U+2029 are E2 80 A8 / E2 80 A9 in UTF-8.
            _ if bytes[i + 1..].starts_with(&[0x80, 0xA8]) => "\\u2028",
            _ if bytes[i + 1..].starts_with(&[0x80, 0xA9]) => "\\u2029",
            _ => continue,
        };
        out.push_str(&json[done..i]);
        out.push_str(replacement);
        done = i + if bytes[i] == 0xE2 { 3 } else { 1 };
    }
    out.push_str(&json[done..]);
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_attribute_escaping() {
        assert_eq!(
            escape_html(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn json_cannot_close_a_script() {
        let raw = "{\"t\":\"</script><!-- & \u{2028}\u{2029} Māori\"}";
        let safe = escape_json_for_html(raw);
        assert!(!safe.contains('<') && !safe.contains('>') && !safe.contains('&'));
        assert!(!safe.contains('\u{2028}') && !safe.contains('\u{2029}'));
        assert!(safe.contains("\\u003c/script\\u003e\\u003c!-- \\u0026 \\u2028\\u2029 Māori"));
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back["t"], "</script><!-- & \u{2028}\u{2029} Māori");
        // Other three-byte characters led by 0xE2 ("…", "€") and text with nothing to replace
        // stay as they were.
        for same in ["{\"t\":\"… € \u{2027}\"}", "{\"t\":\"plain\"}", ""] {
            assert_eq!(escape_json_for_html(same), same);
        }
    }
}
