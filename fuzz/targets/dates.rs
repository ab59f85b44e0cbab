//! Date values of front matter in a DST time zone: parsing never panics, and an accepted
//! date, written as newsgen writes it into feeds and sitemaps, reads back as the same instant
//! (to the second: feeds carry no fractions).
fn main() {
    afl::fuzz!(|data: &[u8]| {
        let Ok(text) = std::str::from_utf8(data) else {
            return;
        };
        let tz = chrono_tz::Europe::London;
        if let Ok(resolved) = newsgen::dates::parse_datetime(text, tz) {
            let written = newsgen::util::time::rfc3339(&resolved.instant);
            let again = chrono::DateTime::parse_from_rfc3339(&written)
                .unwrap_or_else(|e| panic!("{written}: {e}"));
            // Feeds carry whole seconds. A leap second (`:60`, kept by chrono as extra
            // nanoseconds) reads back as its own second or, through UTC, the next one.
            let leap = resolved.instant.timestamp_subsec_nanos() >= 1_000_000_000;
            let moved = again.timestamp() - resolved.instant.timestamp();
            assert!(moved == 0 || (leap && moved == 1), "{written}");
        }
    });
}
