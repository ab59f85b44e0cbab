//! Date values of front matter in a DST time zone: parsing never panics, and an accepted
//! date parses again to the same instant from its RFC 3339 form.
fn main() {
    afl::fuzz!(|data: &[u8]| {
        let Ok(text) = std::str::from_utf8(data) else {
            return;
        };
        let tz = chrono_tz::Europe::London;
        if let Ok(resolved) = newsgen::dates::parse_datetime(text, tz) {
            let again = newsgen::dates::parse_datetime(&resolved.instant.to_rfc3339(), tz)
                .expect("an RFC 3339 date newsgen wrote parses");
            assert_eq!(again.instant, resolved.instant);
        }
    });
}
