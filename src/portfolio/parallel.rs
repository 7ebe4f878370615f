//! Work on every core, results in input order, memory bounded.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, mpsc};

/// Results finished ahead of the next one due are held until it arrives;
/// a worker waits rather than run more than this far ahead, so one slow
/// input (a large manifest) cannot make the others pile up.
const AHEAD: usize = 256;

/// Calls `work` on every input on `threads` threads and hands the results
/// to `sink` on the calling thread, in the order of `inputs`. The first
/// error of `sink` stops the work and is returned.
pub fn in_order<I, O, E>(
    inputs: &[I],
    threads: usize,
    work: impl Fn(&I) -> O + Sync,
    mut sink: impl FnMut(O) -> Result<(), E>,
) -> Result<(), E>
where
    I: Sync,
    O: Send,
{
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    // The index of the next result `sink` takes. The mutex (counting the
    // workers waiting) and condition variable are only for a worker that
    // has got too far ahead of it.
    let done = AtomicUsize::new(0);
    let waiting_room = Mutex::new(0usize);
    let moved = Condvar::new();
    let (tx, rx) = mpsc::channel::<(usize, O)>();
    std::thread::scope(|scope| {
        for _ in 0..threads.max(1) {
            let tx = tx.clone();
            let (next, stop, done, moved, work) = (&next, &stop, &done, &moved, &work);
            let waiting_room = &waiting_room;
            scope.spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= inputs.len() {
                        break;
                    }
                    // The input due next is always within reach, so some
                    // worker can always go on.
                    if i >= done.load(Ordering::Acquire) + AHEAD {
                        let mut waiting = waiting_room.lock().unwrap_or_else(|e| e.into_inner());
                        *waiting += 1;
                        // Checked again under the lock: the sink's thread
                        // moves `done`, then takes the lock to see who waits.
                        while i >= done.load(Ordering::Acquire) + AHEAD
                            && !stop.load(Ordering::Relaxed)
                        {
                            waiting = moved.wait(waiting).unwrap_or_else(|e| e.into_inner());
                        }
                        *waiting -= 1;
                    }
                    if stop.load(Ordering::Relaxed) || tx.send((i, work(&inputs[i]))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        let mut early = BTreeMap::new();
        let mut due = 0;
        let mut result = Ok(());
        for (i, out) in &rx {
            early.insert(i, out);
            while let Some(out) = early.remove(&due) {
                if let Err(e) = sink(out) {
                    result = Err(e);
                    break;
                }
                due += 1;
            }
            if result.is_err() {
                break;
            }
            done.store(due, Ordering::Release);
            if *waiting_room.lock().unwrap_or_else(|e| e.into_inner()) > 0 {
                moved.notify_all();
            }
        }
        if result.is_err() {
            stop.store(true, Ordering::Relaxed);
            let _waiting = waiting_room.lock().unwrap_or_else(|e| e.into_inner());
            moved.notify_all();
            // Workers still sending find the channel closed and stop.
            drop(rx);
        }
        result
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_in_input_order_whatever_finishes_first() {
        let inputs: Vec<u64> = (0..2_000).collect();
        let mut seen = Vec::new();
        in_order(
            &inputs,
            4,
            |&i| {
                // Early inputs are the slow ones.
                if i % 97 == 0 {
                    std::thread::sleep(std::time::Duration::from_millis(2));
                }
                i * 2
            },
            |o| {
                seen.push(o);
                Ok::<(), ()>(())
            },
        )
        .unwrap();
        assert_eq!(seen, inputs.iter().map(|i| i * 2).collect::<Vec<_>>());
    }

    #[test]
    fn the_sinks_error_stops_the_work() {
        let inputs: Vec<u32> = (0..100_000).collect();
        let calls = AtomicUsize::new(0);
        let r = in_order(
            &inputs,
            3,
            |&i| {
                calls.fetch_add(1, Ordering::Relaxed);
                i
            },
            |o| if o == 10 { Err(o) } else { Ok(()) },
        );
        assert_eq!(r, Err(10));
        assert!(calls.load(Ordering::Relaxed) < 10 + AHEAD + 3 + 1);
    }
}
