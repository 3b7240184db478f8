//! Expectations: stepping the simulation until a check holds (or a period passes without an event), and the checks
//! themselves, against a device's events, calls, database and KV copy. Event and call checks consume a device's
//! events and calls in order (see the runner's module documentation).

use std::time::Duration;

use imsim_engine::ConnectionStatus;
use imsim_engine::store::Store as _;

use super::{Run, STORE_REREAD_PERIOD};
use crate::expect::{
    check_call, check_entries, check_stored, describe_missing_listener_event, event_matches, find_listener_event,
};
use crate::scenario::{Check, EntriesRead, Expectation, Pattern, StatusesExpectation, StoredContents, format_duration};
use crate::trace::describe_event;
use crate::world::DeviceCommand;

impl Run<'_> {
    /// Lets `period` pass and fails if `device` emitted an event of `listener` matching `pattern` in the check's
    /// window: since the step that acted before it (`crate::scenario::negative_windows`), leaving out the events a
    /// positive check matched.
    pub(super) fn expect_no_event(
        &mut self,
        device: &str,
        listener: &str,
        pattern: &Pattern,
        period: Duration,
        since: Option<&str>,
    ) -> Result<(), String> {
        let window = self.window_of(since)?;
        let first = window.events.get(device).copied().unwrap_or(0);
        self.advance(period)?;
        let world = self.world.borrow();
        let events = world.devices.get(device).map(|log| log.events.as_slice()).unwrap_or_default();
        let matched = self.matched_events.get(device);
        let unexpected = (first..events.len())
            .filter(|index| !matched.is_some_and(|matched| matched.contains(index)))
            .find(|&index| event_matches(&events[index].1, listener, pattern, &world.kept));
        match unexpected {
            Some(index) => Err(format!(
                "{device} emitted {} at {}ms, within the window in which none was expected (from {}, {}ms, to {} \
                 after the check began)",
                describe_event(&events[index].1),
                events[index].0.as_millis(),
                window.opened_by,
                window.opened_at.as_millis(),
                format_duration(period)
            )),
            None => Ok(()),
        }
    }

    /// Steps the simulation until `expectation` holds, or fails once its `within` has passed, saying what the last
    /// check saw.
    pub(super) fn expect(&mut self, expectation: &Expectation) -> Result<(), String> {
        let deadline = self.sim.elapsed() + expectation.within;
        if let Check::Entries { .. } = expectation.check {
            // A fresh read for this check: nothing in flight, no earlier result.
            self.entries_read_sent = false;
            self.world.borrow_mut().device_mut(&expectation.device).entries_read = None;
        }
        // Stored messages (and so unread counts) mostly change along with an event, so the database is re-read
        // after new events, and otherwise every `STORE_REREAD_PERIOD` (a chatroom kick purges a room's messages
        // without any event, CR-30).
        let mut events_seen = None;
        let mut read_at = self.sim.elapsed();
        self.events_scanned = 0;
        // Why the last check that was made did not hold: what a failure reports, even when the final tick made
        // no check (a database not re-read, a read not answered yet).
        let mut observed: Option<String> = None;
        loop {
            let events_now = self.event_count(&expectation.device);
            let now = self.sim.elapsed();
            // An event check explains a miss only on its last tick: the explanation reads every event since the
            // last match, which must not happen on every tick of a long burst.
            self.last_check = now + self.tick > deadline;
            let verdict = match &expectation.check {
                Check::Stored { .. } | Check::Unread { .. }
                    if events_seen == Some(events_now) && now < read_at + STORE_REREAD_PERIOD =>
                {
                    None
                }
                _ => {
                    read_at = now;
                    self.check(expectation)
                }
            };
            events_seen = Some(events_now);
            match verdict {
                Some(Ok(())) => {
                    self.world.borrow_mut().trace.record(self.sim.elapsed(), "step", "expect held");
                    return Ok(());
                }
                Some(Err(why)) => observed = Some(why),
                None => {}
            }
            if self.sim.elapsed() + self.tick > deadline {
                let observed = observed.unwrap_or_else(|| match &expectation.check {
                    Check::Entries { room, .. } => {
                        format!("{} never answered a read of chatroom {room:?}'s entries", expectation.device)
                    }
                    _ => "nothing could be checked in that time".to_owned(),
                });
                return Err(format!("expectation not met within {}: {observed}", format_duration(expectation.within)));
            }
            // A database re-read is due at its period even when nothing else happens.
            let next_check = match &expectation.check {
                Check::Stored { .. } | Check::Unread { .. } => deadline.min(read_at + STORE_REREAD_PERIOD),
                _ => deadline,
            };
            self.step_toward(next_check)?;
        }
    }

    /// Steps the simulation until the devices' statuses are the expected ones in some order, or fails once its
    /// `within` has passed.
    pub(super) fn expect_statuses(&mut self, expectation: &StatusesExpectation) -> Result<(), String> {
        let deadline = self.sim.elapsed() + expectation.within;
        loop {
            let actual: Vec<ConnectionStatus> = {
                let world = self.world.borrow();
                expectation
                    .devices
                    .iter()
                    .map(|device| world.devices.get(device).map_or(ConnectionStatus::Unconnected, |log| log.status))
                    .collect()
            };
            if expectation.holds(&actual) {
                self.world.borrow_mut().trace.record(self.sim.elapsed(), "step", "expect held");
                return Ok(());
            }
            if self.sim.elapsed() + self.tick > deadline {
                let have: Vec<String> = expectation
                    .devices
                    .iter()
                    .zip(&actual)
                    .map(|(device, status)| format!("{device} {status}"))
                    .collect();
                return Err(format!(
                    "expectation not met within {:?}: the statuses are {}",
                    expectation.within,
                    have.join(", ")
                ));
            }
            self.step_toward(deadline)?;
        }
    }

    /// Keeps a matched event under `name`: an event with a message keeps the message, which later calls take
    /// (`$name`); any other the event.
    fn keep(&mut self, name: &str, value: serde_json::Value) {
        let kept = match value.get("message") {
            Some(message) => message.clone(),
            None => value,
        };
        self.world.borrow_mut().kept.insert(name.to_owned(), kept);
    }

    fn event_count(&self, device: &str) -> usize {
        self.world.borrow().devices.get(device).map_or(0, |log| log.events.len())
    }

    /// One check of `expectation`: `None` when there is nothing new to judge (an entries read not answered yet).
    fn check(&mut self, expectation: &Expectation) -> Option<Result<(), String>> {
        match &expectation.check {
            Check::Entries { room, read } => self.poll_entries(&expectation.device, room, read),
            _ => Some(self.check_now(expectation)),
        }
    }

    fn check_now(&mut self, expectation: &Expectation) -> Result<(), String> {
        let device = &expectation.device;
        let world = self.world.borrow();
        let log = world.devices.get(device).ok_or_else(|| format!("no device {device}"))?;
        match &expectation.check {
            Check::Status(status) => {
                if log.status == *status {
                    Ok(())
                } else {
                    Err(format!("{device} has status {}, expected {status}", log.status))
                }
            }
            Check::Event { listener, pattern, keep_as, times: times @ 2.. } => {
                let times = *times as usize;
                let cursor = self.event_cursors.get(device).copied().unwrap_or(0);
                let mut matches = Vec::new();
                let mut from = cursor;
                while matches.len() < times {
                    let Some((matched, value)) = find_listener_event(&log.events, from, listener, pattern, &world.kept)
                    else {
                        break;
                    };
                    matches.push((matched, value));
                    from = matched + 1;
                }
                drop(world);
                if matches.len() < times {
                    return Err(format!(
                        "{} of the {times} matching {listener} events since the last match so far",
                        matches.len()
                    ));
                }
                self.event_cursors.insert(device.clone(), from);
                self.matched_events.entry(device.clone()).or_default().extend(matches.iter().map(|(index, _)| *index));
                if let (Some(name), Some((_, value))) = (keep_as, matches.pop()) {
                    self.keep(name, value);
                }
                Ok(())
            }
            Check::Event { listener, pattern, keep_as, .. } | Check::Callback { listener, pattern, keep_as } => {
                // A callback's results are a sequence of their own, consumed in order like the listeners' events.
                let by_callback = matches!(expectation.check, Check::Callback { .. });
                let (events, cursors) = if by_callback {
                    (&log.callback_events, &self.callback_cursors)
                } else {
                    (&log.events, &self.event_cursors)
                };
                let cursor = cursors.get(device).copied().unwrap_or(0);
                let scanned = events.len();
                let from = cursor.max(self.events_scanned);
                let Some((matched, value)) = find_listener_event(events, from, listener, pattern, &world.kept) else {
                    let why = if self.last_check {
                        describe_missing_listener_event(events, cursor, listener, pattern, &world.kept)
                    } else {
                        format!("no matching {listener} event yet")
                    };
                    drop(world);
                    self.events_scanned = scanned;
                    return Err(why);
                };
                drop(world);
                let cursors = if by_callback { &mut self.callback_cursors } else { &mut self.event_cursors };
                cursors.insert(device.clone(), matched + 1);
                if !by_callback {
                    self.matched_events.entry(device.clone()).or_default().insert(matched);
                }
                if let Some(name) = keep_as {
                    self.keep(name, value);
                }
                Ok(())
            }
            Check::NoEvent { .. } => Err("no_event is checked over a period, not polled".to_owned()),
            Check::Unread { conversation, count } => {
                let store = self.open_device_store(device)?;
                let (actual, what) = match conversation {
                    Some((conversation_type, target_id)) => (
                        store.unread_count_of_target(*conversation_type, target_id),
                        format!("{conversation_type}:{target_id}"),
                    ),
                    None => (store.total_unread_count(), "all conversations".to_owned()),
                };
                let actual = actual.map_err(|e| format!("cannot read {device}'s database: {e}"))?;
                if actual == *count {
                    Ok(())
                } else {
                    Err(format!("{device} counts {actual} unread in {what}, expected {count}"))
                }
            }
            Check::Stored { conversation_type, target_id, contents } => {
                let store = self.open_device_store(device)?;
                let unreadable = |e| format!("cannot read {device}'s database: {e}");
                match contents {
                    StoredContents::Messages(messages) => {
                        let stored = store.conversation_messages(*conversation_type, target_id).map_err(unreadable)?;
                        check_stored(&stored, messages)
                    }
                    StoredContents::Count(count) => {
                        // Counted by SQLite: a check polled on every tick must not read every message each time.
                        let stored =
                            store.conversation_message_count(*conversation_type, target_id).map_err(unreadable)?;
                        if stored == *count as u64 {
                            Ok(())
                        } else {
                            Err(format!(
                                "{device} stores {stored} messages of {conversation_type}:{target_id}, expected {count}"
                            ))
                        }
                    }
                }
            }
            Check::Call { method, code } => {
                let cursor = self.call_cursors.get(device).copied().unwrap_or(0);
                let matched = check_call(&log.calls, cursor, method, *code)?;
                drop(world);
                self.call_cursors.insert(device.clone(), matched + 1);
                Ok(())
            }
            Check::Entries { .. } => Err("entries are read by poll_entries".to_owned()),
        }
    }

    /// One poll of an `entries` check: asks the device for a read when none is in flight, and judges the result of
    /// the last one when it has come (a wrong result asks for a new read, so the check holds once the copy does).
    /// `None` while no result has come.
    fn poll_entries(&mut self, device: &str, room: &str, read: &EntriesRead) -> Option<Result<(), String>> {
        let result = self.world.borrow_mut().device_mut(device).entries_read.take();
        let verdict = match result {
            Some(result) => {
                self.entries_read_sent = false;
                Some(check_entries(device, room, read, result))
            }
            None if self.entries_read_sent => return None,
            None => None,
        };
        if !matches!(verdict, Some(Ok(()))) {
            let key = match read {
                EntriesRead::All(_) | EntriesRead::Fails { key: None, .. } => None,
                EntriesRead::Entry { key, .. } | EntriesRead::Fails { key: Some(key), .. } => Some(key.clone()),
            };
            if let Err(why) = self.command(device, DeviceCommand::ReadEntries { room: room.to_owned(), key }) {
                return Some(Err(why));
            }
            self.entries_read_sent = true;
        }
        verdict
    }
}
