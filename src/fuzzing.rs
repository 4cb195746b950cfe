//! What the fuzz targets (`fuzz/fuzz_targets/`) run: every analyzer that handles a file's kind,
//! the suppression parser and the project pass, exactly as a check would, but in memory and
//! without catching panics. It lives in the library, not in the fuzz crate, so it is compiled
//! and tested with everything else and cannot drift from the code it drives (the fuzz crate is
//! built only by `fuzz/run.sh`, and once stopped compiling unnoticed).
use crate::analyzers::{self, Context, ProjectInfo, Sink};
use crate::config::Settings;
use crate::facts::PlacedFact;
use crate::project::ProjectContext;
use crate::source::SourceFile;

/// Analyses `data` as the file `name`, on a thread with the engine's worker stack, as a check
/// runs it (libFuzzer's main thread has 8 MiB, less than the guards are sized for). A panic is
/// passed on to the caller: to the fuzzer, it is the finding. Returns how many reports the
/// analyzers made (none for a file that is not UTF-8).
pub fn analyse(name: &'static str, data: &[u8]) -> usize {
    let data = data.to_vec();
    std::thread::Builder::new()
        .stack_size(crate::engine::WORKER_STACK)
        .spawn(move || analyse_here(name, &data))
        .expect("spawn")
        .join()
        .unwrap_or_else(|e| std::panic::resume_unwind(e))
}

fn analyse_here(name: &str, data: &[u8]) -> usize {
    let Ok(text) = std::str::from_utf8(data) else {
        return 0;
    };
    let file = SourceFile::from_text(name, text);
    let settings = Settings::default();
    let project = ProjectInfo::default();
    let ctx = Context {
        settings: &settings,
        project: &project,
        lower: None,
    };
    let mut sink = Sink::default();
    for a in analyzers::all().iter().filter(|a| a.handles(file.kind)) {
        a.check(&file, &ctx, &mut sink);
        // The pass that only reads a file's items for the project index (a file no rule
        // wants), through its own masked parse.
        let mut index = Sink::default();
        index.index_only = true;
        a.check(&file, &ctx, &mut index);
    }
    for r in &sink.reports {
        let _ = (
            file.position(r.span.start),
            file.position(r.span.end),
            file.snippet(r.span),
        );
    }
    let _ = crate::suppress::parse(&file);
    let reports = sink.reports.len();
    let facts: Vec<PlacedFact> = sink
        .facts
        .into_iter()
        .map(|f| PlacedFact::new(f, &file))
        .collect();
    let _ = crate::design::run(&facts, &[], &settings, &ProjectContext::default(), true);
    reports
}

#[cfg(test)]
mod tests {
    /// The seeds `fuzz/run.sh` starts from go through without a panic, and the analyzers see them:
    /// each risky seed is reported (a file that does not parse, or a placeholder secret, is not).
    #[test]
    fn every_fuzz_entry_point_takes_its_kind_of_file() {
        let cookie = "fn login(jar: CookieJar, v: String) -> CookieJar {\n    jar.add(Cookie::build((\"session\", v)).secure(true))\n}\n";
        for (name, text, expected) in [
            ("src/auth.rs", cookie, 2),
            ("web/app.ts", "localStorage.setItem('token', t);\n", 1),
            (
                "web/App.vue",
                "<script>\nlocalStorage.setItem('token', t);\n</script>\n",
                1,
            ),
            (
                "deploy/app.yaml",
                "jwt:\n  secret: k8s7Hf0pQz9LmN2vX4bW\n",
                1,
            ),
            ("realm.json", "{\"jwt\": {\"secret\": \"\\u12\"}}", 0),
            ("config.toml", "[jwt]\nexpiry = \"30d\"\n", 1),
            (".env", "JWT_SECRET=k8s7Hf0pQz9LmN2vX4bW\n", 1),
            (
                "infra/main.tf",
                "resource \"a\" \"b\" { secret = \"x\" }\n",
                0,
            ),
        ] {
            assert_eq!(super::analyse(name, text.as_bytes()), expected, "{name}");
        }
    }
}
