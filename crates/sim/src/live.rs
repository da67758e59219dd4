//! The world as the running servers share it: one `World` behind a mutex, moved to the
//! simulated clock's now whenever someone looks at it.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use chrono::{DateTime, Utc};

use crate::clock::SimClock;
use crate::world::World;

#[derive(Debug, Clone)]
pub struct LiveWorld {
    world: Arc<Mutex<World>>,
    clock: SimClock,
    /// How many of `World::skipped` have been logged; only changed under the world's lock.
    skipped_logged: Arc<AtomicUsize>,
}

impl LiveWorld {
    pub fn new(world: Arc<Mutex<World>>, clock: SimClock) -> LiveWorld {
        LiveWorld {
            world,
            clock,
            skipped_logged: Arc::new(AtomicUsize::new(0)),
        }
    }

    pub fn clock(&self) -> SimClock {
        self.clock
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// The shared world, for callers that take actions on it.
    pub fn world(&self) -> &Arc<Mutex<World>> {
        &self.world
    }

    /// Locks the world once every event due by the clock's now has happened, logging scripted
    /// events that no longer applied.
    pub fn advance(&self) -> MutexGuard<'_, World> {
        self.advance_to(self.now())
    }

    /// As [`LiveWorld::advance`], to a given instant.
    pub fn advance_to(&self, now: DateTime<Utc>) -> MutexGuard<'_, World> {
        // A panic elsewhere while holding the lock leaves a world that is still consistent
        // event by event, so serving it beats failing every later request.
        let mut world = self.world.lock().unwrap_or_else(PoisonError::into_inner);
        world.advance_to(now);
        let logged = self.skipped_logged.load(Ordering::Relaxed);
        let skipped = world.skipped();
        for line in skipped.iter().skip(logged) {
            tracing::warn!(target: "opsdeck_sim", "{line}");
        }
        self.skipped_logged
            .store(skipped.len().max(logged), Ordering::Relaxed);
        world
    }
}

#[cfg(test)]
mod tests {
    use std::io;

    use chrono::{NaiveDate, TimeZone};

    use super::*;
    use crate::scenario::bundled_day;

    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl io::Write for Captured {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().expect("buffer").extend_from_slice(buf);
            Ok(buf.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 5, 4, h, m, 0)
            .single()
            .expect("valid")
    }

    #[test]
    fn skipped_events_are_logged_once_as_they_happen() {
        let date = NaiveDate::from_ymd_opt(2026, 5, 4).expect("date");
        let world = Arc::new(Mutex::new(World::new(Arc::new(bundled_day()), date)));
        let live = LiveWorld::new(Arc::clone(&world), SimClock::frozen(at(5, 48)));
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        tracing::subscriber::with_default(subscriber, || {
            live.advance()
                .resolve("Q0PAY0001", "sam.okafor@example.test", at(5, 48))
                .expect("resolves");
            // The scripted 05:52 acknowledgement no longer applies.
            drop(live.advance_to(at(6, 0)));
            drop(live.advance_to(at(6, 30)));
        });
        let text = String::from_utf8(captured.0.lock().expect("buffer").clone()).expect("utf-8");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 1, "{text}");
        assert!(lines[0].contains("WARN"), "{text}");
        assert!(
            lines[0].contains("skipped: acknowledge Q0PAY0001"),
            "{text}"
        );
    }
}
