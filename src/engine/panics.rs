//! A panic inside one file's check is caught and recorded with its message and place, not
//! printed: it becomes that file's `internal-error` diagnostic.
use std::cell::RefCell;
use std::sync::Once;

thread_local! {
    static CAPTURING: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Panics inside an analyzer are recorded instead of printed; all others go to the default hook.
pub(super) fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let captured = CAPTURING.with(|c| {
                let mut c = c.borrow_mut();
                if c.is_some() {
                    let msg = info
                        .payload()
                        .downcast_ref::<&str>()
                        .map(|s| s.to_string())
                        .or_else(|| info.payload().downcast_ref::<String>().cloned())
                        .unwrap_or_else(|| "panic".into());
                    let at = info
                        .location()
                        .map(|l| format!(" at {}:{}", l.file(), l.line()))
                        .unwrap_or_default();
                    *c = Some(format!("{msg}{at}"));
                    true
                } else {
                    false
                }
            });
            if !captured {
                previous(info);
            }
        }));
    });
}

/// Why a file's (or one analyzer's) work ended early.
pub(super) enum Failure {
    /// A panic, with its message and place.
    Panic(String),
    /// The file's time budget ran out (see `budget`).
    Timeout,
}

pub(super) fn with_panic_capture<T>(
    f: impl FnOnce() -> std::thread::Result<T>,
) -> Result<T, Failure> {
    // Nested captures (a file around its analyzers) restore the outer state afterwards.
    let outer = CAPTURING.with(|c| c.borrow_mut().replace(String::new()));
    let out = f();
    let msg = CAPTURING
        .with(|c| std::mem::replace(&mut *c.borrow_mut(), outer))
        .unwrap_or_default();
    out.map_err(|payload| match msg {
        _ if crate::budget::expired(payload.as_ref()) => Failure::Timeout,
        m if m.is_empty() => Failure::Panic("panic".into()),
        m => Failure::Panic(m),
    })
}

/// The message of a `timeout` diagnostic.
pub(super) fn timeout_message(budget: std::time::Duration, analyzer: Option<&str>) -> String {
    let during = analyzer.map_or(String::new(), |a| format!(" in the {a} analyzer"));
    format!(
        "analysis stopped after {} (file_timeout){during}: this file's findings may be incomplete",
        crate::config::duration::format_duration(budget.as_secs())
    )
}
