//! Times as machines read them.

use chrono::{DateTime, Offset, SecondsFormat};
use chrono_tz::Tz;

/// RFC 3339 with the site's offset: `2025-10-30T18:07:00+13:00`. RFC 3339 offsets have no
/// seconds, so a time in local mean time (before standard time, `+11:39:04` in Auckland
/// until 1868) is written in UTC, keeping the instant exact.
pub fn rfc3339(d: &DateTime<Tz>) -> String {
    if d.offset().fix().local_minus_utc() % 60 != 0 {
        return d.to_utc().to_rfc3339_opts(SecondsFormat::Secs, true);
    }
    d.to_rfc3339_opts(SecondsFormat::Secs, false)
}
