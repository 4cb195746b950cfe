//! Durations and sizes as humans write them in `authlint.toml`: "15m", "1h30m", "7d", "900s",
//! "2MiB", "512k".

/// Parses an `authlint.toml` duration such as `15m`, `1h30m`, `7d`, `2 hours` or `PT15M` into
/// seconds, with the same parser that reads product config ([`parse_text`]). A bare number is an
/// error: `"15"` could be seconds or minutes, and a threshold read in the wrong unit silently
/// hides findings.
pub fn parse_duration(text: &str) -> Result<u64, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err("empty duration".into());
    }
    if t.parse::<f64>().is_ok() {
        return Err(format!(
            "`{t}` has no unit; write \"{t}m\" for minutes or \"{t}s\" for seconds"
        ));
    }
    let secs = parse_text(t)?;
    if secs >= u64::MAX as f64 {
        return Err(format!("`{text}` is too large"));
    }
    Ok(secs.round() as u64)
}

/// The one duration parser, for `authlint.toml` and for the lifetimes products and apps write:
/// Go (`1h30m`, `1.5h`, `300ms`), vercel/ms and humans (`7d`, `2 hours`, `1 week`, `15 minutes`),
/// ISO 8601 (`PT15M`, `P1DT2H`). Every number needs its unit; the error says what is wrong.
pub fn parse_text(text: &str) -> Result<f64, String> {
    let t = text.trim();
    let not_a_duration =
        || format!("`{t}` is not a duration; write it like \"15m\", \"1h30m\" or \"7d\"");
    if let Some(iso) = t.strip_prefix('P').or_else(|| t.strip_prefix('p')) {
        return iso8601(iso).ok_or_else(not_a_duration);
    }
    let mut total = 0.0;
    let mut rest = t;
    let mut any = false;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if num_len == 0 {
            return Err(not_a_duration());
        }
        let n: f64 = rest[..num_len].parse().map_err(|_| not_a_duration())?;
        rest = rest[num_len..].trim_start();
        let unit_len = rest
            .find(|c: char| !c.is_alphabetic())
            .unwrap_or(rest.len());
        let word = &rest[..unit_len];
        if word.is_empty() {
            return Err(format!(
                "`{t}` has a number without a unit; write \"15m\" or \"900s\""
            ));
        }
        let factor = unit_secs(word)
            .ok_or_else(|| format!("unknown unit `{word}` in `{t}`; use ms, s, m, h, d or w"))?;
        total += n * factor;
        any = true;
        rest = rest[unit_len..].trim_start();
    }
    if any {
        Ok(total)
    } else {
        Err(not_a_duration())
    }
}

/// Seconds in one of a unit word, as Go, vercel/ms and people spell it.
fn unit_secs(word: &str) -> Option<f64> {
    Some(match word.to_ascii_lowercase().as_str() {
        "ns" => 0.000_000_001,
        // Go writes the micro sign (U+00B5) and also reads the Greek mu (U+03BC).
        "us" | "µs" | "μs" => 0.000_001,
        "ms" | "millis" | "msec" | "msecs" | "millisecond" | "milliseconds" => 0.001,
        "s" | "sec" | "secs" | "second" | "seconds" => 1.0,
        "m" | "min" | "mins" | "minute" | "minutes" => 60.0,
        "h" | "hr" | "hrs" | "hour" | "hours" => 3600.0,
        "d" | "day" | "days" => 86_400.0,
        "w" | "wk" | "wks" | "week" | "weeks" => 604_800.0,
        "y" | "yr" | "yrs" | "year" | "years" => 31_557_600.0,
        _ => return None,
    })
}

fn iso8601(rest: &str) -> Option<f64> {
    let mut total = 0.0;
    let mut in_time = false;
    let mut num = String::new();
    for c in rest.chars() {
        match c.to_ascii_uppercase() {
            'T' => in_time = true,
            d if d.is_ascii_digit() || d == '.' => num.push(d),
            u => {
                let n: f64 = num.parse().ok()?;
                num.clear();
                total += n * match (u, in_time) {
                    ('Y', false) => 31_557_600.0,
                    ('M', false) => 2_629_800.0,
                    ('W', false) => 604_800.0,
                    ('D', false) => 86_400.0,
                    ('H', true) => 3600.0,
                    ('M', true) => 60.0,
                    ('S', true) => 1.0,
                    _ => return None,
                };
            }
        }
    }
    num.is_empty().then_some(total)
}

/// Writes seconds the way a human would read them: `15m`, `1h30m`, `30d`, `45s`.
pub fn format_duration(secs: u64) -> String {
    if secs == 0 {
        return "0s".into();
    }
    let units = [("d", 86_400), ("h", 3600), ("m", 60), ("s", 1)];
    let mut out = String::new();
    let mut rest = secs;
    for (name, size) in units {
        if rest >= size {
            out.push_str(&format!("{}{name}", rest / size));
            rest %= size;
        }
    }
    out
}

/// Parses a size: a bare number of bytes or `512k`, `2MiB`, `1MB` (binary multiples).
pub fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let digits = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    if digits == 0 {
        return Err(format!(
            "`{text}` is not a size; write it like \"2MiB\" or \"512KiB\""
        ));
    }
    let n: u64 = t[..digits]
        .parse()
        .map_err(|_| format!("`{text}` is too large"))?;
    let factor = match t[digits..].trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        other => {
            return Err(format!(
                "unknown size unit `{other}` in `{text}`; use KiB, MiB or GiB"
            ));
        }
    };
    n.checked_mul(factor)
        .ok_or_else(|| format!("`{text}` is too large"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_as_humans_write_them() {
        assert_eq!(parse_duration("15m"), Ok(900));
        assert_eq!(parse_duration("1h30m"), Ok(5400));
        assert_eq!(parse_duration("7d"), Ok(604_800));
        assert_eq!(parse_duration("2 days"), Ok(172_800));
        assert_eq!(parse_duration("15 minutes"), Ok(900));
        assert_eq!(parse_duration("1 hour"), Ok(3600));
        assert_eq!(parse_duration("PT15M"), Ok(900));
        assert_eq!(parse_duration("2w"), Ok(1_209_600));
        assert!(
            parse_duration("15 parsecs")
                .unwrap_err()
                .contains("unknown unit `parsecs`")
        );
        let e = parse_duration("15").unwrap_err();
        assert!(e.contains("no unit") && e.contains("\"15m\""), "{e}");
        assert!(parse_duration("m15").is_err());
        assert!(parse_duration("1h30").is_err());
    }

    #[test]
    fn microseconds_in_every_spelling_go_accepts() {
        for text in ["1500000us", "1500000µs", "1500000μs", "1s500ms"] {
            let secs = parse_text(text).unwrap();
            assert!((secs - 1.5).abs() < 1e-9, "{text}: {secs}");
        }
    }

    #[test]
    fn formats_round_trip() {
        for s in ["15m", "1h30m", "30d", "45s", "1d2h"] {
            assert_eq!(format_duration(parse_duration(s).unwrap()), s);
        }
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("2MiB"), Ok(2 << 20));
        assert_eq!(parse_size("512k"), Ok(512 << 10));
        assert_eq!(parse_size("100"), Ok(100));
        assert!(parse_size("2 parsecs").is_err());
    }
}
