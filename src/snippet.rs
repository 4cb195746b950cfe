//! The text miette shows for one finding when a line it would show is too long to
//! show whole: the lines around the finding, each long line cut to windows around the finding's
//! positions (`…` marks what was cut). miette cannot draw past column 65,535 (it panics), and
//! nobody reads a 70,000-column line in a terminal anyway.
use memchr::{memchr, memrchr};
use miette::{MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};

/// Lines up to this many bytes are shown whole.
pub const MAX_LINE: usize = 400;
/// Bytes shown on each side of a position on a long line.
const MARGIN: usize = 60;
const CUT: &str = "…";

/// A copy of `len` bytes of the file at `file` placed at `excerpt` in the excerpt.
#[derive(Clone, Copy, Debug)]
struct Piece {
    excerpt: usize,
    file: usize,
    len: usize,
}

/// The lines of a file around some positions, long lines windowed.
#[derive(Debug)]
pub struct Excerpt {
    pub text: String,
    /// Zero-based number of the file line the excerpt starts with.
    pub first_line: usize,
    pieces: Vec<Piece>,
}

fn line_start(text: &str, at: usize) -> usize {
    memrchr(b'\n', &text.as_bytes()[..at]).map_or(0, |i| i + 1)
}

fn line_end(text: &str, at: usize) -> usize {
    memchr(b'\n', &text.as_bytes()[at..]).map_or(text.len(), |i| at + i)
}

fn floor_char(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn ceil_char(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at += 1;
    }
    at
}

impl Excerpt {
    /// The excerpt showing `points` (byte offsets) with the line before and after them, or
    /// `None` when every line shown is short enough to render from the file itself.
    pub fn around(text: &str, points: &[usize]) -> Option<Excerpt> {
        let mut points: Vec<usize> = points.iter().map(|&p| floor_char(text, p)).collect();
        points.sort_unstable();
        points.dedup();
        let (&first, &last) = (points.first()?, points.last()?);
        let mut start = line_start(text, first);
        let mut first_line = memchr::memchr_iter(b'\n', &text.as_bytes()[..start]).count();
        if start > 0 {
            start = line_start(text, start - 1);
            first_line -= 1;
        }
        let mut end = line_end(text, last);
        if end < text.len() {
            end = line_end(text, end + 1);
        }
        let mut lines = Vec::new();
        let mut at = start;
        loop {
            let e = line_end(text, at);
            lines.push((at, e));
            if e >= end {
                break;
            }
            at = e + 1;
        }
        if lines.iter().all(|(a, b)| b - a <= MAX_LINE) {
            return None;
        }
        let mut ex = Excerpt {
            text: String::new(),
            first_line,
            pieces: Vec::new(),
        };
        for (i, &(a, b)) in lines.iter().enumerate() {
            if i > 0 {
                ex.copy(text, a - 1, a);
            }
            if b - a <= MAX_LINE {
                ex.copy(text, a, b);
                continue;
            }
            let on_line = points.iter().filter(|&&p| (a..=b).contains(&p));
            let mut windows: Vec<(usize, usize)> = Vec::new();
            for &p in on_line {
                let w = (
                    floor_char(text, p.saturating_sub(MARGIN).max(a)),
                    ceil_char(text, (p + MARGIN).min(b)),
                );
                match windows.last_mut() {
                    Some(last) if w.0 <= last.1 => last.1 = last.1.max(w.1),
                    _ => windows.push(w),
                }
            }
            if windows.is_empty() {
                windows.push((a, ceil_char(text, a + 2 * MARGIN)));
            }
            let mut prev = a;
            for (ws, we) in windows {
                if ws > prev {
                    ex.text.push_str(CUT);
                }
                ex.copy(text, ws, we);
                prev = we;
            }
            if prev < b {
                ex.text.push_str(CUT);
            }
        }
        Some(ex)
    }

    fn copy(&mut self, text: &str, from: usize, to: usize) {
        self.pieces.push(Piece {
            excerpt: self.text.len(),
            file: from,
            len: to - from,
        });
        self.text.push_str(&text[from..to]);
    }

    /// Where a file offset is in the excerpt (the nearest kept byte if it was cut).
    pub fn to_excerpt(&self, file: usize) -> usize {
        let i = self.pieces.partition_point(|p| p.file <= file);
        match i.checked_sub(1).map(|i| self.pieces[i]) {
            Some(p) => p.excerpt + (file - p.file).min(p.len),
            None => 0,
        }
    }

    /// Where an excerpt offset is in the file.
    pub fn to_file(&self, excerpt: usize) -> usize {
        let i = self.pieces.partition_point(|p| p.excerpt <= excerpt);
        match i.checked_sub(1).map(|i| self.pieces[i]) {
            Some(p) => p.file + (excerpt - p.excerpt).min(p.len),
            None => 0,
        }
    }
}

/// The byte column (zero-based) of a file offset, as miette counts it.
/// The column of `at` in characters from its line's start: miette counts bytes, authlint's human
/// column counts characters, as JSON's `column` and the github annotations do.
fn file_column(text: &str, at: usize) -> usize {
    let at = at.min(text.len());
    let start = line_start(text, at);
    text.get(start..at)
        .map_or(at - start, |p| p.chars().count())
}

/// A file as miette reads it: the file itself, or the excerpt built for the spans to show.
/// Spans given to miette must be in the excerpt's offsets ([`View::offset`]); the lines and the
/// header's column miette prints are the file's.
#[derive(Clone, Copy, Debug)]
pub struct View<'a> {
    pub name: &'a str,
    pub file: &'a str,
    pub excerpt: Option<&'a Excerpt>,
    /// miette's name for the syntax highlighter, or empty.
    pub language: &'static str,
}

impl View<'_> {
    /// Where a file offset is in the text miette reads.
    pub fn offset(&self, file: usize) -> usize {
        self.excerpt.map_or(file, |ex| ex.to_excerpt(file))
    }

    /// A file span `start..end` as miette's `(offset, length)`.
    pub fn span(&self, start: usize, end: usize) -> (usize, usize) {
        let start = self.offset(start);
        (start, self.offset(end).saturating_sub(start))
    }
}

impl<'a> View<'a> {
    fn read(
        self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let text = self.excerpt.map_or(self.file, |ex| ex.text.as_str());
        let inner = text.read_span(span, before, after)?;
        let (line, column) = match self.excerpt {
            Some(ex) => (
                ex.first_line + inner.line(),
                if before == 0 {
                    file_column(self.file, ex.to_file(span.offset()))
                } else {
                    0
                },
            ),
            None => (inner.line(), file_column(self.file, inner.span().offset())),
        };
        let mut contents = MietteSpanContents::new_named(
            self.name.to_string(),
            inner.data(),
            *inner.span(),
            line,
            column,
            inner.line_count(),
        );
        if !self.language.is_empty() {
            contents = contents.with_language(self.language);
        }
        Ok(Box::new(contents))
    }
}

impl SourceCode for View<'_> {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        self.read(span, before, after)
    }
}

/// An owned file for miette with the excerpt its one span needs (config errors).
#[derive(Debug)]
pub struct Owned {
    name: String,
    file: String,
    excerpt: Option<Excerpt>,
}

impl Owned {
    /// The file and its span `start..end`, as miette's `(offset, length)` in what it will read.
    pub fn new(name: String, file: &str, start: usize, end: usize) -> (Owned, (usize, usize)) {
        let owned = Owned {
            name,
            file: file.to_string(),
            excerpt: Excerpt::around(file, &[start, end]),
        };
        let span = owned.view().span(start, end);
        (owned, span)
    }

    fn view(&self) -> View<'_> {
        View {
            name: &self.name,
            file: &self.file,
            excerpt: self.excerpt.as_ref(),
            language: "",
        }
    }
}

impl SourceCode for Owned {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        self.view().read(span, before, after)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_lines_need_no_excerpt() {
        assert!(Excerpt::around("a\nb\nc\n", &[2]).is_none());
    }

    #[test]
    fn a_long_line_is_cut_around_the_position_and_offsets_map_both_ways() {
        let text = format!("x\n{{{}\"jwt\": 1}}\ny\nz\n", " ".repeat(70_000));
        let at = text.find("\"jwt\"").unwrap();
        let ex = Excerpt::around(&text, &[at, at + 5]).unwrap();
        assert_eq!(ex.first_line, 0);
        assert!(ex.text.starts_with("x\n…"), "{}", ex.text);
        assert!(ex.text.ends_with("\"jwt\": 1}\ny"), "{}", ex.text);
        assert!(ex.text.len() < 200);
        let e = ex.to_excerpt(at);
        assert_eq!(&ex.text[e..e + 5], "\"jwt\"");
        assert_eq!(ex.to_file(e), at);
        assert_eq!(file_column(&text, at), 70_001);
    }

    #[test]
    fn windows_never_split_a_character() {
        let text = "é".repeat(1000);
        let ex = Excerpt::around(&text, &[501, 1201]).unwrap();
        assert!(ex.text.contains('…'));
        assert!(ex.text.chars().all(|c| c == 'é' || c == '…'));
    }
}
