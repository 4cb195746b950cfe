//! Lifetimes as products write them: a bare number in the unit the key names (`_ms`, `_secs`,
//! `_minutes`, `_hours`, `_days`) or the product's default unit, Go durations (`1h30m`,
//! `720h`), vercel/ms strings (`7d`, `2 hours`) and ISO 8601 (`PT15M`, `P1D`).
use super::tree::{Node, Value};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    Millis,
    Seconds,
    Minutes,
    Hours,
    Days,
}

impl Unit {
    pub fn secs(self) -> f64 {
        match self {
            Unit::Millis => 0.001,
            Unit::Seconds => 1.0,
            Unit::Minutes => 60.0,
            Unit::Hours => 3600.0,
            Unit::Days => 86_400.0,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Unit::Millis => "milliseconds",
            Unit::Seconds => "seconds",
            Unit::Minutes => "minutes",
            Unit::Hours => "hours",
            Unit::Days => "days",
        }
    }

    /// A unit word as keys and unit settings spell it (`ms`, `secs`, `minutes`, `Hours`).
    pub fn parse(word: &str) -> Option<Unit> {
        Some(match word.to_ascii_lowercase().as_str() {
            "ms" | "millis" | "msec" | "msecs" | "millisecond" | "milliseconds" => Unit::Millis,
            "s" | "sec" | "secs" | "second" | "seconds" => Unit::Seconds,
            "m" | "min" | "mins" | "minute" | "minutes" => Unit::Minutes,
            "h" | "hr" | "hrs" | "hour" | "hours" => Unit::Hours,
            "d" | "day" | "days" => Unit::Days,
            _ => return None,
        })
    }

    /// The unit a key's last word names (`ACCESS_TOKEN_EXPIRE_MINUTES`, `ttl_ms`). Single
    /// letters are not taken from keys.
    pub fn from_key_words(words: &[String]) -> Option<Unit> {
        let last = words.last()?;
        if last.len() < 2 {
            return None;
        }
        Unit::parse(last)
    }
}

/// A lifetime read from a value, with the unit that was assumed for a bare number (if any).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Lifetime {
    pub secs: f64,
    /// Set when the value was a bare number and its unit is a guess, for the message.
    pub assumed: Option<Unit>,
}

/// Reads a lifetime. `unit` applies to bare numbers; `known` says whether that unit is certain
/// (named by the key or documented by the product) or a guess.
pub fn lifetime(node: &Node, unit: Unit, known: bool) -> Option<Lifetime> {
    let bare = |n: f64| Lifetime {
        secs: n * unit.secs(),
        assumed: (!known).then_some(unit),
    };
    match &node.value {
        Value::Number(n) => Some(bare(*n)),
        Value::Str(s) => {
            let t = s.trim();
            if let Ok(n) = t.parse::<f64>() {
                return Some(bare(n));
            }
            parse_text(t).map(|secs| Lifetime {
                secs,
                assumed: None,
            })
        }
        _ => None,
    }
}

/// A duration written with units: Go (`1h30m`, `1.5h`, `300ms`), vercel/ms (`7d`, `2 hours`,
/// `1 week`), ISO 8601 (`PT15M`, `P1DT2H`). `None` for anything else. The parser is the one
/// `authlint.toml` uses ([`crate::config::duration::parse_text`]).
pub fn parse_text(text: &str) -> Option<f64> {
    crate::config::duration::parse_text(text).ok()
}

/// Seconds as a human reads them (`15m`, `1h`, `30d`, `1h30m`).
pub fn human(secs: f64) -> String {
    if secs > 0.0 && secs < 1.0 {
        return format!("{}ms", (secs * 1000.0).round() as u64);
    }
    crate::config::duration::format_duration(secs.round() as u64)
}

/// How a product writes a duration, for the help text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// A bare number in this unit.
    Number(Unit),
    /// A Go duration string (`15m0s` is accepted as `15m`).
    Go,
    /// ISO 8601 (`PT15M`).
    Iso,
}

/// `secs` written the way this key expects it, if it can be written exactly.
pub fn write(secs: u64, style: Style) -> Option<String> {
    match style {
        Style::Number(u) => {
            let per = u.secs();
            let n = secs as f64 / per;
            (n.fract() == 0.0).then(|| format!("{}", n as u64))
        }
        Style::Go => {
            let mut s = String::new();
            let (h, m, sec) = (secs / 3600, secs % 3600 / 60, secs % 60);
            if h > 0 {
                s.push_str(&format!("{h}h"));
            }
            if m > 0 {
                s.push_str(&format!("{m}m"));
            }
            if sec > 0 || s.is_empty() {
                s.push_str(&format!("{sec}s"));
            }
            Some(s)
        }
        Style::Iso => {
            let (d, h, m, s) = (
                secs / 86_400,
                secs % 86_400 / 3600,
                secs % 3600 / 60,
                secs % 60,
            );
            let mut out = String::from("P");
            if d > 0 {
                out.push_str(&format!("{d}D"));
            }
            if h + m + s > 0 {
                out.push('T');
                for (v, u) in [(h, 'H'), (m, 'M'), (s, 'S')] {
                    if v > 0 {
                        out.push_str(&format!("{v}{u}"));
                    }
                }
            }
            Some(out)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Span;

    fn n(v: Value) -> Node {
        Node::new(Span::default(), v)
    }

    #[test]
    fn every_spelling() {
        assert_eq!(parse_text("1h30m"), Some(5400.0));
        assert_eq!(parse_text("720h"), Some(2_592_000.0));
        assert_eq!(parse_text("1.5h"), Some(5400.0));
        assert_eq!(parse_text("300ms"), Some(0.3));
        assert_eq!(parse_text("7d"), Some(604_800.0));
        assert_eq!(parse_text("2 hours"), Some(7200.0));
        assert_eq!(parse_text("PT15M"), Some(900.0));
        assert_eq!(parse_text("P1DT2H"), Some(93_600.0));
        assert_eq!(parse_text("soon"), None);
        assert_eq!(parse_text("15 parsecs"), None);
    }

    #[test]
    fn bare_numbers_take_the_unit_and_say_when_it_is_a_guess() {
        let v = lifetime(&n(Value::Number(60.0)), Unit::Minutes, true).unwrap();
        assert_eq!((v.secs, v.assumed), (3600.0, None));
        let v = lifetime(&n(Value::Str("86400".into())), Unit::Seconds, false).unwrap();
        assert_eq!((v.secs, v.assumed), (86_400.0, Some(Unit::Seconds)));
        let v = lifetime(&n(Value::Str("7d".into())), Unit::Seconds, false).unwrap();
        assert_eq!(v.assumed, None);
        assert!(lifetime(&n(Value::Template("${X}".into())), Unit::Seconds, true).is_none());
    }

    #[test]
    fn units_from_keys() {
        let w = |s: &str| super::super::tree::words(s);
        assert_eq!(
            Unit::from_key_words(&w("ACCESS_TOKEN_EXPIRE_MINUTES")),
            Some(Unit::Minutes)
        );
        assert_eq!(Unit::from_key_words(&w("ttl_ms")), Some(Unit::Millis));
        assert_eq!(Unit::from_key_words(&w("jwt_expiry")), None);
    }

    #[test]
    fn writes_values_the_way_the_key_expects() {
        assert_eq!(
            write(900, Style::Number(Unit::Seconds)).as_deref(),
            Some("900")
        );
        assert_eq!(
            write(900, Style::Number(Unit::Minutes)).as_deref(),
            Some("15")
        );
        assert_eq!(write(900, Style::Number(Unit::Hours)), None);
        assert_eq!(write(900, Style::Go).as_deref(), Some("15m"));
        assert_eq!(write(900, Style::Iso).as_deref(), Some("PT15M"));
    }
}
