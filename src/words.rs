//! Splitting identifiers and keys into lowercase words, the same way for every analyzer:
//! `accessTokenLifespan`, `ACCESS_TOKEN_TTL`, `access-token.ttl` and `JWTToken` all give words a
//! vocabulary can match.

/// Splits an identifier, key or short text into lowercase words at separators, lower-to-upper
/// changes and the end of an acronym (`JWTToken` → `jwt`, `token`).
pub fn words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let chars: Vec<char> = name.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        let prev = i.checked_sub(1).map(|j| chars[j]);
        let next = chars.get(i + 1).copied();
        let boundary = c.is_ascii_uppercase()
            && prev.is_some_and(|p| {
                p.is_ascii_lowercase()
                    || p.is_ascii_digit()
                    || (p.is_ascii_uppercase() && next.is_some_and(|n| n.is_ascii_lowercase()))
            });
        if boundary && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        cur.push(c.to_ascii_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::words;

    #[test]
    fn splits_every_naming_style() {
        assert_eq!(
            words("accessTokenLifespan"),
            ["access", "token", "lifespan"]
        );
        assert_eq!(words("ACCESS_TOKEN_TTL"), ["access", "token", "ttl"]);
        assert_eq!(words("access-token.ttl"), ["access", "token", "ttl"]);
        assert_eq!(words("JWTToken"), ["jwt", "token"]);
        assert_eq!(words("XSRF-TOKEN"), ["xsrf", "token"]);
        assert_eq!(words("sha256Key"), ["sha256", "key"]);
    }
}
