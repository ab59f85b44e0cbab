//! SPEC §6's slug rule: the result only holds `[a-z0-9._-]`, has no `-` or `.` at either end,
//! and slugifying it again changes nothing.
fn main() {
    afl::fuzz!(|data: &[u8]| {
        let Ok(text) = std::str::from_utf8(data) else {
            return;
        };
        let slug = newsgen::slug::slugify(text);
        assert!(
            slug.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b)),
            "{slug:?}"
        );
        assert!(
            !slug.starts_with(['-', '.']) && !slug.ends_with(['-', '.']),
            "{slug:?}"
        );
        assert_eq!(newsgen::slug::slugify(&slug), slug);
    });
}
