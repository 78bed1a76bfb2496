//! `--since` / `--until` values: a duration back from now (`7d`, `12h`, `30m`), a date
//! (`2026-11-01`, midnight UTC) or an RFC 3339 time. Returns ms since the epoch.

use chrono::{DateTime, NaiveDate};

pub struct Now(pub i64);

impl Now {
    pub fn system() -> Self {
        Now(chrono::Utc::now().timestamp_millis())
    }
}

pub fn parse(text: &str, now: &Now) -> Result<i64, String> {
    let text = text.trim();
    if let Some((digits, unit)) = text.char_indices().last().map(|(i, c)| (&text[..i], c)) {
        let unit_ms = match unit {
            'd' => Some(86_400_000),
            'h' => Some(3_600_000),
            'm' => Some(60_000),
            _ => None,
        };
        if let (Some(unit_ms), Ok(count)) = (unit_ms, digits.parse::<i64>()) {
            // `99999999999999d` is no time anyone means; it is refused, not overflowed.
            return count
                .checked_mul(unit_ms)
                .and_then(|back| now.0.checked_sub(back))
                .ok_or_else(|| format!("`{text}` reaches past any date the log holds"));
        }
    }
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(date
            .and_hms_opt(0, 0, 0)
            .expect("midnight exists")
            .and_utc()
            .timestamp_millis());
    }
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.timestamp_millis())
        .map_err(|_| format!("`{text}` is not a duration (7d, 12h, 30m), a date (2026-11-01) or an RFC 3339 time"))
}

/// A `--since`/`--until` flag's value as ms since the epoch; an error names the flag.
pub fn bound(
    flag: &str,
    value: &Option<String>,
    now: &Now,
) -> Result<Option<i64>, sgen_core::CoreError> {
    value
        .as_deref()
        .map(|v| parse(v, now).map_err(|e| sgen_core::CoreError::invalid(format!("--{flag}: {e}"))))
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_duration_too_long_to_mean_anything_is_refused() {
        let err = parse("9999999999999999d", &Now(0)).unwrap_err();
        assert!(err.contains("past any date"), "{err}");
    }

    #[test]
    fn parses_durations_dates_and_times() {
        let now = Now(1_000_000_000_000);
        assert_eq!(parse("7d", &now), Ok(now.0 - 7 * 86_400_000));
        assert_eq!(parse("12h", &now), Ok(now.0 - 12 * 3_600_000));
        assert_eq!(parse("2026-11-01", &now), Ok(1_793_491_200_000));
        assert_eq!(parse("2026-11-01T12:00:00Z", &now), Ok(1_793_534_400_000));
        assert!(parse("last tuesday", &now)
            .unwrap_err()
            .contains("not a duration"));
        assert!(parse("7w", &now).is_err());
    }

    proptest::proptest! {
        /// `--since` and `--until` take any text a person types: a time, or a clear error.
        #[test]
        fn fuzz_parse_never_panics(text in ".{0,40}|[0-9]{1,25}[smhdw]?|-?[0-9]{1,6}-[0-9]{1,4}-[0-9]{1,4}.{0,12}") {
            let now = Now::system();
            let _ = parse(&text, &now);
        }
    }
}
