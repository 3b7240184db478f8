//! `imsim run --jobs N`: scenarios run on N threads, one simulation per thread, and are reported in file order.
//!
//! A simulation never crosses threads (turmoil's hosts, the world and the server are `Rc`s, made and dropped by the
//! thread that runs the scenario), and nothing a run computes depends on which thread runs it or when, so the
//! results, traces and reports are the same whatever N is (`sim/tests/cli.rs` checks it). Results are handed on in
//! file order as soon as every earlier file is done, so output is progressive and identical in order too.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

/// The default number of jobs: the machine's cores.
pub(super) fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

/// Runs `job(i)` for every `i` below `count` on `jobs` threads, and calls `done(i, result)` in the order of `i`, each
/// as soon as it and every earlier one have finished.
pub(super) fn run_in_order<T: Send>(
    count: usize,
    jobs: usize,
    job: impl Fn(usize) -> T + Sync,
    mut done: impl FnMut(usize, T),
) {
    let next = AtomicUsize::new(0);
    let (sender, receiver) = mpsc::channel();
    std::thread::scope(|scope| {
        for _ in 0..jobs.clamp(1, count.max(1)) {
            let sender = sender.clone();
            let (next, job) = (&next, &job);
            scope.spawn(move || {
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    if index >= count || sender.send((index, job(index))).is_err() {
                        return;
                    }
                }
            });
        }
        drop(sender);
        let mut waiting: BTreeMap<usize, T> = BTreeMap::new();
        let mut due = 0;
        for (index, result) in receiver {
            waiting.insert(index, result);
            while let Some(result) = waiting.remove(&due) {
                done(due, result);
                due += 1;
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use std::sync::{Condvar, Mutex};

    use super::*;

    #[test]
    fn one_job_runs_them_in_order() {
        let mut seen = Vec::new();
        run_in_order(5, 1, |index| index * 10, |index, result| seen.push((index, result)));
        assert_eq!(seen, [(0, 0), (1, 10), (2, 20), (3, 30), (4, 40)]);
        let mut none = 0;
        run_in_order(0, 4, |index| index, |_, _| none += 1);
        assert_eq!(none, 0);
    }

    /// Job 0 waits until job 1 has finished, so the results arrive out of order; they are still handed on in order.
    #[test]
    fn results_finished_out_of_order_are_handed_on_in_order() {
        for jobs in [2, 3, 8] {
            let one_done = (Mutex::new(false), Condvar::new());
            let mut seen = Vec::new();
            run_in_order(
                6,
                jobs,
                |index| {
                    let (done, signal) = &one_done;
                    if index == 0 {
                        let mut done = done.lock().expect("not poisoned");
                        while !*done {
                            done = signal.wait(done).expect("not poisoned");
                        }
                    } else if index == 1 {
                        *done.lock().expect("not poisoned") = true;
                        signal.notify_all();
                    }
                    index * 10
                },
                |index, result| seen.push((index, result)),
            );
            assert_eq!(seen, (0..6).map(|index| (index, index * 10)).collect::<Vec<_>>(), "{jobs} jobs");
        }
    }
}
