//! Signals: messages that change another message a device holds (the recall of RECALL-4 and RECALL-11, the
//! expansion changes of EXP-9, EXP-10 and EXP-13) and are themselves never stored, counted or reported.
//!
//! They arrive through the inbox like any message, so they are acknowledged with the inbox cursor. A device applies
//! the signals of a delivery and advances its cursor in one transaction (`Store::apply_signals`), after storing the
//! delivery's messages with the cursor just below the first signal (`persist_received`): a crash between the two
//! brings the signals again rather than losing them, and a signal applied is never applied twice. A signal for a
//! message this device does not hold (or holds already recalled, or with expansion off) changes nothing and reports
//! nothing.

use super::recall::remote_recall_notification;
use super::{Core, Event, Now};
use crate::content::{Signal, signal};
use crate::proto::{self, frame::Body};
use crate::store::SignalChange;

impl Core {
    /// Applies the signals among `delivered` and advances the inbox cursor to `cursor`, in one transaction, and
    /// returns the events that report the changes, for the caller to emit after the delivery's messages. If the
    /// store fails, nothing is acknowledged and the connection is dropped: the server sends the signals again.
    pub(super) fn apply_signals(&mut self, now: Now, delivered: &[proto::DeliveredMessage], cursor: u64) -> Vec<Event> {
        let signals: Vec<(Signal, &str)> = delivered
            .iter()
            .filter_map(|wire| Some((signal(wire.content.as_ref()?)?, wire.sender_user_id.as_str())))
            .collect();
        let changes: Vec<(String, SignalChange)> = signals
            .iter()
            .map(|(signal, operator_id)| {
                let change = match signal {
                    Signal::Recall(command) => SignalChange::Recall(remote_recall_notification(command, operator_id)),
                    Signal::Expansion(command) => SignalChange::Expansion {
                        updated: command.updated.clone().into_iter().collect(),
                        removed_keys: command.removed_keys.clone(),
                    },
                };
                (signal.message_uid().to_owned(), change)
            })
            .collect();
        let Some((_, store)) = self.store.as_mut() else { return Vec::new() };
        let Ok(applied) = store.apply_signals(&changes, cursor) else {
            self.drop_transport(now);
            return Vec::new();
        };
        self.queue_frame(Body::InboxAck(proto::InboxAck { cursor }));
        let mut events = Vec::new();
        for ((signal, _), message) in signals.into_iter().zip(applied) {
            let Some(message) = message else { continue };
            match signal {
                Signal::Recall(_) => {
                    crate::mark!("RECALL-4");
                    crate::mark!("RECALL-11");
                    events.push(Event::RemoteMessageRecalled { message });
                }
                Signal::Expansion(command) => {
                    // Applied, never stored, counted or reported as a message itself.
                    crate::mark!("EXP-13");
                    crate::mark!("EXP-14");
                    if !command.updated.is_empty() {
                        crate::mark!("EXP-9");
                        let expansion = command.updated.into_iter().collect();
                        events.push(Event::RemoteMessageExpansionUpdated { expansion, message: message.clone() });
                    }
                    if !command.removed_keys.is_empty() {
                        crate::mark!("EXP-10");
                        events.push(Event::RemoteMessageExpansionForKeyRemoved { message, keys: command.removed_keys });
                    }
                }
            }
        }
        events
    }
}
