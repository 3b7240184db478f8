//! # imsim-sim
//!
//! imsim's simulator: everything around the real engine that makes a deterministic conformance run.
//!
//! - [`server`]: the fake IM service as a sans-I/O core (tokens, sessions, per-user inboxes), plus the App Server
//!   API an app's own server would call; [`server_host`] puts it behind a turmoil TCP listener.
//! - [`net`]: the one place a turmoil simulation is built, with its seed and epoch pinned.
//! - [`device`]: a simulated device, the real engine on a turmoil host; [`world`]: what the runner and the hosts
//!   share.
//! - [`check`]: the checkers, invariants judged from a whole run's history (the server's wire, the devices' events
//!   and databases), run after every scenario.
//! - [`hostile`]: a peer that speaks the wire protocol badly, added by a scenario step or an explored world.
//! - [`wakes`]: when each host's next timer is due, so the runner can jump over idle time.
//! - [`bench`]: the throughput workloads of `imsim bench` and the criterion benches, each beside its baseline.
//! - [`scenario`]: the YAML scenario format and its parser; [`runner`] runs one scenario; [`expect`] checks its
//!   expectations; [`trace`] is the canonical trace; [`report`] the conformance report; [`cli`] the `imsim` tool;
//!   [`spec`] the rules of the behaviour spec (`docs/spec/`).

pub mod api_mapping;
pub mod bench;
pub mod check;
pub mod cli;
pub mod device;
pub mod expect;
pub mod explore;
pub mod hostile;
pub mod ledger;
pub mod markers;
pub mod net;
pub mod report;
pub mod runner;
pub mod scenario;
pub mod server;
pub mod server_host;
pub mod spec;
pub mod trace;
pub mod wakes;
pub mod world;
