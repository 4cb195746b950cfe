//! Runs every analyzer that handles `name`'s kind on `data`, then the suppression parser and the
//! project pass, exactly as a check would, but in memory and without catching panics.
use authlint::analyzers::{self, Context, Sink};
use authlint::config::Settings;
use authlint::facts::PlacedFact;
use authlint::project::{ProjectContext, ProjectInfo};
use authlint::source::SourceFile;

/// On a thread with the engine's worker stack, as a check runs it (libFuzzer's main thread has
/// 8 MiB, less than the guards are sized for).
pub fn analyse(name: &'static str, data: &[u8]) {
    let data = data.to_vec();
    std::thread::Builder::new()
        .stack_size(authlint::engine::WORKER_STACK)
        .spawn(move || analyse_here(name, &data))
        .expect("spawn")
        .join()
        .unwrap_or_else(|e| std::panic::resume_unwind(e));
}

fn analyse_here(name: &str, data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let file = SourceFile::from_text(name, text);
    let settings = Settings::default();
    let project = ProjectInfo::default();
    let ctx = Context { settings: &settings, project: &project };
    let mut sink = Sink::default();
    for a in analyzers::all().iter().filter(|a| a.handles(file.kind)) {
        a.check(&file, &ctx, &mut sink);
    }
    for r in &sink.reports {
        let _ = (file.position(r.span.start), file.position(r.span.end), file.snippet(r.span));
    }
    let _ = authlint::suppress::parse(&file);
    let facts: Vec<PlacedFact> = sink
        .facts
        .into_iter()
        .map(|f| PlacedFact { path: name.into(), start: file.position(f.span.start), span: f.span, function: f.function, kind: f.kind })
        .collect();
    let _ = authlint::design::run(&facts, &[], &settings, &ProjectContext::default());
}
