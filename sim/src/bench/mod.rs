//! The throughput workloads of `imsim bench` and of the criterion benches in `benches/`, described once.
//!
//! Each workload is a subject (imsim doing a job) beside a baseline (the same job done by the bare tool underneath:
//! turmoil alone, rusqlite alone, or, for time compression, the wall clock itself), both run in the same process,
//! so the ratio of their rates says what imsim costs on whatever machine runs them. Rates are units (messages,
//! deliveries, simulated seconds) per wall-clock second, never per simulated second. Every workload is fixed by its
//! seed, so each iteration does the same work.
//!
//! The wall clock is read here, by [`measure`], and only here: around a whole iteration, never inside a simulation.

pub mod codec;
pub mod conversation_queries;
pub mod report;
pub mod store_queries;
pub mod workloads;

use std::time::{Duration, Instant};

/// One iteration, set up and ready: running it does the measured work and returns how many units it processed.
pub type Prepared = Box<dyn FnOnce() -> u64>;

/// One side of a workload: a name and how to set up an iteration (not timed) before it runs (timed).
pub struct Side {
    /// What runs, in a few words: "imsim", "bare turmoil echo", "raw rusqlite".
    pub label: String,
    /// Sets up one iteration.
    pub prepare: Box<dyn FnMut() -> Prepared>,
}

impl Side {
    pub fn new(label: impl Into<String>, prepare: impl FnMut() -> Prepared + 'static) -> Side {
        Side { label: label.into(), prepare: Box::new(prepare) }
    }
}

/// What a workload's rate is compared with.
pub enum Baseline {
    /// Another piece of code doing the same job, run beside it.
    Run(Side),
    /// The subject of another workload, by name (offline catch-up against store ingestion).
    Workload(String),
    /// The wall clock: a rate of simulated seconds compared with one simulated second per wall second.
    RealTime,
}

/// What a workload counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    Messages,
    Deliveries,
    Frames,
    SimulatedSeconds,
    /// Store queries (a page of history, a search).
    Queries,
}

impl Unit {
    /// The rate's unit, as the report writes it.
    pub fn per_second(self) -> &'static str {
        match self {
            Unit::Messages => "messages/s",
            Unit::Deliveries => "deliveries/s",
            Unit::Frames => "frames/s",
            Unit::SimulatedSeconds => "simulated s/s",
            Unit::Queries => "queries/s",
        }
    }
}

/// One workload: a subject beside its baseline.
pub struct Workload {
    /// The benchmark it answers, as the report groups them: "End to end", "Store ingestion", ...
    pub group: &'static str,
    /// Unique, stable: `end_to_end/10`, `store_ingestion`, ... (the criterion bench IDs and `--filter` use it).
    pub name: String,
    /// One sentence: what the subject does and what the baseline does.
    pub description: String,
    pub unit: Unit,
    /// The least ratio of the subject's rate to the baseline's that the workload is held to, if any.
    pub goal: Option<f64>,
    pub subject: Side,
    pub baseline: Baseline,
}

/// How long to measure each side.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scale {
    /// The figures for the report: sizes as the issue states them, at least `FULL_MEASURE` per side.
    Full,
    /// A quick pass (tests, `imsim bench --quick`): small sizes, one iteration per side.
    Quick,
}

/// The least wall time spent measuring one side at full scale (after one warm-up iteration).
pub const FULL_MEASURE: Duration = Duration::from_secs(3);
/// The fewest timed iterations per side at full scale, however long each takes.
pub const FULL_ITERATIONS_MIN: u32 = 3;

/// A side's measurement: the median rate of its timed iterations.
#[derive(Clone, Debug, PartialEq)]
pub struct Rate {
    /// Units per wall second, the median over the iterations.
    pub per_second: f64,
    /// Units in one iteration.
    pub units: u64,
    pub iterations: u32,
}

/// Runs `side` for a warm-up iteration, then times iterations until `scale` is satisfied, and returns the median
/// rate. Every iteration must process the same number of units (the workloads are fixed by their seed); a side that
/// does not is a broken workload, reported as an error.
pub fn measure(side: &mut Side, scale: Scale) -> Result<Rate, String> {
    let (warm_up, least_time, least_iterations) = match scale {
        Scale::Full => (true, FULL_MEASURE, FULL_ITERATIONS_MIN),
        Scale::Quick => (false, Duration::ZERO, 1),
    };
    if warm_up {
        ((side.prepare)())();
    }
    let mut rates = Vec::new();
    let mut spent = Duration::ZERO;
    let mut units = None;
    while spent < least_time || rates.len() < least_iterations as usize {
        let iteration = (side.prepare)();
        let started = Instant::now(); // determinism: ok, measures a whole iteration from outside it
        let done = iteration();
        let elapsed = started.elapsed();
        if *units.get_or_insert(done) != done {
            return Err(format!("{}: one iteration processed {done} units, another {units:?}", side.label));
        }
        spent += elapsed;
        rates.push(done as f64 / elapsed.as_secs_f64().max(f64::MIN_POSITIVE));
    }
    rates.sort_by(f64::total_cmp);
    let iterations = u32::try_from(rates.len()).unwrap_or(u32::MAX);
    Ok(Rate { per_second: rates[rates.len() / 2], units: units.unwrap_or(0), iterations })
}

/// A workload's result: both rates and their ratio.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    pub group: &'static str,
    pub name: String,
    pub description: String,
    pub unit: Unit,
    pub goal: Option<f64>,
    pub subject_label: String,
    pub subject: Rate,
    pub baseline_label: String,
    /// The baseline's rate (1 for real time).
    pub baseline_per_second: f64,
    /// The subject's rate over the baseline's.
    pub ratio: f64,
}

impl Outcome {
    /// Whether the ratio reaches the goal (true when there is none).
    pub fn meets_goal(&self) -> bool {
        self.goal.is_none_or(|goal| self.ratio >= goal)
    }
}

/// Measures `workloads` in order, calling `progress` before each with its name. A workload whose baseline is
/// another workload's subject uses that workload's measured rate, so it must come after it.
pub fn run_workloads(
    workloads: Vec<Workload>,
    scale: Scale,
    mut progress: impl FnMut(&str),
) -> Result<Vec<Outcome>, String> {
    let mut outcomes: Vec<Outcome> = Vec::new();
    for mut workload in workloads {
        progress(&workload.name);
        let subject = measure(&mut workload.subject, scale)?;
        let (baseline_label, baseline_per_second) = match &mut workload.baseline {
            Baseline::Run(side) => (side.label.clone(), measure(side, scale)?.per_second),
            Baseline::Workload(name) => {
                let other = outcomes
                    .iter()
                    .find(|outcome| outcome.name == *name)
                    .ok_or_else(|| format!("{}: its baseline {name} must be measured before it", workload.name))?;
                (format!("{} ({})", other.subject_label, other.name), other.subject.per_second)
            }
            Baseline::RealTime => ("real time".to_owned(), 1.0),
        };
        outcomes.push(Outcome {
            group: workload.group,
            ratio: subject.per_second / baseline_per_second.max(f64::MIN_POSITIVE),
            name: workload.name,
            description: workload.description,
            unit: workload.unit,
            goal: workload.goal,
            subject_label: workload.subject.label,
            subject,
            baseline_label,
            baseline_per_second,
        });
    }
    Ok(outcomes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counting(units: u64) -> Side {
        Side::new("counter", move || Box::new(move || units))
    }

    #[test]
    fn a_ratio_is_the_subjects_rate_over_the_baselines_and_a_named_baseline_reuses_its_rate() {
        let workloads = vec![
            Workload {
                group: "g",
                name: "first".into(),
                description: String::new(),
                unit: Unit::Messages,
                goal: Some(0.5),
                subject: counting(10),
                baseline: Baseline::RealTime,
            },
            Workload {
                group: "g",
                name: "second".into(),
                description: String::new(),
                unit: Unit::Messages,
                goal: None,
                subject: counting(10),
                baseline: Baseline::Workload("first".into()),
            },
        ];
        let outcomes = run_workloads(workloads, Scale::Quick, |_| {}).expect("measured");
        assert_eq!(outcomes[0].baseline_per_second, 1.0);
        assert_eq!(outcomes[0].ratio, outcomes[0].subject.per_second);
        assert_eq!(outcomes[1].baseline_per_second, outcomes[0].subject.per_second);
        assert_eq!(outcomes[1].baseline_label, "counter (first)");
        assert_eq!(outcomes[0].subject.units, 10);
    }

    #[test]
    fn a_baseline_named_before_it_is_measured_is_an_error() {
        let workloads = vec![Workload {
            group: "g",
            name: "catch-up".into(),
            description: String::new(),
            unit: Unit::Messages,
            goal: None,
            subject: counting(1),
            baseline: Baseline::Workload("ingestion".into()),
        }];
        let error = run_workloads(workloads, Scale::Quick, |_| {}).expect_err("refused");
        assert_eq!(error, "catch-up: its baseline ingestion must be measured before it");
    }

    #[test]
    fn a_side_whose_iterations_do_different_work_is_refused() {
        let mut calls = 0;
        let mut side = Side::new("drifting", move || {
            calls += 1;
            let units = calls;
            Box::new(move || units)
        });
        let error = measure(&mut side, Scale::Full).expect_err("refused");
        assert!(error.starts_with("drifting: one iteration processed"), "{error}");
    }
}
