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

use imsim_engine::core::Event;
use imsim_engine::{Message, MessageContent};
use sha2::{Digest as _, Sha256};

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

/// The manual's listener name of an event (without `on`), as scenarios name it.
pub fn event_name(event: &Event) -> &'static str {
    match event {
        Event::DatabaseOpened { .. } => "databaseOpened",
        Event::Connected { .. } => "connected",
        Event::ConnectionStatusChanged { .. } => "connectionStatusChanged",
        Event::MessageAttached { .. } => "messageAttached",
        Event::MessageSent { .. } => "messageSent",
        Event::MessageReceived { .. } => "messageReceived",
        Event::OfflineMessageSyncCompleted => "offlineMessageSyncCompleted",
        Event::BlacklistAdded { .. } => "blacklistAdded",
        Event::BlacklistRemoved { .. } => "blacklistRemoved",
        Event::BlacklistStatusLoaded { .. } => "blacklistStatusLoaded",
        Event::BlacklistLoaded { .. } => "blacklistLoaded",
        Event::ChatRoomJoining { .. } => "chatRoomJoining",
        Event::ChatRoomJoined { .. } => "chatRoomJoined",
        Event::ChatRoomLeft { .. } => "chatRoomLeft",
        Event::ChatRoomStatusChanged { .. } => "chatRoomStatusChanged",
        Event::ChatRoomMemberChanged { .. } => "chatRoomMemberChanged",
        Event::ChatRoomMessagesLoaded { .. } => "chatRoomMessagesLoaded",
        Event::ChatRoomEntryAdded { .. } => "chatRoomEntryAdded",
        Event::ChatRoomEntriesAdded { .. } => "chatRoomEntriesAdded",
        Event::ChatRoomEntryRemoved { .. } => "chatRoomEntryRemoved",
        Event::ChatRoomEntriesRemoved { .. } => "chatRoomEntriesRemoved",
        Event::ChatRoomEntriesSynced { .. } => "chatRoomEntriesSynced",
        Event::ChatRoomEntriesChanged { .. } => "chatRoomEntriesChanged",
    }
}

/// One canonical line for an event.
pub fn describe_event(event: &Event) -> String {
    let name = event_name(event);
    match event {
        Event::DatabaseOpened { code } => format!("event {name} code={}", code.0),
        Event::Connected { code, user_id } => {
            format!("event {name} code={} user={}", code.0, user_id.as_deref().unwrap_or("-"))
        }
        Event::ConnectionStatusChanged { status } => format!("event {name} status={status}"),
        Event::MessageAttached { message } => format!("event {name} {}", describe_message(message)),
        Event::MessageSent { code, message } => format!("event {name} code={} {}", code.0, describe_message(message)),
        Event::MessageReceived { message, left, offline, has_package } => format!(
            "event {name} left={left} offline={offline} has_package={has_package} {}",
            describe_message(message)
        ),
        Event::OfflineMessageSyncCompleted => format!("event {name}"),
        Event::BlacklistAdded { code, user_id } | Event::BlacklistRemoved { code, user_id } => {
            format!("event {name} code={} user={user_id}", code.0)
        }
        Event::BlacklistStatusLoaded { code, user_id, status } => {
            format!("event {name} code={} user={user_id} blacklist_status={status}", code.0)
        }
        Event::BlacklistLoaded { code, user_ids } => format!("event {name} code={} users={user_ids:?}", code.0),
        Event::ChatRoomJoining { target_id } => format!("event {name} room={target_id}"),
        Event::ChatRoomJoined { code, target_id } | Event::ChatRoomLeft { code, target_id } => {
            format!("event {name} code={} room={target_id}", code.0)
        }
        Event::ChatRoomStatusChanged { target_id, status } => {
            format!("event {name} room={target_id} chatroom_status={status}")
        }
        Event::ChatRoomMemberChanged { target_id, actions } => {
            let actions: Vec<String> =
                actions.iter().map(|action| format!("{}:{}", action.user_id, action.action_type)).collect();
            format!("event {name} room={target_id} actions=[{}]", actions.join(", "))
        }
        Event::ChatRoomMessagesLoaded { code, target_id, messages, sync_time } => {
            let messages: Vec<String> = messages.iter().map(describe_message).collect();
            format!(
                "event {name} code={} room={target_id} sync_time={sync_time} messages=[{}]",
                code.0,
                messages.join(", ")
            )
        }
        Event::ChatRoomEntryAdded { code, target_id, key } | Event::ChatRoomEntryRemoved { code, target_id, key } => {
            format!("event {name} code={} room={target_id} key={key:?}", code.0)
        }
        Event::ChatRoomEntriesAdded { code, target_id, entries, error_entries } => {
            let errors: Vec<String> = error_entries.iter().map(|(key, code)| format!("{key:?}: {}", code.0)).collect();
            format!(
                "event {name} code={} room={target_id} entries={entries:?} error_entries={{{}}}",
                code.0,
                errors.join(", ")
            )
        }
        Event::ChatRoomEntriesRemoved { code, target_id, keys } => {
            format!("event {name} code={} room={target_id} keys={keys:?}", code.0)
        }
        Event::ChatRoomEntriesSynced { room_id } => format!("event {name} room={room_id}"),
        Event::ChatRoomEntriesChanged { operation, room_id, entries } => {
            format!("event {name} room={room_id} operation={operation} entries={entries:?}")
        }
    }
}

/// One canonical rendering of a message: conversation, direction, identity, status and content.
pub fn describe_message(message: &Message) -> String {
    let content = match &message.content {
        MessageContent::Text { text } => format!("text={text:?}"),
        MessageContent::Unknown { object_name, raw_data } => {
            format!("unknown={object_name:?} bytes={}", raw_data.len())
        }
        other => format!("{}={:?}", other.message_type(), other.object_name()),
    };
    format!(
        "[{}:{} {} id={} uid={} from={} sent_status={} sent_time={} {content}]",
        message.conversation_type,
        message.target_id,
        message.direction,
        message.message_id,
        message.message_uid.as_deref().unwrap_or("-"),
        message.sender_user_id,
        message.sent_status,
        message.sent_time,
    )
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
