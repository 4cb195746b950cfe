//! The per-file time budget (`file_timeout`, issue 14): a file whose analysis runs past it ends
//! as a `timeout` diagnostic, is counted as failed, and the run goes on with the next file.
//!
//! The budget is cooperative: analyzers call [`tick`] in their loops (the script walker per
//! expression, the config analyzer per entity) and [`check`] between whole passes (the Rust
//! analyzer before each rule). Past the deadline these unwind with [`Expired`], which the engine
//! catches around each file. A single step between two checks (one `syn` parse, one Rust rule's
//! visit of one file) is not interrupted: the chain and nesting guards keep each of those linear.
use std::cell::Cell;
use std::time::{Duration, Instant};

/// The default `file_timeout`.
pub const DEFAULT_FILE_TIMEOUT: Duration = Duration::from_secs(10);

thread_local! {
    static DEADLINE: Cell<Option<Instant>> = const { Cell::new(None) };
    static TICKS: Cell<u32> = const { Cell::new(0) };
}

/// What an analysis that ran out of time unwinds with.
pub struct Expired;

/// Runs `f` with a deadline `budget` from now on this thread (the previous one comes back
/// afterwards, also when `f` unwinds).
pub fn within<T>(budget: Duration, f: impl FnOnce() -> T) -> T {
    struct Restore(Option<Instant>);
    impl Drop for Restore {
        fn drop(&mut self) {
            DEADLINE.set(self.0);
        }
    }
    let _restore = Restore(DEADLINE.replace(Instant::now().checked_add(budget)));
    f()
}

/// Unwinds with [`Expired`] if this thread's deadline has passed.
pub fn check() {
    if DEADLINE.get().is_some_and(|d| Instant::now() >= d) {
        // Not `panic!`: no panic hook runs and nothing is printed.
        std::panic::resume_unwind(Box::new(Expired));
    }
}

/// [`check`], reading the clock once every 256 calls: cheap enough for a walker's inner loop.
pub fn tick() {
    let n = TICKS.get().wrapping_add(1);
    TICKS.set(n);
    if n.is_multiple_of(256) {
        check();
    }
}

/// Whether a caught unwind was the budget running out.
pub fn expired(payload: &(dyn std::any::Any + Send)) -> bool {
    payload.is::<Expired>()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::panic::catch_unwind;

    #[test]
    fn a_spent_budget_unwinds_at_the_next_check_and_is_restored_after() {
        let r = catch_unwind(|| within(Duration::ZERO, check));
        assert!(expired(r.unwrap_err().as_ref()));
        check(); // no deadline outside `within`
        let r = catch_unwind(|| within(Duration::ZERO, || (0..256).for_each(|_| tick())));
        assert!(expired(r.unwrap_err().as_ref()));
        assert_eq!(within(Duration::from_secs(60), || 7), 7);
        let other = catch_unwind(|| within(Duration::from_secs(60), || panic!("bug")));
        assert!(!expired(other.unwrap_err().as_ref()));
    }
}
