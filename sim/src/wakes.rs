//! Jumping over idle time: when every host of the simulation is asleep, the runner steps straight to the earliest
//! instant at which one of them has a timer due, instead of one tick at a time.
//!
//! turmoil steps a simulation by a fixed tick and a tick costs the same whether anything happens in it or not, so an
//! hour of an idle chatroom at 1 ms a tick is 3.6 million steps. Most of those steps are empty: nothing is on the
//! network, the runner has nothing to hand to a host, and every host waits on a timer that is seconds away. Each
//! host says here when its earliest timer is due (the engine's driver through `Clock::next_timer`, the server's host
//! directly), and the runner (`Run::step_toward`) jumps to the earliest of them with one `Sim::step_by` (the
//! vendored turmoil's one addition). Within that step every runtime still fires its timers at their own instants,
//! so a jump is the same run as the ticks it replaces: the traces of every scenario are identical either way, which
//! the scenario snapshots hold the runner to.
//!
//! A host that is not in this table (a hostile peer, which keeps its own timeouts) forbids jumps while it runs; the
//! runner checks that itself.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use std::time::Duration;

/// A host task that sleeps on timers and says when they are due.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Sleeper {
    /// The fake server's host (`Server::poll_timeout`).
    Server,
    /// The driver of one engine of a device: the device's host boot and the engine's generation within it (ENG-6
    /// creates another engine on the same boot).
    Engine { device: String, boot: u32, generation: u64 },
}

/// When each sleeper's earliest timer is due, in simulated time since the start of the run.
#[derive(Debug, Default)]
pub struct Wakes {
    due: BTreeMap<Sleeper, Duration>,
}

/// The table, shared by the runner and the hosts.
pub type SharedWakes = Rc<RefCell<Wakes>>;

impl Wakes {
    /// `sleeper` now waits for a timer due at `due` (simulated time since the start), or on no timer at all.
    pub fn set(&mut self, sleeper: Sleeper, due: Option<Duration>) {
        match due {
            Some(due) => {
                self.due.insert(sleeper, due);
            }
            None => {
                self.due.remove(&sleeper);
            }
        }
    }

    /// The host of `device` crashed: its engines' timers died with it.
    pub fn forget_device(&mut self, device: &str) {
        self.due.retain(|sleeper, _| !matches!(sleeper, Sleeper::Engine { device: name, .. } if name == device));
    }

    /// The server's host crashed: its timers died with it.
    pub fn forget_server(&mut self) {
        self.due.remove(&Sleeper::Server);
    }

    /// The earliest instant at which any sleeper has a timer due.
    pub fn earliest(&self) -> Option<Duration> {
        self.due.values().min().copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn engine(device: &str, generation: u64) -> Sleeper {
        Sleeper::Engine { device: device.to_owned(), boot: 1, generation }
    }

    #[test]
    fn the_earliest_timer_of_all_sleepers_wins_and_no_timer_is_no_bound() {
        let mut wakes = Wakes::default();
        assert_eq!(wakes.earliest(), None);
        wakes.set(Sleeper::Server, Some(Duration::from_secs(5)));
        wakes.set(engine("a", 0), Some(Duration::from_secs(3)));
        wakes.set(engine("b", 0), None);
        assert_eq!(wakes.earliest(), Some(Duration::from_secs(3)));
        wakes.set(engine("a", 0), None);
        assert_eq!(wakes.earliest(), Some(Duration::from_secs(5)));
    }

    #[test]
    fn a_crash_forgets_only_that_hosts_timers() {
        let mut wakes = Wakes::default();
        wakes.set(engine("a", 0), Some(Duration::from_secs(1)));
        wakes.set(engine("a", 1), Some(Duration::from_secs(2)));
        wakes.set(engine("ab", 0), Some(Duration::from_secs(4)));
        wakes.set(Sleeper::Server, Some(Duration::from_secs(3)));
        wakes.forget_device("a");
        assert_eq!(wakes.earliest(), Some(Duration::from_secs(3)));
        wakes.forget_server();
        assert_eq!(wakes.earliest(), Some(Duration::from_secs(4)));
    }
}
