//! Unit tests of the whole analyzer on small snippets.
use super::*;
use crate::analyzers::{Sink, with_default_context};
use crate::rule::Rule;

pub fn run(path: &str, text: &str) -> Sink {
    let file = SourceFile::from_text(path, text);
    let mut sink = Sink::default();
    with_default_context(|ctx| ScriptAnalyzer.check(&file, ctx, &mut sink));
    sink
}

/// `(line, rule)` of every report.
pub fn lines(path: &str, text: &str) -> Vec<(usize, Rule)> {
    let file = SourceFile::from_text(path, text);
    let sink = run(path, text);
    assert!(sink.errors.is_empty(), "{:?}", sink.errors);
    sink.reports
        .iter()
        .map(|r| (file.position(r.span.start).line, r.rule))
        .collect()
}

const WS: Rule = Rule::TokenInWebStorage;

#[test]
fn comments_and_strings_are_not_code() {
    let src = "// localStorage.setItem('token', t)\n/* localStorage.setItem('token', t) */\nconst s = \"localStorage.setItem('token', t)\";\nconst u = `localStorage.setItem('token', ${x})`;\n";
    assert!(lines("a.js", src).is_empty());
}

#[test]
fn direct_write_is_reported() {
    assert_eq!(
        lines("a.ts", "localStorage.setItem('token', res.token)\n"),
        [(1, WS)]
    );
}

#[test]
fn parse_errors_are_reported_not_analysed() {
    let sink = run("a.ts", "localStorage.setItem('token', t)\nconst = ;\n");
    assert!(sink.reports.is_empty());
    assert_eq!(sink.errors.len(), 1);
    assert!(
        sink.errors[0]
            .message
            .starts_with("cannot parse TypeScript: "),
        "{:?}",
        sink.errors
    );
}

#[test]
fn deep_nesting_is_a_diagnostic_not_a_crash() {
    let src = format!(
        "localStorage.setItem('token', {}t{})",
        "(".repeat(5000),
        ")".repeat(5000)
    );
    let sink = run("a.js", &src);
    assert_eq!(sink.errors.len(), 1);
    assert!(sink.errors[0].message.contains("nested"));
}

#[test]
fn markup_blocks_map_back_to_the_file() {
    let src = "<template>\n  <p>hi</p>\n</template>\n<script setup lang=\"ts\">\nconst t: string = res.token\nlocalStorage.setItem('token', t)\n</script>\n";
    assert_eq!(lines("A.vue", src), [(6, WS)]);
}

#[test]
fn nesting_just_under_the_limit_parses_on_a_small_stack() {
    let n = MAX_NESTING - 1;
    for (open, close) in [("[", "]"), ("(", ")"), ("{a:", "}")] {
        let src = format!("x = {}t{}", open.repeat(n), close.repeat(n));
        let handle = std::thread::Builder::new()
            .stack_size(4 << 20)
            .spawn(move || run("a.ts", &src).errors.len())
            .unwrap();
        assert_eq!(handle.join().unwrap(), 0, "{open}");
    }
}
