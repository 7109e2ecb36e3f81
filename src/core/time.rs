//! Calendar arithmetic for the two date formats on the wire, without a date crate.
//! Times are milliseconds since the Unix epoch, passed in by the caller (the core owns no clock).

// 1970-01-01 was a Thursday. The short names are the first three letters.
const FULL_DAY_NAMES: [&str; 7] = ["Thursday", "Friday", "Saturday", "Sunday", "Monday", "Tuesday", "Wednesday"];
const MONTH_NAMES: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

struct Civil {
    year: i64,
    month: u32, // 1..=12
    day: u32,   // 1..=31
    hour: u32,
    minute: u32,
    second: u32,
    weekday: usize, // index into FULL_DAY_NAMES
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
    let day_name = FULL_DAY_NAMES.get(c.weekday).and_then(|name| name.get(..3)).unwrap_or("Thu");
    let month_name = MONTH_NAMES.get(c.month as usize - 1).copied().unwrap_or("Jan");
    format!("{day_name}, {:02} {month_name} {:04} {:02}:{:02}:{:02} GMT", c.day, c.year, c.hour, c.minute, c.second)
}

/// Parses an HTTP-date in the three formats a recipient must accept (RFC 9110 §5.6.7): the
/// IMF-fixdate servers send today (`Thu, 06 Feb 2020 07:32:54 GMT`), and the obsolete RFC 850
/// (`Thursday, 06-Feb-20 07:32:54 GMT`, its two-digit year the one within 50 years of `now_ms`)
/// and asctime (`Thu Feb  6 07:32:54 2020`) forms. A day that exists, under its own weekday.
/// `None` for anything else.
pub fn parse_http_date(text: &str, now_ms: i64) -> Option<i64> {
    let mut words = text.trim().split(' ');
    let first = words.next()?;
    let (day_name, day, month_name, year, clock) = if let Some(day_name) = first.strip_suffix(',') {
        let date = words.next()?;
        let (day, month, year) = if day_name.len() == 3 {
            (date, words.next()?, i64::from(parse_digits(words.next()?, 4)?))
        } else {
            // RFC 850: `06-Feb-20`.
            let mut parts = date.split('-');
            let fields = (parts.next()?, parts.next()?, year_near(parse_digits(parts.next()?, 2)?, now_ms));
            if parts.next().is_some() {
                return None;
            }
            fields
        };
        let clock = words.next()?;
        if words.next()? != "GMT" {
            return None;
        }
        (day_name, parse_digits(day, 2)?, month, year, clock)
    } else {
        // asctime: a one-digit day follows two spaces (an empty word between them).
        let month = words.next()?;
        // `( 2DIGIT / ( SP DIGIT ))`.
        let day = match words.next()? {
            "" => words.next().filter(|day| day.len() == 1)?,
            day => Some(day).filter(|day| day.len() == 2)?,
        };
        let clock = words.next()?;
        (first, parse_digits(day, day.len())?, month, i64::from(parse_digits(words.next()?, 4)?), clock)
    };
    if words.next().is_some() {
        return None;
    }
    let month = MONTH_NAMES.iter().position(|m| *m == month_name)? as u32 + 1;
    let mut clock = clock.split(':');
    let hour: u32 = parse_digits(clock.next()?, 2)?;
    let minute: u32 = parse_digits(clock.next()?, 2)?;
    let second: u32 = parse_digits(clock.next()?, 2)?;
    // A leap second (60) is allowed, as HTTP allows it.
    if clock.next().is_some() || !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let days = days_from_civil(year, month, day);
    // A day that exists comes back as itself (31 Feb would come back as 2 Mar), under its weekday
    // (RFC 850 spells it out: `Thursday`; asctime's first word is short too).
    let weekday = FULL_DAY_NAMES.get(days.rem_euclid(7) as usize)?;
    let named = if first.ends_with(',') && day_name.len() > 3 {
        day_name == *weekday
    } else {
        weekday.get(..3) == Some(day_name)
    };
    if civil_from_days(days) != (year, month, day) || !named {
        return None;
    }
    Some((days * 86_400 + i64::from(hour * 3600 + minute * 60 + second)) * 1000)
}

/// A two-digit year as RFC 9110 reads it: the year with those digits that is no more than 50
/// years ahead of now (and not 50 or more behind).
fn year_near(two_digits: u32, now_ms: i64) -> i64 {
    let now = civil(now_ms).year;
    let year = now - now.rem_euclid(100) + i64::from(two_digits);
    if year > now + 50 {
        year - 100
    } else if year <= now - 50 {
        year + 100
    } else {
        year
    }
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
        assert_eq!(parse_http_date("Thu, 06 Feb 2020 07:32:54 GMT", VECTOR_MS), Some(VECTOR_MS));
        assert_eq!(parse_http_date("Sat, 29 Feb 2020 00:00:00 GMT", VECTOR_MS).map(|ms| ms > VECTOR_MS), Some(true));
        for text in [
            "Mon, 06 Feb 2020 07:32:54 GMT", // a Thursday
            "Xyz, 06 Feb 2020 07:32:54 GMT", "Mon, 31 Feb 2020 00:00:00 GMT", "Fri, 29 Feb 2019 00:00:00 GMT",
            "Thu, 31 Apr 2020 00:00:00 GMT", "06 Feb 2020 07:32:54 GMT", "Monday, 06-Feb-20 07:32:54 GMT",
            "Mon Feb  6 07:32:54 2020", "Thu Feb 30 07:32:54 2020",
        ] {
            assert_eq!(parse_http_date(text, VECTOR_MS), None, "{text}");
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
            assert_eq!(parse_http_date(&rfc1123(ms), VECTOR_MS), Some(ms));
        }
    }

    #[test]
    fn reads_the_obsolete_forms_a_recipient_must_accept() {
        // RFC 9110 §5.6.7: the same instant in RFC 850 and asctime form.
        for text in ["Thursday, 06-Feb-20 07:32:54 GMT", "Thu Feb  6 07:32:54 2020", "Thu Feb 06 07:32:54 2020"] {
            assert_eq!(parse_http_date(text, VECTOR_MS), Some(VECTOR_MS), "{text}");
        }
        assert_eq!(
            parse_http_date("Saturday, 29-Feb-20 00:00:00 GMT", VECTOR_MS),
            parse_http_date("Sat, 29 Feb 2020 00:00:00 GMT", 0)
        );
        assert_eq!(
            parse_http_date("Sat Feb 29 00:00:00 2020", VECTOR_MS),
            parse_http_date("Sat, 29 Feb 2020 00:00:00 GMT", 0)
        );
        // A two-digit year is the one within 50 years of now: `70` is 2070 in 2026, 1970 in 2019,
        // `77` 1977 in 2026.
        let in_2026 = parse_http_date("Thu, 31 Dec 2026 23:59:59 GMT", 0).unwrap();
        let in_2019 = parse_http_date("Tue, 01 Jan 2019 00:00:00 GMT", 0).unwrap();
        assert_eq!(
            parse_http_date("Tuesday, 01-Jan-70 00:00:00 GMT", in_2026),
            parse_http_date("Tue, 01 Jan 2070 00:00:00 GMT", 0)
        );
        assert_eq!(parse_http_date("Thursday, 01-Jan-70 00:00:00 GMT", in_2019), Some(0));
        let in_1977 = parse_http_date("Sat, 01 Jan 1977 00:00:00 GMT", 0);
        assert!(in_1977.is_some());
        assert_eq!(
            parse_http_date("Saturday, 01-Jan-77 00:00:00 GMT", in_2026),
            in_1977,
            "2077 is more than 50 years ahead"
        );
    }

    #[test]
    fn dates_far_from_now_and_the_clocks_limits() {
        // RFC 9110's own example; across the eras of the calendar arithmetic (which starts one
        // on 1 March 2000) and their centuries.
        for (text, ms) in [
            ("Sun, 06 Nov 1994 08:49:37 GMT", 784_080_000_000 + (8 * 3600 + 49 * 60 + 37) * 1000),
            ("Tue, 01 Mar 2101 00:00:00 GMT", 4_139_078_400_000),
            ("Tue, 29 Feb 2400 00:00:00 GMT", 13_574_563_200_000),
            ("Thu, 06 Feb 2020 07:32:60 GMT", VECTOR_MS + 6_000), // a leap second
        ] {
            assert_eq!(parse_http_date(text, VECTOR_MS), Some(ms), "{text}");
        }
        for text in
            ["Thu, 06 Feb 2020 07:60:54 GMT", "Thu, 06 Feb 2020 07:32:61 GMT", "Thu, 06 Feb 2020 07:32:54:00 GMT"]
        {
            assert_eq!(parse_http_date(text, VECTOR_MS), None, "{text}");
        }
        // Two-digit years in 2090: 40 is 2140 (2040 would be 50 years behind), 41 is 2041, 30 is
        // 2130; in 2026, 76 is 2076 (50 ahead, not more).
        let in_2090 = 3_799_958_400_000;
        for (text, ms) in [
            ("Friday, 01-Jan-40 00:00:00 GMT", 5_364_662_400_000),
            ("Tuesday, 01-Jan-41 00:00:00 GMT", 2_240_611_200_000),
            ("Sunday, 01-Jan-30 00:00:00 GMT", 5_049_129_600_000),
        ] {
            assert_eq!(parse_http_date(text, in_2090), Some(ms), "{text}");
        }
        assert_eq!(
            parse_http_date("Wednesday, 01-Jan-76 00:00:00 GMT", VECTOR_MS + 6 * 365 * 86_400_000),
            Some(3_345_062_400_000)
        );
    }

    #[test]
    fn rejects_other_formats() {
        for bad in [
            "", "120", "Thu, 6 Feb 2020 07:32:54 GMT", "Thu, 06 Feb 2020 07:32:54 UTC",
            "Thu, 32 Feb 2020 07:32:54 GMT", "Thu, 06 Foo 2020 07:32:54 GMT", "Thu, 06 Feb 2020 24:00:00 GMT",
            "Thu, 06 Feb 2020 07:32:54 GMT x",
            // RFC 850 with a short day name, a four-digit year, a missing zone; IMF with a long name.
            "Thu, 06-Feb-20 07:32:54 GMT", "Thursday, 06-Feb-2020 07:32:54 GMT", "Thursday, 06-Feb-20 07:32:54",
            "Thursday, 06 Feb 2020 07:32:54 GMT", "Thursday, 06-Feb-20-1 07:32:54 GMT",
            // asctime with a misplaced space, a zone, a day of one digit after one space or of
            // three digits, a short year.
            "Thu Feb 6  07:32:54 2020", "Thu Feb  6 07:32:54 2020 GMT", "Thu Feb 6 07:32:54 2020",
            "Thu Feb 006 07:32:54 2020", "Thu Feb  6 07:32:54 20", "Thu Feb  6 07:32:5x 2020",
            "Thu Feb    07:32:54 2020",
        ] {
            assert_eq!(parse_http_date(bad, VECTOR_MS), None, "{bad}");
        }
    }
}
