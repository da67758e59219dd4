//! String formats the vendor documents use beyond draft 7's built-in ones.

/// RFC 3339 `partial-time`: `HH:MM:SS` with optional fraction and no UTC offset, a time of day
/// read in some separately given time zone (PagerDuty schedules and support hours).
pub(crate) fn is_partial_time(value: &str) -> bool {
    let (clock, fraction) = match value.split_once('.') {
        Some((clock, fraction)) => (clock, Some(fraction)),
        None => (value, None),
    };
    if fraction.is_some_and(|f| f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit())) {
        return false;
    }
    let parts: Vec<&str> = clock.split(':').collect();
    let [hour, minute, second] = parts.as_slice() else {
        return false;
    };
    let field = |text: &str, max: u8| {
        text.len() == 2
            && text.bytes().all(|b| b.is_ascii_digit())
            && text.parse::<u8>().is_ok_and(|n| n <= max)
    };
    // 60 admits a leap second, as RFC 3339 does.
    field(hour, 23) && field(minute, 59) && field(second, 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_time_accepts_time_of_day_only() {
        for ok in ["09:00:00", "23:59:60", "00:00:00.125"] {
            assert!(is_partial_time(ok), "{ok}");
        }
        for bad in [
            "9:00:00",
            "24:00:00",
            "09:00",
            "09:00:00Z",
            "09:00:00+01:00",
            "09:00:00.",
            "aa:bb:cc",
        ] {
            assert!(!is_partial_time(bad), "{bad}");
        }
    }
}
