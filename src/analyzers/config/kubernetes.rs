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

/// A Deployment or StatefulSet of a manifest, as the design verdict needs it.
#[derive(Debug, PartialEq, Eq)]
pub struct Workload {
    /// `metadata.name`.
    pub name: String,
    /// Its containers' images.
    pub images: Vec<String>,
    /// Its containers' `env:` entries: the name, and the value as written or where it comes
    /// from (`secret `auth-jwt` key `signing``).
    pub env: Vec<(String, String)>,
    /// The 1-based lines its document spans.
    pub lines: (usize, usize),
}

/// The Deployments and StatefulSets of a manifest's text; none when it is not YAML. Templated
/// names (Helm) are left out: which object they make is not known here.
pub fn workloads(text: &str) -> Vec<Workload> {
    let Ok(docs) = super::yaml::parse(text) else {
        return Vec::new();
    };
    let file = crate::source::SourceFile::from_text("", text);
    let mut out = Vec::new();
    for doc in &docs {
        let root = &doc.root;
        if !matches!(
            root.get("kind").and_then(Node::as_str),
            Some("Deployment" | "StatefulSet")
        ) {
            continue;
        }
        let Some(name) = root
            .get("metadata")
            .and_then(|m| m.get("name"))
            .and_then(Node::as_str)
        else {
            continue;
        };
        let containers = ["spec", "template", "spec", "containers"].map(String::from);
        let containers = root.at(&containers).map_or(&[][..], Node::items);
        out.push(Workload {
            name: name.to_string(),
            images: containers
                .iter()
                .filter_map(|c| c.get("image").and_then(Node::as_str))
                .map(str::to_string)
                .collect(),
            env: containers
                .iter()
                .flat_map(|c| c.get("env").map_or(&[][..], Node::items))
                .filter_map(env_entry)
                .collect(),
            lines: (
                file.position(root.span.start).line,
                file.position(super::compose::last_char(
                    text,
                    root.span.start,
                    root.span.end,
                ))
                .line,
            ),
        });
    }
    out
}

/// `{name, value}` or `{name, valueFrom: {secretKeyRef | configMapKeyRef: {name, key}}}`.
fn env_entry(item: &Node) -> Option<(String, String)> {
    let name = item.get("name")?.as_str()?.to_string();
    if let Some(v) = item.get("value") {
        return Some((name, super::compose::as_written(v)?));
    }
    let from = item.get("valueFrom")?;
    let (what, r) = [
        ("secret", "secretKeyRef"),
        ("config map", "configMapKeyRef"),
    ]
    .iter()
    .find_map(|(what, k)| Some((*what, from.get(k)?)))?;
    let field = |k: &str| r.get(k).and_then(Node::as_str).unwrap_or("?");
    Some((
        name,
        format!("{what} `{}` key `{}`", field("name"), field("key")),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deployments_with_their_images_and_env() {
        let yaml = "apiVersion: v1\nkind: Service\nmetadata:\n  name: orders\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: orders-api\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          image: ghcr.io/acme/orders:1.4\n          env:\n            - name: ACCESS_TOKEN_TTL\n              value: \"30d\"\n            - name: JWT_SECRET\n              valueFrom:\n                secretKeyRef:\n                  name: auth-jwt\n                  key: signing\n---\nkind: StatefulSet\nmetadata:\n  name: redis\nspec:\n  template:\n    spec:\n      containers:\n        - image: redis:7\n";
        let w = workloads(yaml);
        assert_eq!(w.len(), 2);
        assert_eq!(w[0].name, "orders-api");
        assert_eq!(w[0].images, ["ghcr.io/acme/orders:1.4"]);
        assert_eq!(
            w[0].env,
            [
                ("ACCESS_TOKEN_TTL".into(), "30d".into()),
                (
                    "JWT_SECRET".into(),
                    "secret `auth-jwt` key `signing`".into()
                )
            ]
        );
        assert_eq!(w[0].lines, (6, 23));
        assert_eq!((w[1].name.as_str(), w[1].images.len()), ("redis", 1));
        assert!(workloads("kind: [").is_empty());
    }
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
