//! One file's text, byte ranges (`Span`) and positions (`Position`) in it, and the index that
//! turns byte offsets into lines and columns.
use serde::Serialize;
use std::path::PathBuf;

/// A half-open byte range `[start, end)` into a file's text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span {
            start,
            end: end.max(start),
        }
    }
}

/// A line/column position. `line` and `column` are 1-based; `column` counts Unicode scalar values
/// (what an editor shows), `column_utf16` counts UTF-16 code units (what SARIF consumers expect),
/// `offset` is the 0-based byte offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Position {
    pub line: usize,
    pub column: usize,
    pub column_utf16: usize,
    pub offset: usize,
}

/// What kind of file this is, decided by extension and well-known names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FileKind {
    Rust,
    /// JavaScript/TypeScript source.
    Script,
    /// HTML, Vue and Svelte files whose `<script>` blocks are code.
    Markup,
    Config(ConfigFormat),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ConfigFormat {
    Toml,
    Yaml,
    Json,
    Env,
    Hcl,
    /// `Dockerfile`, `Containerfile` and `*.Dockerfile`: their `ENV` and `ARG` settings.
    Dockerfile,
}

impl FileKind {
    pub fn name(self) -> &'static str {
        match self {
            FileKind::Rust => "rust",
            FileKind::Script => "script",
            FileKind::Markup => "markup",
            FileKind::Config(ConfigFormat::Toml) => "toml",
            FileKind::Config(ConfigFormat::Yaml) => "yaml",
            FileKind::Config(ConfigFormat::Json) => "json",
            FileKind::Config(ConfigFormat::Env) => "env",
            FileKind::Config(ConfigFormat::Hcl) => "hcl",
            FileKind::Config(ConfigFormat::Dockerfile) => "dockerfile",
        }
    }

    /// Classifies a file by its name alone; `None` for files authlint does not read. A config
    /// template (`development.yaml.t`, `app.yml.j2`, `values.toml.tmpl`) is the format of its inner
    /// extension, read with its template tags masked (see [`template_suffix`]).
    pub fn classify(file_name: &str) -> Option<FileKind> {
        let lower = file_name.to_ascii_lowercase();
        if let Some(suffix) = template_suffix(&lower) {
            let inner = &lower[..lower.len() - suffix.len()];
            if [".yaml", ".yml", ".toml", ".json", ".env"]
                .iter()
                .any(|e| inner.ends_with(e))
            {
                return Self::classify_plain(inner);
            }
        }
        Self::classify_plain(&lower)
    }

    fn classify_plain(lower: &str) -> Option<FileKind> {
        if lower == ".env" || lower.starts_with(".env.") || lower.ends_with(".env") {
            return Some(FileKind::Config(ConfigFormat::Env));
        }
        if is_minified_name(lower) || lower.ends_with(".d.ts") {
            return None;
        }
        if matches!(lower, "dockerfile" | "containerfile")
            || lower.starts_with("dockerfile.")
            || lower.starts_with("containerfile.")
            || lower.ends_with(".dockerfile")
            || lower.ends_with(".containerfile")
        {
            return Some(FileKind::Config(ConfigFormat::Dockerfile));
        }
        let ext = lower.rsplit_once('.').map(|(_, e)| e)?;
        Some(match ext {
            "rs" => FileKind::Rust,
            "js" | "jsx" | "mjs" | "cjs" | "ts" | "tsx" | "mts" | "cts" => FileKind::Script,
            "html" | "htm" | "vue" | "svelte" => FileKind::Markup,
            "toml" | "cfg" => FileKind::Config(ConfigFormat::Toml),
            "yaml" | "yml" => FileKind::Config(ConfigFormat::Yaml),
            "json" => FileKind::Config(ConfigFormat::Json),
            "tf" => FileKind::Config(ConfigFormat::Hcl),
            _ => return None,
        })
    }
}

/// The template engines' endings that wrap a config format: Tera (`.t`, as Loco writes
/// `config/development.yaml.t`), Jinja (`.j2`, `.jinja`, `.jinja2`), Go templates (`.tmpl`,
/// `.tpl`), Handlebars (`.hbs`) and `.template`.
pub const TEMPLATE_SUFFIXES: &[&str] = &[
    ".t",
    ".j2",
    ".jinja",
    ".jinja2",
    ".tmpl",
    ".tpl",
    ".hbs",
    ".template",
];

/// The template ending of a (lower-case) file name, if it has one.
pub fn template_suffix(lower_name: &str) -> Option<&'static str> {
    TEMPLATE_SUFFIXES
        .iter()
        .copied()
        .find(|s| lower_name.ends_with(s))
}

/// Decodes a UTF-16 text file that starts with a byte-order mark (`FF FE` little-endian,
/// `FE FF` big-endian) into a `String`, without the mark. `None` when there is no UTF-16 mark;
/// `Err(offset)` at the first unit that is not UTF-16 (an unpaired surrogate, an odd last byte).
/// Every position authlint reports for such a file (line, column, byte offset) is in the
/// decoded text: lines and character columns are the ones an editor shows, byte offsets are
/// those of the UTF-8 text.
pub fn decode_utf16_bom(bytes: &[u8]) -> Option<Result<String, usize>> {
    let little = match bytes {
        [0xFF, 0xFE, ..] => true,
        [0xFE, 0xFF, ..] => false,
        _ => return None,
    };
    let body = &bytes[2..];
    if body.len() % 2 == 1 {
        return Some(Err(bytes.len() - 1));
    }
    let units = body.chunks_exact(2).map(|p| {
        if little {
            u16::from_le_bytes([p[0], p[1]])
        } else {
            u16::from_be_bytes([p[0], p[1]])
        }
    });
    let mut out = String::with_capacity(body.len() / 2);
    for (i, c) in char::decode_utf16(units).enumerate() {
        match c {
            Ok(c) => out.push(c),
            Err(_) => return Some(Err(2 + 2 * i)),
        }
    }
    Some(Ok(out))
}

/// A file as analyzers see it: its display path, kind, text and a line index.
#[derive(Debug)]
pub struct SourceFile {
    /// Path on disk.
    pub abs_path: PathBuf,
    /// `/`-separated path as reported (relative to the working directory when inside it).
    pub path: String,
    pub kind: FileKind,
    pub text: String,
    /// What the file is for (production unless discovery said otherwise).
    pub role: crate::roles::Role,
    /// Where each line starts, computed on first use: most files are never asked for a position.
    line_starts: std::sync::OnceLock<Vec<usize>>,
    /// Character and UTF-16 counts at regular byte offsets, for files that are not ASCII.
    char_marks: std::sync::OnceLock<CharMarks>,
}

/// Characters and UTF-16 units counted from the start of the file at a mark every
/// [`CharMarks::STEP`] bytes or so (on character boundaries), so a column is found in
/// O(log n + STEP) however long its line: counting from the line's start made positions
/// quadratic on long lines (issue 14, item 5).
#[derive(Debug)]
struct CharMarks {
    /// `(byte offset, characters before it, UTF-16 units before it)`, offsets increasing;
    /// empty for an ASCII file, where all three are equal.
    marks: Vec<(usize, usize, usize)>,
}

impl CharMarks {
    const STEP: usize = 256;

    fn new(text: &str) -> Self {
        if text.is_ascii() {
            return CharMarks { marks: Vec::new() };
        }
        let mut marks = vec![(0, 0, 0)];
        let (mut chars, mut units, mut next) = (0, 0, Self::STEP);
        for (i, c) in text.char_indices() {
            if i >= next {
                marks.push((i, chars, units));
                next = i + Self::STEP;
            }
            chars += 1;
            units += c.len_utf16();
        }
        CharMarks { marks }
    }

    /// Characters and UTF-16 units before `offset`, a character boundary of `text`.
    fn counts(&self, text: &str, offset: usize) -> (usize, usize) {
        if self.marks.is_empty() {
            return (offset, offset);
        }
        let i = self.marks.partition_point(|m| m.0 <= offset) - 1;
        let (at, mut chars, mut units) = self.marks[i];
        for c in text[at..offset].chars() {
            chars += 1;
            units += c.len_utf16();
        }
        (chars, units)
    }

    /// The byte offset of the character numbered `n` from the start of the file, if there is one.
    fn byte_of_char(&self, text: &str, n: usize) -> Option<usize> {
        if self.marks.is_empty() {
            return (n < text.len()).then_some(n);
        }
        let i = self.marks.partition_point(|m| m.1 <= n) - 1;
        let (at, chars, _) = self.marks[i];
        text[at..]
            .char_indices()
            .nth(n - chars)
            .map(|(j, _)| at + j)
    }
}

/// Old Mac files end lines with a lone CR. Each becomes an LF, byte for byte, so the parsers, the
/// line index and the rendered snippets all count the same lines and every offset stays the same
/// (a file whose text differs from its bytes on disk is never rewritten by `--fix`).
fn lone_cr_to_lf(text: String) -> String {
    let bytes = text.as_bytes();
    let lone = |i: usize| bytes[i] == b'\r' && bytes.get(i + 1) != Some(&b'\n');
    if !(0..bytes.len()).any(lone) {
        return text;
    }
    let mut out = text.into_bytes();
    for i in 0..out.len() {
        if out[i] == b'\r' && out.get(i + 1) != Some(&b'\n') {
            out[i] = b'\n';
        }
    }
    // Replacing one ASCII byte by another keeps the text valid UTF-8.
    String::from_utf8(out).expect("ASCII for ASCII")
}

impl SourceFile {
    pub fn new(abs_path: PathBuf, path: String, kind: FileKind, text: String) -> Self {
        let text = lone_cr_to_lf(text);
        SourceFile {
            abs_path,
            path,
            kind,
            text,
            role: crate::roles::Role::Production,
            line_starts: std::sync::OnceLock::new(),
            char_marks: std::sync::OnceLock::new(),
        }
    }

    fn char_marks(&self) -> &CharMarks {
        self.char_marks.get_or_init(|| CharMarks::new(&self.text))
    }

    fn line_starts(&self) -> &[usize] {
        self.line_starts.get_or_init(|| {
            let mut starts = vec![0];
            starts.extend(
                self.text
                    .bytes()
                    .enumerate()
                    .filter(|&(_, b)| b == b'\n')
                    .map(|(i, _)| i + 1),
            );
            starts
        })
    }

    /// Convenience for tests and analyzers' unit tests.
    pub fn from_text(path: &str, text: &str) -> Self {
        let kind =
            FileKind::classify(path.rsplit('/').next().unwrap_or(path)).unwrap_or(FileKind::Rust);
        SourceFile::new(
            PathBuf::from(path),
            path.to_string(),
            kind,
            text.to_string(),
        )
    }

    pub fn line_count(&self) -> usize {
        self.line_starts().len()
    }

    /// The 0-based index of the line holding `offset`.
    pub fn line_index(&self, offset: usize) -> usize {
        match self.line_starts().binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        }
    }

    /// The byte offset where 1-based `line` starts.
    pub fn line_start(&self, line: usize) -> Option<usize> {
        self.line_starts().get(line.checked_sub(1)?).copied()
    }

    /// The text of 1-based `line`, without its line ending.
    pub fn line_text(&self, line: usize) -> &str {
        let Some(start) = self.line_start(line) else {
            return "";
        };
        let end = self
            .line_starts()
            .get(line)
            .copied()
            .unwrap_or(self.text.len());
        self.text[start..end].trim_end_matches(['\n', '\r'])
    }

    /// Turns a byte offset into a position; offsets past the end or inside a character are clamped.
    pub fn position(&self, offset: usize) -> Position {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_index(offset);
        let marks = self.char_marks();
        let (line_chars, line_units) = marks.counts(&self.text, self.line_starts()[line]);
        let (chars, units) = marks.counts(&self.text, offset);
        Position {
            line: line + 1,
            column: chars - line_chars + 1,
            column_utf16: units - line_units + 1,
            offset,
        }
    }

    /// The byte offset of a 1-based line and 0-based character column (as `proc-macro2` reports).
    pub fn offset_of(&self, line: usize, char_column: usize) -> usize {
        let Some(start) = self.line_start(line) else {
            return self.text.len();
        };
        let marks = self.char_marks();
        let (first, _) = marks.counts(&self.text, start);
        marks
            .byte_of_char(&self.text, first + char_column)
            .unwrap_or(self.text.len())
    }

    pub fn snippet(&self, span: Span) -> &str {
        let start = span.start.min(self.text.len());
        let end = span.end.clamp(start, self.text.len());
        self.text.get(start..end).unwrap_or("")
    }
}

/// A bundle by its name (`app.min.js`, `.min.mjs`, `.min.cjs`): never parsed, reported as
/// skipped (minified) when found.
pub fn is_minified_name(lower: &str) -> bool {
    [".min.js", ".min.mjs", ".min.cjs"]
        .iter()
        .any(|e| lower.ends_with(e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_characters_and_utf16_units() {
        let f = SourceFile::from_text("a.rs", "ab\nпривет 🍪x\n");
        let x = f.text.find('x').unwrap();
        let p = f.position(x);
        assert_eq!((p.line, p.column, p.column_utf16), (2, 9, 10));
        assert_eq!(f.offset_of(2, 8), x);
        assert_eq!(f.line_text(2), "привет 🍪x");
    }

    /// Marks every 256 bytes: positions before, on and after them, on ASCII and non-ASCII lines,
    /// agree with counting from the line's start.
    #[test]
    fn positions_from_marks_match_counting_from_the_line_start() {
        let line = "aé🍪\u{2028}b".repeat(100);
        for text in [
            format!("{line}\nx\n{line}\n"),
            "ab\ncd\n".repeat(300),
            String::new(),
        ] {
            let f = SourceFile::from_text("a.rs", &text);
            for (offset, _) in text.char_indices().chain([(text.len(), ' ')]) {
                let p = f.position(offset);
                let start = f.line_start(p.line).unwrap();
                let prefix = &text[start..offset];
                assert_eq!(p.column, prefix.chars().count() + 1, "{offset}");
                assert_eq!(
                    p.column_utf16,
                    prefix.encode_utf16().count() + 1,
                    "{offset}"
                );
                assert_eq!(f.offset_of(p.line, p.column - 1), offset.min(text.len()));
            }
            assert_eq!(f.offset_of(1, text.chars().count() + 5), text.len());
        }
    }

    #[test]
    fn utf16_with_a_byte_order_mark_is_decoded() {
        let text = "let t = 'é🍪';\n";
        let mut le = vec![0xFF, 0xFE];
        let mut be = vec![0xFE, 0xFF];
        for u in text.encode_utf16() {
            le.extend(u.to_le_bytes());
            be.extend(u.to_be_bytes());
        }
        assert_eq!(decode_utf16_bom(&le), Some(Ok(text.to_string())));
        assert_eq!(decode_utf16_bom(&be), Some(Ok(text.to_string())));
        assert_eq!(decode_utf16_bom(b"plain"), None);
        assert_eq!(
            decode_utf16_bom(&[0xFF, 0xFE, 0x00, 0xD8, b'a', 0]),
            Some(Err(2))
        );
        assert_eq!(decode_utf16_bom(&[0xFF, 0xFE, b'a']), Some(Err(2)));
    }

    #[test]
    fn classifies_by_name() {
        assert_eq!(FileKind::classify("main.rs"), Some(FileKind::Rust));
        assert_eq!(
            FileKind::classify(".env.production"),
            Some(FileKind::Config(ConfigFormat::Env))
        );
        assert_eq!(FileKind::classify("App.vue"), Some(FileKind::Markup));
        assert_eq!(FileKind::classify("vendor.min.js"), None);
        assert_eq!(FileKind::classify("README.md"), None);
        let yaml = Some(FileKind::Config(ConfigFormat::Yaml));
        assert_eq!(FileKind::classify("development.yaml.t"), yaml);
        assert_eq!(FileKind::classify("app.YML.j2"), yaml);
        assert_eq!(
            FileKind::classify("settings.toml.tmpl"),
            Some(FileKind::Config(ConfigFormat::Toml))
        );
        assert_eq!(FileKind::classify("basic.t"), None);
        assert_eq!(FileKind::classify("index.html.j2"), None);
        for name in [
            "Dockerfile",
            "Containerfile",
            "api.Dockerfile",
            "Dockerfile.prod",
        ] {
            assert_eq!(
                FileKind::classify(name),
                Some(FileKind::Config(ConfigFormat::Dockerfile)),
                "{name}"
            );
        }
    }
}
