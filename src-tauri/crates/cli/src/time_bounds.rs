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
            return Ok(now.0 - count * unit_ms);
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
