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
pub fn escape_json_for_html(json: &str) -> String {
    let bytes = json.as_bytes();
    let mut out = String::with_capacity(json.len() + 16);
    let mut done = 0;
    let mut i = 0;
    // Jump to the next byte that may need replacing (most JSON has none).
    while let Some(skip) = bytes[i..]
        .iter()
        .position(|&b| matches!(b, b'<' | b'>' | b'&' | 0xE2))
    {
        i += skip;
        let replacement = match bytes[i] {
            b'<' => Some(("\\u003c", 1)),
            b'>' => Some(("\\u003e", 1)),
            b'&' => Some(("\\u0026", 1)),
            // U+2028 and U+2029 are E2 80 A8 / E2 80 A9 in UTF-8.
            0xE2 if bytes.get(i + 1) == Some(&0x80) && bytes.get(i + 2) == Some(&0xA8) => {
                Some(("\\u2028", 3))
            }
            0xE2 if bytes.get(i + 1) == Some(&0x80) && bytes.get(i + 2) == Some(&0xA9) => {
                Some(("\\u2029", 3))
            }
            _ => None,
        };
        match replacement {
            Some((text, len)) => {
                out.push_str(&json[done..i]);
                out.push_str(text);
                i += len;
                done = i;
            }
            None => i += 1,
        }
    }
    out.push_str(&json[done..]);
    out
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
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back["t"], "</script><!-- & \u{2028}\u{2029} Māori");
    }
}
