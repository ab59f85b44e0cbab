//! Times as machines read them.

use chrono::{DateTime, Offset, SecondsFormat, TimeDelta};
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

/// The first instant after `now` at which `rule` answers otherwise than at `now`, for a rule
/// of time that can change its answer only at `boundaries`: at a boundary, or just after it
/// (a boundary may belong to the span before it or after it; one nanosecond, chrono's
/// resolution, is the first instant after it). `None`: the answer never changes.
pub fn first_change<T: PartialEq>(
    now: &DateTime<Tz>,
    boundaries: impl IntoIterator<Item = DateTime<Tz>>,
    rule: impl Fn(&DateTime<Tz>) -> T,
) -> Option<DateTime<Tz>> {
    let at_now = rule(now);
    boundaries
        .into_iter()
        // A boundary before `now` and the instant after it are not after `now`: passed over
        // before the addition, which looks the zone's offset up again.
        .filter(|b| b >= now)
        .flat_map(|b| [Some(b), b.checked_add_signed(TimeDelta::nanoseconds(1))])
        .flatten()
        .filter(|t| t > now && rule(t) != at_now)
        .min()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(secs: i64) -> DateTime<Tz> {
        Tz::UTC.timestamp_opt(secs, 0).unwrap()
    }

    #[test]
    fn first_change_finds_closed_and_open_edges() {
        let ns = TimeDelta::nanoseconds(1);
        // True on [10, 20]: it starts at 10 and ends just after 20.
        let window = |t: &DateTime<Tz>| *t >= at(10) && *t <= at(20);
        let edges = [at(10), at(20)];
        assert_eq!(first_change(&at(5), edges, window), Some(at(10)));
        assert_eq!(first_change(&at(10), edges, window), Some(at(20) + ns));
        assert_eq!(first_change(&at(20), edges, window), Some(at(20) + ns));
        assert_eq!(first_change(&at(21), edges, window), None);
        // An edge where the answer does not change is passed over.
        let after_ten = |t: &DateTime<Tz>| *t >= at(10);
        assert_eq!(first_change(&at(15), [at(12), at(10)], after_ten), None);
        assert_eq!(
            first_change(&at(0), [at(12), at(10)], after_ten),
            Some(at(10))
        );
    }
}
