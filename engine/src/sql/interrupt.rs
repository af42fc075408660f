//! Stopping a running statement: a cancel request from another connection
//! (the wire protocol's CancelRequest) or the session's statement_timeout.
//! Operators check [`Interrupt::check`] as they go through rows.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::error::{SqlError, SqlResult, code};

/// Cancels whatever statement its session is running; cheap to clone and
/// safe to use from any thread.
#[derive(Debug, Clone, Default)]
pub struct CancelHandle(Arc<AtomicBool>);

impl CancelHandle {
    /// Asks the running statement to stop; it fails with 57014.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Release);
    }

    /// Forgets a cancel that arrived while nothing ran.
    pub(crate) fn reset(&self) {
        self.0.store(false, Ordering::Release);
    }

    fn is_set(&self) -> bool {
        self.0.load(Ordering::Acquire)
    }
}

/// What a running statement checks to know whether to stop.
#[derive(Debug, Clone)]
pub struct Interrupt {
    cancel: CancelHandle,
    deadline: Option<Instant>,
}

impl Interrupt {
    /// For a statement starting now, with `timeout_ms` (0: none).
    pub fn new(cancel: CancelHandle, timeout_ms: u64) -> Interrupt {
        Interrupt {
            cancel,
            deadline: (timeout_ms > 0).then(|| Instant::now() + Duration::from_millis(timeout_ms)),
        }
    }

    /// Fails with 57014 if the statement was cancelled or ran out of time.
    pub fn check(&self) -> SqlResult<()> {
        if self.cancel.is_set() {
            return Err(SqlError::new(
                code::QUERY_CANCELED,
                "canceling statement due to user request",
            ));
        }
        if self.deadline.is_some_and(|d| Instant::now() >= d) {
            return Err(SqlError::new(
                code::QUERY_CANCELED,
                "canceling statement due to statement timeout",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cancel_and_timeout_fire() {
        let handle = CancelHandle::default();
        let i = Interrupt::new(handle.clone(), 0);
        assert!(i.check().is_ok());
        handle.cancel();
        assert_eq!(i.check().unwrap_err().code, code::QUERY_CANCELED);
        handle.reset();
        let t = Interrupt::new(handle, 1);
        std::thread::sleep(Duration::from_millis(5));
        assert!(t.check().unwrap_err().message.contains("timeout"));
    }
}
