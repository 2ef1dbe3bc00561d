//! Where a film stands on a member's watchlist: wanted, or seen on a day.

use chrono::{Datelike, Days, NaiveDate, Utc};

/// A film a member wants to see, or saw on a day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Watch {
    Want,
    Seen(NaiveDate),
}

impl Watch {
    /// The form's and the API's fields: `status` `want` or `seen`, and for `seen` the day as
    /// `YYYY-MM-DD` (today when left empty). Errors name their field.
    pub fn parse(status: &str, seen_on: &str) -> Result<Watch, (&'static str, String)> {
        match status.trim() {
            "want" => Ok(Watch::Want),
            "seen" => seen_day(seen_on)
                .map(|day| Watch::Seen(day.unwrap_or_else(|| Utc::now().date_naive())))
                .map_err(|message| ("seen_on", message)),
            _ => Err(("status", "Choose “want to see” or “seen”.".into())),
        }
    }

    /// The day it was seen, if it was.
    pub fn seen_on(self) -> Option<NaiveDate> {
        match self {
            Watch::Want => None,
            Watch::Seen(day) => Some(day),
        }
    }
}

/// A day a film was seen: not before films were shown, and not after tomorrow (a member ahead of
/// UTC may already be in tomorrow). Empty is none.
fn seen_day(raw: &str) -> Result<Option<NaiveDate>, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    let day = NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .map_err(|_| "Enter the day as YYYY-MM-DD.".to_owned())?;
    let latest = Utc::now()
        .date_naive()
        .checked_add_days(Days::new(1))
        .unwrap_or(NaiveDate::MAX);
    if day > latest {
        return Err("The day you saw it cannot be in the future.".into());
    }
    if day.year() < super::FIRST_YEAR {
        return Err(format!("Enter a day from {} on.", super::FIRST_YEAR));
    }
    Ok(Some(day))
}

/// Which part of a watchlist to show.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum WatchFilter {
    #[default]
    All,
    Want,
    Seen,
}

impl WatchFilter {
    /// `want`, `seen`, or anything else for all of it.
    pub fn parse(raw: &str) -> WatchFilter {
        match raw {
            "want" => WatchFilter::Want,
            "seen" => WatchFilter::Seen,
            _ => WatchFilter::All,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            WatchFilter::All => "",
            WatchFilter::Want => "want",
            WatchFilter::Seen => "seen",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_watch_is_wanted_or_seen_on_a_real_past_day() {
        assert_eq!(Watch::parse("want", "2001-01-01"), Ok(Watch::Want));
        assert_eq!(
            Watch::parse("seen", " 2024-02-29 "),
            Ok(Watch::Seen(NaiveDate::from_ymd_opt(2024, 2, 29).unwrap()))
        );
        assert_eq!(
            Watch::parse("seen", ""),
            Ok(Watch::Seen(Utc::now().date_naive()))
        );
        assert_eq!(Watch::parse("maybe", "").unwrap_err().0, "status");
        for bad in [
            "2023-02-29",
            "1500-01-01",
            "9999-12-31",
            "yesterday",
            "2024-1-1x",
        ] {
            assert_eq!(Watch::parse("seen", bad).unwrap_err().0, "seen_on", "{bad}");
        }
    }
}
