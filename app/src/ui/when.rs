//! Dates and times as people read them: "Fri, Dec 11, 2026, 9:30 AM" in English,
//! "vie, 11 dic 2026, 9:30" in Spanish (the CLDR medium forms of each language).
//!
//! Everything the server sends stays machine-readable (`YYYY-MM-DD`, or `YYYY-MM-DD HH:MM`
//! on the clinic's wall clock, already in the clinic's time zone): this turns it into words
//! where it is shown, with the same code on the server and in the browser, so that a
//! hydrated island reads exactly what the server wrote. A few month and weekday names and
//! some arithmetic, rather than a locale-data crate (ICU's date formatting adds hundreds of
//! KB to the wasm; this adds about one).
use leptos::prelude::*;

use crate::i18n::Locale;

/// A calendar date, with an optional wall-clock time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Moment {
    year: i32,
    month: u32,
    day: u32,
    time: Option<(u32, u32)>,
}

/// Reads `YYYY-MM-DD`, `YYYY-MM-DD HH:MM` or `YYYY-MM-DDTHH:MM`; anything else is None.
fn parse(iso: &str) -> Option<Moment> {
    let iso = iso.trim();
    let (date, time) = match iso.len() {
        10 => (iso, None),
        16 if matches!(iso.as_bytes()[10], b' ' | b'T') => (&iso[..10], Some(&iso[11..])),
        _ => return None,
    };
    let number = |s: &str| s.bytes().all(|b| b.is_ascii_digit()).then(|| s.parse::<u32>().ok()).flatten();
    let bytes = date.as_bytes();
    if bytes[4] != b'-' || bytes[7] != b'-' || !date.is_char_boundary(8) {
        return None;
    }
    let (year, month, day) = (number(date.get(..4)?)?, number(date.get(5..7)?)?, number(date.get(8..)?)?);
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year as i32, month) {
        return None;
    }
    let time = match time {
        Some(t) => {
            let (h, m) = t.split_once(':')?;
            if h.len() != 2 {
                return None;
            }
            let (h, m) = (number(h)?, number(m)?);
            (h < 24 && m < 60).then_some((h, m))?;
            Some((h, m))
        }
        None => None,
    };
    Some(Moment { year: year as i32, month, day, time })
}

fn days_in_month(year: i32, month: u32) -> u32 {
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// 0 = Sunday … 6 = Saturday (Sakamoto's method, proleptic Gregorian).
fn weekday(year: i32, month: u32, day: u32) -> usize {
    const OFFSETS: [i32; 12] = [0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4];
    let y = if month < 3 { year - 1 } else { year };
    (y + y.div_euclid(4) - y.div_euclid(100) + y.div_euclid(400) + OFFSETS[month as usize - 1] + day as i32)
        .rem_euclid(7) as usize
}

const EN_MONTHS: [&str; 12] =
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const EN_DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const ES_MONTHS: [&str; 12] =
    ["ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic"];
const ES_DAYS: [&str; 7] = ["dom", "lun", "mar", "mié", "jue", "vie", "sáb"];

/// Whether the weekday is part of the words: yes for a day something happens (a visit, a
/// message, a due date), no for a birth date or the onset of a problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weekday {
    Shown,
    Left,
}

/// `iso` in `locale`'s words; text that is not a date comes back as it was.
pub fn readable(iso: &str, locale: Locale, weekday_shown: Weekday) -> String {
    let Some(m) = parse(iso) else { return iso.to_owned() };
    let w = weekday(m.year, m.month, m.day);
    let i = m.month as usize - 1;
    let (year, day) = (m.year, m.day);
    let date = match (locale, weekday_shown) {
        (Locale::en, Weekday::Shown) => format!("{}, {} {day}, {year}", EN_DAYS[w], EN_MONTHS[i]),
        (Locale::en, Weekday::Left) => format!("{} {day}, {year}", EN_MONTHS[i]),
        (Locale::es, Weekday::Shown) => format!("{}, {day} {} {year}", ES_DAYS[w], ES_MONTHS[i]),
        (Locale::es, Weekday::Left) => format!("{day} {} {year}", ES_MONTHS[i]),
    };
    match (m.time, locale) {
        (None, _) => date,
        (Some((h, min)), Locale::en) => {
            let (h12, half) = match h {
                0 => (12, "AM"),
                1..=11 => (h, "AM"),
                12 => (12, "PM"),
                _ => (h - 12, "PM"),
            };
            format!("{date}, {h12}:{min:02} {half}")
        }
        (Some((h, min)), Locale::es) => format!("{date}, {h}:{min:02}"),
    }
}

/// `iso` in the words of the page's language, weekday shown: for sentences (`t!` arguments).
pub fn words(i18n: leptos_i18n::I18nContext<Locale>, iso: &str) -> String {
    readable(iso, i18n.get_locale_untracked(), Weekday::Shown)
}

/// `iso` in the words of the page's language, without the weekday (a birth date).
pub fn plain_words(i18n: leptos_i18n::I18nContext<Locale>, iso: &str) -> String {
    readable(iso, i18n.get_locale_untracked(), Weekday::Left)
}

/// The value of a `<time datetime>`: the ISO form, with the "T" HTML asks for.
pub fn machine(iso: &str) -> String {
    match parse(iso) {
        Some(Moment { year, month, day, time: Some((h, m)) }) => {
            format!("{year:04}-{month:02}-{day:02}T{h:02}:{m:02}")
        }
        Some(Moment { year, month, day, time: None }) => format!("{year:04}-{month:02}-{day:02}"),
        None => String::new(),
    }
}

/// A date or date-time where it stands alone (a table cell, a definition): the words, and
/// the ISO form in `<time datetime>` for machines. Empty input renders nothing.
#[component]
pub fn When(#[prop(into)] iso: String, #[prop(optional)] plain: bool) -> impl IntoView {
    let locale = crate::i18n::use_i18n().get_locale_untracked();
    let shown = if plain { Weekday::Left } else { Weekday::Shown };
    let datetime = machine(&iso);
    let words = readable(&iso, locale, shown);
    (!iso.is_empty()).then(|| {
        if datetime.is_empty() {
            view! { <span>{words}</span> }.into_any()
        } else {
            view! { <time datetime=datetime>{words}</time> }.into_any()
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_issues_examples_read_as_each_language_writes_them() {
        assert_eq!(readable("2026-12-11 09:30", Locale::en, Weekday::Shown), "Fri, Dec 11, 2026, 9:30 AM");
        assert_eq!(readable("2026-12-11 09:30", Locale::es, Weekday::Shown), "vie, 11 dic 2026, 9:30");
        assert_eq!(readable("2026-12-11", Locale::en, Weekday::Shown), "Fri, Dec 11, 2026");
        assert_eq!(readable("1986-03-16", Locale::en, Weekday::Left), "Mar 16, 1986");
        assert_eq!(readable("1986-03-16", Locale::es, Weekday::Left), "16 mar 1986");
    }

    #[test]
    fn midnight_and_noon_are_twelve_in_english_and_zero_hours_in_spanish() {
        assert_eq!(readable("2026-01-01 00:05", Locale::en, Weekday::Shown), "Thu, Jan 1, 2026, 12:05 AM");
        assert_eq!(readable("2026-01-01 12:00", Locale::en, Weekday::Shown), "Thu, Jan 1, 2026, 12:00 PM");
        assert_eq!(readable("2026-01-01 23:59", Locale::en, Weekday::Shown), "Thu, Jan 1, 2026, 11:59 PM");
        assert_eq!(readable("2026-01-01 00:05", Locale::es, Weekday::Shown), "jue, 1 ene 2026, 0:05");
    }

    #[test]
    fn weekdays_match_the_calendar_crate_for_two_centuries() {
        let mut day = time::Date::from_calendar_date(1900, time::Month::January, 1).unwrap();
        let end = time::Date::from_calendar_date(2100, time::Month::December, 31).unwrap();
        while day <= end {
            let ours = weekday(day.year(), day.month() as u32, u32::from(day.day()));
            assert_eq!(ours, usize::from(day.weekday().number_days_from_sunday()), "{day}");
            day = day.next_day().unwrap();
        }
    }

    #[test]
    fn what_is_not_a_date_is_left_as_it_is() {
        for text in ["", "soon", "2026-13-01", "2026-02-30", "2026-02-03 25:00", "2026-1-1", "２０２６-01-01"]
        {
            assert_eq!(readable(text, Locale::en, Weekday::Shown), text);
            assert_eq!(machine(text), "");
        }
        assert_eq!(readable("2028-02-29", Locale::en, Weekday::Left), "Feb 29, 2028");
        assert_eq!(machine("2026-12-11 09:30"), "2026-12-11T09:30");
    }
}
