//! Publication times: the forms SPEC §2 accepts, resolved in the site's time zone.

use chrono::{
    DateTime, Datelike, Duration, FixedOffset, LocalResult, NaiveDate, NaiveDateTime, Offset,
    TimeZone,
};
use chrono_tz::Tz;

/// A parsed time, plus a note when a local time fell into a DST gap and was moved.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    pub instant: DateTime<Tz>,
    pub moved_over_gap: bool,
}

/// Why a date string was rejected; the caller adds the file and line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateError {
    /// Not one of the accepted shapes.
    Format,
    /// The right shape but no such day or time (`2025-02-30`, `25:00`).
    Impossible,
}

/// Parses an offset datetime, a local datetime or a bare date. Local forms are read in `tz`;
/// an ambiguous local time (DST fall-back) takes the earlier instant, one in a gap
/// (spring-forward) is moved forward by the gap.
pub fn parse_datetime(input: &str, tz: Tz) -> Result<Resolved, DateError> {
    let s = input.trim();
    if let Some(fixed) = parse_with_offset(s) {
        return in_range(Resolved {
            instant: fixed.with_timezone(&tz),
            moved_over_gap: false,
        });
    }
    let naive = parse_local(s)?;
    in_range(resolve_local(naive, tz))
}

/// Years RFC 3339 (feeds, sitemaps, `<time>`) can write, locally and in UTC: 0001-9998
/// keeps both inside 0000-9999 (chrono also reads `-2025-05-01` and `+12025-05-01`).
fn in_range(r: Resolved) -> Result<Resolved, DateError> {
    let years = 1..=9998;
    let utc = r.instant.naive_utc();
    if years.contains(&r.instant.year()) && years.contains(&utc.year()) {
        Ok(r)
    } else {
        Err(DateError::Impossible)
    }
}

fn parse_with_offset(s: &str) -> Option<DateTime<FixedOffset>> {
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Some(d);
    }
    // RFC 3339 without seconds, or with a space: `2025-10-30 18:07+13:00`.
    let normalized = s.replacen(' ', "T", 1);
    let normalized = normalized.replace('z', "Z");
    for fmt in [
        "%Y-%m-%dT%H:%M%:z",
        "%Y-%m-%dT%H:%M:%S%.f%:z",
        "%Y-%m-%dT%H:%M%z",
    ] {
        if let Ok(d) = DateTime::parse_from_str(&normalized, fmt) {
            return Some(d);
        }
    }
    if let Some(stripped) = normalized.strip_suffix('Z') {
        let naive = parse_local(stripped).ok()?;
        return Some(naive.and_utc().fixed_offset());
    }
    DateTime::parse_from_rfc3339(&normalized).ok()
}

fn parse_local(s: &str) -> Result<NaiveDateTime, DateError> {
    let normalized = s.replacen(' ', "T", 1);
    for fmt in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"] {
        if let Ok(d) = NaiveDateTime::parse_from_str(&normalized, fmt) {
            return Ok(d);
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return d.and_hms_opt(0, 0, 0).ok_or(DateError::Impossible);
    }
    if looks_like_a_date(s) {
        Err(DateError::Impossible)
    } else {
        Err(DateError::Format)
    }
}

/// `2025-02-30` has the shape of a date but is no day: say "impossible", not "malformed".
fn looks_like_a_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 10
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
        && b[8..10].iter().all(u8::is_ascii_digit)
}

/// Maps a wall-clock time in `tz` to an instant, following SPEC §6 for DST edges.
pub fn resolve_local(naive: NaiveDateTime, tz: Tz) -> Resolved {
    match tz.from_local_datetime(&naive) {
        LocalResult::Single(d) => Resolved {
            instant: d,
            moved_over_gap: false,
        },
        LocalResult::Ambiguous(earlier, _) => Resolved {
            instant: earlier,
            moved_over_gap: false,
        },
        LocalResult::None => {
            // Read the time with the offset in force before the gap: 02:30 in a one-hour
            // gap becomes 03:30 after it.
            let before = naive - Duration::hours(24);
            let offset = match tz.from_local_datetime(&before) {
                LocalResult::Single(d) | LocalResult::Ambiguous(d, _) => d.offset().fix(),
                LocalResult::None => utc_offset(),
            };
            let utc = naive - Duration::seconds(i64::from(offset.local_minus_utc()));
            Resolved {
                instant: tz.from_utc_datetime(&utc),
                moved_over_gap: true,
            }
        }
    }
}

fn utc_offset() -> FixedOffset {
    FixedOffset::east_opt(0).expect("zero is a valid offset")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Timelike;

    const AKL: Tz = chrono_tz::Pacific::Auckland;

    /// Found by fuzzing (`fuzz/run.sh dates`): years RFC 3339 cannot write were accepted.
    #[test]
    fn years_outside_rfc3339_are_impossible() {
        for s in [
            "-2025-05-01",
            "+12025-05-01",
            "0000-01-01",
            "9999-12-31T23:00:00-05:00",
        ] {
            assert_eq!(parse_datetime(s, AKL), Err(DateError::Impossible), "{s}");
        }
        assert_eq!(
            parse_datetime("0025-05-01", AKL).unwrap().instant.year(),
            25
        );
        assert!(parse_datetime("9998-12-31T10:00:00Z", AKL).is_ok());
    }

    #[test]
    fn offset_forms() {
        let r = parse_datetime("2025-10-30T23:30:00Z", AKL).unwrap();
        assert_eq!(r.instant.day(), 31);
        assert_eq!(r.instant.hour(), 12);
        let r = parse_datetime("2025-10-30T18:07:00+13:00", AKL).unwrap();
        assert_eq!(
            (r.instant.day(), r.instant.hour(), r.instant.minute()),
            (30, 18, 7)
        );
        let r = parse_datetime("2025-10-30 18:07+13:00", AKL).unwrap();
        assert_eq!(r.instant.hour(), 18);
    }

    #[test]
    fn local_forms() {
        for s in [
            "2025-10-30T18:07:00",
            "2025-10-30 18:07",
            "2025-10-30T18:07",
        ] {
            let r = parse_datetime(s, AKL).unwrap();
            assert_eq!((r.instant.hour(), r.instant.minute()), (18, 7), "{s}");
            assert_eq!(r.instant.offset().fix().local_minus_utc(), 13 * 3600);
        }
        let r = parse_datetime("2025-10-30", AKL).unwrap();
        assert_eq!((r.instant.day(), r.instant.hour()), (30, 0));
    }

    #[test]
    fn impossible_and_malformed() {
        assert_eq!(
            parse_datetime("2025-02-30", AKL),
            Err(DateError::Impossible)
        );
        assert_eq!(
            parse_datetime("2025-10-30T25:00", AKL),
            Err(DateError::Impossible)
        );
        assert_eq!(parse_datetime("yesterday", AKL), Err(DateError::Format));
    }

    #[test]
    fn dst_edges() {
        // NZ spring forward 2025-09-28 02:00 -> 03:00.
        let r = parse_datetime("2025-09-28T02:30:00", AKL).unwrap();
        assert!(r.moved_over_gap);
        assert_eq!((r.instant.hour(), r.instant.minute()), (3, 30));
        // NZ fall back 2025-04-06 03:00 -> 02:00: 02:30 happens twice, take the earlier (+13).
        let r = parse_datetime("2025-04-06T02:30:00", AKL).unwrap();
        assert!(!r.moved_over_gap);
        assert_eq!(r.instant.offset().fix().local_minus_utc(), 13 * 3600);
    }
}
