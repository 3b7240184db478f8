//! Signals: messages that change another message a device holds (the recall of RECALL-4 and RECALL-11, the
//! expansion changes of EXP-9, EXP-10 and EXP-13, read receipts of RCPT and GRCPT) and are themselves never stored,
//! counted or reported as messages.
//!
//! They arrive through the inbox like any message, so they are acknowledged with the inbox cursor. A device applies
//! the signals of a delivery and advances its cursor in one transaction (`Store::apply_signals`), after storing the
//! delivery's messages with the cursor just below the first signal (`persist_received`): a crash between the two
//! brings the signals again rather than losing them, and a signal applied is never applied twice. A recall or an
//! expansion change of a message this device does not hold (or holds already recalled, or with expansion off)
//! changes nothing and reports nothing; a read receipt, a request for receipts and the responses to one are
//! reported whatever this device holds, since they are news about the conversation, not only about a copy.

use super::recall::remote_recall_notification;
use super::{Core, Event, Now};
use crate::content::{Signal, signal};
use crate::proto::{self, frame::Body};
use crate::store::{ReceiptChange, SignalChange};
use crate::types::ConversationType;

impl Core {
    /// Applies the signals among `delivered` and advances the inbox cursor to `cursor`, in one transaction, and
    /// returns the events that report the changes, for the caller to emit after the delivery's messages. If the
    /// store fails, nothing is acknowledged and the connection is dropped: the server sends the signals again.
    pub(super) fn apply_signals(&mut self, now: Now, delivered: &[proto::DeliveredMessage], cursor: u64) -> Vec<Event> {
        let signals: Vec<(Signal, &proto::DeliveredMessage)> =
            delivered.iter().filter_map(|wire| Some((signal(wire.content.as_ref()?)?, wire))).collect();
        let changes: Vec<(String, SignalChange)> = signals
            .iter()
            .map(|(signal, wire)| {
                let change = match signal {
                    Signal::Recall(command) => {
                        SignalChange::Recall(remote_recall_notification(command, &wire.sender_user_id))
                    }
                    Signal::Expansion(command) => SignalChange::Expansion {
                        updated: command.updated.clone().into_iter().collect(),
                        removed_keys: command.removed_keys.clone(),
                    },
                    Signal::PrivateReadReceipt(receipt) => {
                        SignalChange::PrivateReadReceipt { peer: wire.sender_user_id.clone(), up_to: receipt.timestamp }
                    }
                    Signal::GroupReceiptRequest(_) => SignalChange::Nothing,
                    Signal::ReadStatusSync(sync) => match ConversationType::from_ordinal(wire.conversation_type) {
                        Some(ConversationType::UltraGroup) => {
                            // RSYNC-4, UG-31, UG-32: every message of the channel is read, whatever the timestamp.
                            crate::mark!("UG-32");
                            SignalChange::ReadStatus {
                                conversation_type: ConversationType::UltraGroup,
                                target_id: wire.target_id.clone(),
                                channel_id: Some(sync.channel_id.clone()).filter(|channel| !channel.is_empty()),
                                up_to: i64::MAX,
                            }
                        }
                        Some(conversation_type) => SignalChange::ReadStatus {
                            conversation_type,
                            target_id: wire.target_id.clone(),
                            channel_id: None,
                            up_to: sync.timestamp,
                        },
                        None => SignalChange::Nothing,
                    },
                    Signal::GroupReceiptResponse(response) => SignalChange::GroupReceipt(ReceiptChange::Responses(
                        response.respond_user_ids.clone().into_iter().collect(),
                    )),
                };
                (signal.message_uid().to_owned(), change)
            })
            .collect();
        let signals: Vec<(Signal, String, u32)> = signals
            .into_iter()
            .map(|(signal, wire)| (signal, wire.target_id.clone(), wire.conversation_type))
            .collect();
        let Some((_, store)) = self.store.as_mut() else { return Vec::new() };
        let Ok(applied) = store.apply_signals(&changes, cursor) else {
            self.drop_transport(now);
            return Vec::new();
        };
        self.queue_frame(Body::InboxAck(proto::InboxAck { cursor }));
        let mut events = Vec::new();
        for ((signal, target_id, conversation_type), message) in signals.into_iter().zip(applied) {
            match (signal, message) {
                (Signal::ReadStatusSync(sync), _) => {
                    let Some(conversation_type) = ConversationType::from_ordinal(conversation_type) else { continue };
                    crate::mark!("RSYNC-3");
                    crate::mark!("RSYNC-6");
                    if conversation_type == ConversationType::UltraGroup {
                        crate::mark!("RSYNC-4");
                    }
                    let timestamp = sync.timestamp;
                    events.push(Event::ConversationReadStatusSyncMessageReceived {
                        conversation_type,
                        target_id,
                        timestamp,
                    });
                }
                (Signal::PrivateReadReceipt(receipt), _) => {
                    crate::mark!("RCPT-1");
                    crate::mark!("RCPT-3");
                    crate::mark!("RCPT-5");
                    let timestamp = receipt.timestamp;
                    events.push(Event::PrivateReadReceiptReceived { target_id, channel_id: None, timestamp });
                }
                (Signal::GroupReceiptRequest(request), _) => {
                    crate::mark!("GRCPT-3");
                    let message_uid = request.message_uid;
                    events.push(Event::GroupMessageReadReceiptRequestReceived { target_id, message_uid });
                }
                (Signal::GroupReceiptResponse(response), _) => {
                    crate::mark!("GRCPT-5");
                    let (message_uid, respond_user_ids) = (response.message_uid, response.respond_user_ids);
                    let respond_user_ids = respond_user_ids.into_iter().collect();
                    events.push(Event::GroupMessageReadReceiptResponseReceived {
                        target_id,
                        message_uid,
                        respond_user_ids,
                    });
                }
                (_, None) => {}
                (Signal::Recall(_), Some(message)) => {
                    crate::mark!("RECALL-4");
                    crate::mark!("RECALL-11");
                    events.push(Event::RemoteMessageRecalled { message });
                }
                (Signal::Expansion(command), Some(message)) => {
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
