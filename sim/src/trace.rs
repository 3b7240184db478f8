//! The canonical trace of a run: one line per scenario step and per engine event, stamped with simulated time.
//!
//! The trace is the product's evidence. It is snapshotted for canonical scenarios and hashed to prove that a seed
//! reproduces a run byte for byte, so it contains nothing the seed does not determine: no wall time, no paths, no
//! addresses. Lines look like
//!
//! ```text
//!      0.003 a        event connected code=0 user=zhangsan
//! ```
//!
//! (seconds.milliseconds of simulated time, the actor, the text).

use std::fmt::Write as _;
use std::time::Duration;

use imsim_engine::Message;
use imsim_engine::core::Event;
use sha2::{Digest as _, Sha256};

use crate::scenario::pattern::render;

/// The lines of one run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Trace {
    lines: Vec<String>,
}

impl Trace {
    /// Appends a line for `actor` at simulated time `at`.
    pub fn record(&mut self, at: Duration, actor: &str, text: &str) {
        let millis = at.as_millis();
        self.lines.push(format!("{:>6}.{:03} {actor:<8} {text}", millis / 1_000, millis % 1_000));
    }

    /// The lines so far.
    pub fn lines(&self) -> &[String] {
        &self.lines
    }

    /// The whole trace as text, one line each, newline-terminated.
    pub fn render(&self) -> String {
        let mut text = String::new();
        for line in &self.lines {
            text.push_str(line);
            text.push('\n');
        }
        text
    }

    /// SHA-256 of `render()`, in hex: equal hashes mean byte-identical traces.
    pub fn hash(&self) -> String {
        let digest = Sha256::digest(self.render().as_bytes());
        digest.iter().fold(String::with_capacity(64), |mut hex, byte| {
            let _ = write!(hex, "{byte:02x}");
            hex
        })
    }
}

/// Whether `event`'s listener is `name` without its `on` (`messageReceived`), as the older event checks name it;
/// compared in place, since a check asks it of every event it scans.
pub fn is_event_named(event: &Event, name: &str) -> bool {
    let listener = event.listener().trim_start_matches("on");
    listener.len() == name.len() && listener[..1].eq_ignore_ascii_case(&name[..1]) && listener[1..] == name[1..]
}

/// One canonical line for an event: `event` and its listener, then its parameters as the serialised event has them,
/// `key=value` in the manual's order (values as [`render`] shows them).
pub fn describe_event(event: &Event) -> String {
    let value = serde_json::to_value(event).unwrap_or_default();
    let mut line = format!("event {}", event.listener());
    for (key, value) in value.as_object().into_iter().flatten().filter(|(key, _)| *key != "event") {
        let _ = write!(line, " {key}={}", render(value));
    }
    line
}

/// One canonical rendering of a message: its serialised form.
pub fn describe_message(message: &Message) -> String {
    render(&serde_json::to_value(message).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_stamped_with_simulated_seconds_and_millis() {
        let mut trace = Trace::default();
        trace.record(Duration::from_millis(3), "a", "event x");
        trace.record(Duration::from_millis(61_250), "step", "advance 1s");
        assert_eq!(trace.render(), "     0.003 a        event x\n    61.250 step     advance 1s\n");
    }

    #[test]
    fn equal_traces_hash_equal_and_different_ones_do_not() {
        let mut first = Trace::default();
        first.record(Duration::ZERO, "a", "x");
        let mut second = first.clone();
        assert_eq!(first.hash(), second.hash());
        assert_eq!(first.hash().len(), 64);
        second.record(Duration::ZERO, "a", "y");
        assert_ne!(first.hash(), second.hash());
    }
}
