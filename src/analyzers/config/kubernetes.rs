//! Kubernetes `Secret` manifests keep their `data` values base64-encoded: decoded here, so that a
//! committed secret is judged by what it holds (`Y2hhbmdlbWU=` is the placeholder `changeme`),
//! and a base64-encoded PEM (`LS0tLS1CRUdJTi…`) is seen as the key it is. `stringData` and
//! `ConfigMap` `data` are plain text and need nothing. Spans stay on the encoded text.
use super::tree::{Node, Value};

/// Decodes the `data` values of a `kind: Secret` document in place. Values that are not valid
/// base64 text stay as they are.
pub fn decode_secret_data(root: &mut Node) {
    if root.get("kind").and_then(Node::as_str) != Some("Secret") {
        return;
    }
    let Value::Object(entries) = &mut root.value else {
        return;
    };
    let Some(data) = entries.iter_mut().find(|e| e.key == "data") else {
        return;
    };
    let Value::Object(items) = &mut data.node.value else {
        return;
    };
    for item in items {
        if let Value::Str(s) = &item.node.value
            && let Some(text) = decode_text(s)
        {
            item.node = Node::string(item.node.span, text);
        }
    }
}

/// The UTF-8 text that standard or URL-safe base64 `s` encodes, padded or not (line breaks and
/// blanks inside are skipped, as `base64 -w 76` writes them).
pub fn decode_text(s: &str) -> Option<String> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    let mut padding = false;
    let mut digits = 0usize;
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            b'=' => {
                padding = true;
                continue;
            }
            b' ' | b'\t' | b'\r' | b'\n' => continue,
            _ => return None,
        };
        if padding {
            return None;
        }
        digits += 1;
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    if digits == 0 || digits % 4 == 1 {
        return None;
    }
    String::from_utf8(out).ok()
}

/// Whether `s` is a base64-encoded PEM private key (`LS0tLS1CRUdJTi…` decodes to
/// `-----BEGIN … PRIVATE KEY-----`).
pub fn is_base64_private_key(s: &str) -> bool {
    let t = s.trim();
    t.starts_with("LS0tLS1CRUdJTi")
        && decode_text(t).is_some_and(|d| d.starts_with("-----BEGIN") && d.contains("PRIVATE KEY"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyzers::config::parse;
    use crate::source::ConfigFormat;

    #[test]
    fn decodes_standard_and_url_safe_base64() {
        assert_eq!(decode_text("Y2hhbmdlbWU=").as_deref(), Some("changeme"));
        assert_eq!(decode_text("Y2hhbmdlbWU").as_deref(), Some("changeme"));
        assert_eq!(decode_text("/w==").as_deref(), None); // 0xFF is not UTF-8
        assert_eq!(decode_text("aGk-").as_deref(), Some("hi>"));
        assert_eq!(decode_text("not base64!"), None);
        assert_eq!(decode_text(""), None);
    }

    #[test]
    fn secret_data_is_decoded_and_config_maps_are_not() {
        let text = "kind: Secret\ndata:\n  JWT_SECRET: Y2hhbmdlbWU=\n---\nkind: ConfigMap\ndata:\n  A: Y2hhbmdlbWU=\n";
        let mut docs = parse(ConfigFormat::Yaml, text).unwrap();
        for d in &mut docs {
            decode_secret_data(&mut d.root);
        }
        let v = docs[0].root.get("data").unwrap().get("JWT_SECRET").unwrap();
        assert_eq!(v.as_str(), Some("changeme"));
        assert_eq!(&text[v.span.start..v.span.end], "Y2hhbmdlbWU=");
        let v = docs[1].root.get("data").unwrap().get("A").unwrap();
        assert_eq!(v.as_str(), Some("Y2hhbmdlbWU="));
    }

    #[test]
    fn a_base64_pem_is_a_private_key() {
        // base64 of "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n"
        let pem =
            "LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0tCk1JSUUKLS0tLS1FTkQgUFJJVkFURSBLRVktLS0tLQo=";
        assert!(is_base64_private_key(pem));
        // base64 of "-----BEGIN PUBLIC KEY-----\n"
        assert!(!is_base64_private_key(
            "LS0tLS1CRUdJTiBQVUJMSUMgS0VZLS0tLS0K"
        ));
    }
}
