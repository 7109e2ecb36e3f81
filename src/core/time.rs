//! Calendar arithmetic for the two date formats on the wire, without a date crate.
//! Times are milliseconds since the Unix epoch, passed in by the caller (the core owns no clock).

const DAY_NAMES: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]; // 1970-01-01 was a Thursday
const MONTH_NAMES: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

struct Civil {
    year: i64,
    month: u32, // 1..=12
    day: u32,   // 1..=31
    hour: u32,
    minute: u32,
    second: u32,
    weekday: usize, // index into DAY_NAMES
}

// Howard Hinnant's civil_from_days / days_from_civil.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil(epoch_ms: i64) -> Civil {
    let secs = epoch_ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    Civil {
        year,
        month,
        day,
        hour: (rem / 3600) as u32,
        minute: (rem % 3600 / 60) as u32,
        second: (rem % 60) as u32,
        weekday: days.rem_euclid(7) as usize,
    }
}

/// `2020-02-06T07:32:54Z`: the V3 `x-acs-date`.
pub fn iso8601(epoch_ms: i64) -> String {
    let c = civil(epoch_ms);
    format!("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", c.year, c.month, c.day, c.hour, c.minute, c.second)
}

/// `Thu, 06 Feb 2020 07:32:54 GMT`: the V1 `date` header (RFC 1123 / IMF-fixdate).
pub fn rfc1123(epoch_ms: i64) -> String {
    let c = civil(epoch_ms);
    let day_name = DAY_NAMES.get(c.weekday).copied().unwrap_or("Thu");
    let month_name = MONTH_NAMES.get(c.month as usize - 1).copied().unwrap_or("Jan");
    format!("{day_name}, {:02} {month_name} {:04} {:02}:{:02}:{:02} GMT", c.day, c.year, c.hour, c.minute, c.second)
}

/// Parses an IMF-fixdate (`Thu, 06 Feb 2020 07:32:54 GMT`, the only format servers may send
/// in `Date` and `Retry-After` today): a day that exists and its own weekday. `None` for anything else.
pub fn parse_http_date(text: &str) -> Option<i64> {
    let text = text.trim();
    let comma = super::encode::find_str(text, ", ")?;
    let day_name = text.get(..comma)?;
    let rest = text.get(comma + 2..)?;
    let mut parts = rest.split(' ');
    let day: u32 = parse_digits(parts.next()?, 2)?;
    let month_name = parts.next()?;
    let month = MONTH_NAMES.iter().position(|m| *m == month_name)? as u32 + 1;
    let year: u32 = parse_digits(parts.next()?, 4)?;
    let mut clock = parts.next()?.split(':');
    let hour: u32 = parse_digits(clock.next()?, 2)?;
    let minute: u32 = parse_digits(clock.next()?, 2)?;
    let second: u32 = parse_digits(clock.next()?, 2)?;
    if parts.next()? != "GMT" || parts.next().is_some() || clock.next().is_some() {
        return None;
    }
    // A leap second (60) is allowed, as HTTP allows it.
    if !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let days = days_from_civil(i64::from(year), month, day);
    // A day that exists comes back as itself (31 Feb would come back as 2 Mar), under its weekday.
    if civil_from_days(days) != (i64::from(year), month, day)
        || DAY_NAMES.get(days.rem_euclid(7) as usize) != Some(&day_name)
    {
        return None;
    }
    Some((days * 86_400 + i64::from(hour * 3600 + minute * 60 + second)) * 1000)
}

fn parse_digits(text: &str, len: usize) -> Option<u32> {
    if text.len() != len || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const VECTOR_MS: i64 = 1_580_974_374_000; // the signing vectors' instant

    #[test]
    fn http_dates_must_exist_and_name_their_weekday() {
        assert_eq!(parse_http_date("Thu, 06 Feb 2020 07:32:54 GMT"), Some(VECTOR_MS));
        assert_eq!(parse_http_date("Sat, 29 Feb 2020 00:00:00 GMT").map(|ms| ms > VECTOR_MS), Some(true));
        for text in [
            "Mon, 06 Feb 2020 07:32:54 GMT", // a Thursday
            "Xyz, 06 Feb 2020 07:32:54 GMT", "Mon, 31 Feb 2020 00:00:00 GMT", "Fri, 29 Feb 2019 00:00:00 GMT",
            "Thu, 31 Apr 2020 00:00:00 GMT", "06 Feb 2020 07:32:54 GMT",
        ] {
            assert_eq!(parse_http_date(text), None, "{text}");
        }
    }

    #[test]
    fn formats_the_vector_instant() {
        assert_eq!(iso8601(VECTOR_MS), "2020-02-06T07:32:54Z");
        assert_eq!(rfc1123(VECTOR_MS), "Thu, 06 Feb 2020 07:32:54 GMT");
    }

    #[test]
    fn formats_edges() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc1123(951_782_400_000), "Tue, 29 Feb 2000 00:00:00 GMT");
        assert_eq!(iso8601(4_102_444_799_999), "2099-12-31T23:59:59Z");
        assert_eq!(rfc1123(1_798_761_599_000), "Thu, 31 Dec 2026 23:59:59 GMT");
    }

    #[test]
    fn parses_what_it_formats() {
        for ms in [0, VECTOR_MS, 951_782_400_000, 1_798_761_599_000, 4_102_444_799_000] {
            assert_eq!(parse_http_date(&rfc1123(ms)), Some(ms));
        }
    }

    #[test]
    fn rejects_other_formats() {
        for bad in [
            "", "120", "Thu, 6 Feb 2020 07:32:54 GMT", "Thu, 06 Feb 2020 07:32:54 UTC",
            "Thursday, 06-Feb-20 07:32:54 GMT", "Thu Feb  6 07:32:54 2020", "Thu, 32 Feb 2020 07:32:54 GMT",
            "Thu, 06 Foo 2020 07:32:54 GMT", "Thu, 06 Feb 2020 24:00:00 GMT",
        ] {
            assert_eq!(parse_http_date(bad), None, "{bad}");
        }
    }
}
