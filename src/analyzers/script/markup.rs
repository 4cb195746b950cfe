//! The code in a file: the whole file for `.js`/`.ts`, or the inline `<script>` blocks of HTML,
//! Vue and Svelte files, each with the byte offset where it starts so spans map back to the file.
use oxc_span::SourceType;

/// One piece of JavaScript or TypeScript to parse.
#[derive(Debug, Clone, PartialEq)]
pub struct Block<'t> {
    pub text: &'t str,
    /// Byte offset of `text` in the file.
    pub start: usize,
    pub source_type: SourceType,
}

/// The source type of a script file, from its extension. Plain `.js` files are parsed with JSX
/// enabled, as React projects commonly write JSX in them.
pub fn source_type_for_path(path: &str) -> SourceType {
    let lower = path.to_ascii_lowercase();
    let ext = lower.rsplit_once('.').map_or("js", |(_, e)| e);
    match ext {
        "ts" => SourceType::ts(),
        "tsx" => SourceType::tsx(),
        "mts" => SourceType::ts().with_module(true),
        "cts" => SourceType::ts().with_commonjs(true),
        "jsx" => SourceType::jsx(),
        "mjs" => SourceType::mjs().with_jsx(true),
        "cjs" => SourceType::cjs(),
        _ => SourceType::unambiguous().with_jsx(true),
    }
}

/// The inline `<script>` blocks of an HTML, Vue or Svelte file. Skipped: `src=` scripts (their
/// body is empty), data blocks (`type="application/json"`, `importmap`, `text/template`, …), and
/// `<script>` text inside HTML comments.
pub fn script_blocks(text: &str) -> Vec<Block<'_>> {
    let lower = text.to_ascii_lowercase();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(found) = next_tag(&lower, i) {
        let Some(tag_end) = tag_end(&lower, found) else {
            break;
        };
        let attrs = &text[found + "<script".len()..tag_end];
        let body_start = tag_end + 1;
        let body_end = lower[body_start..]
            .find("</script")
            .map_or(text.len(), |n| body_start + n);
        i = body_end;
        if let Some(source_type) = block_type(attrs)
            && !text[body_start..body_end].trim().is_empty()
        {
            out.push(Block {
                text: &text[body_start..body_end],
                start: body_start,
                source_type,
            });
        }
    }
    out
}

/// The next `<script` opening tag at or after `from`, skipping HTML comments.
fn next_tag(lower: &str, mut from: usize) -> Option<usize> {
    loop {
        let tag = lower[from..].find("<script").map(|n| from + n)?;
        let comment = lower[from..tag].rfind("<!--").map(|n| from + n);
        if let Some(c) = comment
            && !lower[c..tag].contains("-->")
        {
            // Inside a comment: continue after it ends.
            from = lower[tag..].find("-->").map(|n| tag + n + 3)?;
            continue;
        }
        // `<scripts>` or `<script-foo>` are other elements.
        match lower.as_bytes().get(tag + "<script".len()) {
            Some(b) if b.is_ascii_whitespace() || *b == b'>' || *b == b'/' => return Some(tag),
            _ => from = tag + 1,
        }
    }
}

/// The `>` closing the opening tag, skipping quoted attribute values.
fn tag_end(lower: &str, start: usize) -> Option<usize> {
    let b = lower.as_bytes();
    let mut quote = None;
    for (j, &c) in b.iter().enumerate().skip(start) {
        match (quote, c) {
            (None, b'"' | b'\'') => quote = Some(c),
            (Some(q), _) if c == q => quote = None,
            (None, b'>') => return Some(j),
            _ => {}
        }
    }
    None
}

/// An attribute's value (`lang="ts"`, `lang=ts`), or `Some("")` for a bare attribute.
fn attr<'t>(attrs: &'t str, name: &str) -> Option<&'t str> {
    let lower = attrs.to_ascii_lowercase();
    let b = lower.as_bytes();
    let mut from = 0;
    while let Some(n) = lower[from..].find(name) {
        let at = from + n;
        from = at + name.len();
        let before_ok = at == 0 || b[at - 1].is_ascii_whitespace();
        let after = lower[from..].trim_start();
        if !before_ok {
            continue;
        }
        if let Some(rest) = after.strip_prefix('=') {
            let value_start = attrs.len() - rest.trim_start().len();
            let raw = &attrs[value_start..];
            return Some(match raw.chars().next() {
                Some(q @ ('"' | '\'')) => raw[1..].split(q).next().unwrap_or(""),
                _ => raw
                    .split(|c: char| c.is_whitespace() || c == '>')
                    .next()
                    .unwrap_or(""),
            });
        }
        if after.is_empty() || after.starts_with(|c: char| c.is_ascii_alphabetic() || c == '/') {
            return Some("");
        }
    }
    None
}

fn block_type(attrs: &str) -> Option<SourceType> {
    if attr(attrs, "src").is_some() {
        return None;
    }
    if let Some(t) = attr(attrs, "type") {
        let t = t.trim().to_ascii_lowercase();
        let code = t.is_empty()
            || t == "module"
            || t.ends_with("/javascript")
            || t.ends_with("/ecmascript")
            || t == "text/babel"
            || t == "text/jsx"
            || t == "text/typescript";
        if !code {
            return None;
        }
        if t == "text/typescript" {
            return Some(SourceType::ts().with_module(true));
        }
    }
    let lang = attr(attrs, "lang")
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    Some(match lang.as_str() {
        "ts" | "typescript" => SourceType::ts().with_module(true),
        "tsx" => SourceType::tsx().with_module(true),
        _ => SourceType::unambiguous().with_jsx(true),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_script_blocks_with_offsets_and_languages() {
        let html = "<template><div/></template>\n<script setup lang=\"ts\">\nconst a: number = 1\n</script>\n<script>export default {}</script>";
        let blocks = script_blocks(html);
        assert_eq!(blocks.len(), 2);
        assert_eq!(&html[blocks[0].start..blocks[0].start + 1], "\n");
        assert!(blocks[0].text.contains("const a: number"));
        assert!(blocks[0].source_type.is_typescript());
        assert!(!blocks[1].source_type.is_typescript());
        assert_eq!(blocks[1].text, "export default {}");
    }

    #[test]
    fn skips_data_blocks_src_scripts_and_comments() {
        let html = r#"<script type="application/json">{"token": 1}</script>
<script type="text/template"><p>{{token}}</p></script>
<script src="/app.js"></script>
<!-- <script>localStorage.setItem("token", t)</script> -->
<script type="importmap">{}</script>
<SCRIPT TYPE="text/javascript">go()</SCRIPT>"#;
        let blocks = script_blocks(html);
        assert_eq!(blocks.len(), 1, "{blocks:?}");
        assert_eq!(blocks[0].text, "go()");
    }

    #[test]
    fn attribute_values_with_gt_and_tsx() {
        let html = "<script lang='tsx' data-x=\"a>b\">let x = <div/></script>";
        let blocks = script_blocks(html);
        assert_eq!(blocks.len(), 1);
        assert!(blocks[0].source_type.is_jsx());
        assert_eq!(blocks[0].text, "let x = <div/>");
    }
}
