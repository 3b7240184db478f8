//! The store's tests.
//!
//! `conformance` is the contract of the `Store` trait, written once as generic functions and run against both
//! implementations by `store_conformance_tests!`, so `MemoryStore` cannot drift from `SqliteStore`. `sqlite` holds
//! what only a real file has: reopening, the schema snapshot, version checks and corrupt rows.

mod conformance;
mod conversations;
mod message_store;
mod sqlite;

use crate::store::{MemoryStore, SqliteStore};
use crate::types::{ConversationType, Message, MessageContent, MessageDirection, ReceivedStatus, SentStatus};

/// Runs every conformance case in a module named `$module`, each against a fresh store made by `$new_store`.
macro_rules! store_conformance_tests {
    ($module:ident, $new_store:expr) => {
        store_conformance_tests!(@cases $module, $new_store;
            insert_outgoing_assigns_increasing_ids,
            insert_outgoing_round_trips_every_field,
            message_fields_round_trip,
            an_unknown_message_counts_as_its_flags_say,
            insert_outgoing_stores_sending_without_uid,
            content_reads_back_as_its_wire_pair,
            update_send_result_records_a_success,
            update_send_result_records_a_failure_without_uid,
            update_send_result_of_an_unknown_id_is_no_such_message,
            update_send_result_refuses_a_uid_another_message_holds,
            insert_received_stores_each_message_in_order,
            insert_received_skips_a_uid_already_stored,
            insert_received_skips_a_uid_repeated_within_a_batch,
            insert_received_stores_every_message_without_uid,
            inbox_cursor_starts_at_zero_and_never_moves_backwards,
            insert_received_with_an_unstorable_cursor_writes_nothing,
            conversation_messages_are_ordered_by_sent_time_then_message_id,
            history_pages_go_either_way_from_the_anchor,
            conversation_messages_are_filtered_by_type_and_target,
            all_messages_lists_every_message_by_id,
            message_of_an_unknown_id_is_none,
            message_by_uid_finds_only_a_message_with_that_uid,
            every_content_type_round_trips,
            unread_count_counts_received_messages_of_counted_types,
            unread_count_counts_unread_and_retrieved_only,
            unread_counts_are_per_conversation_and_the_total_skips_chatrooms,
            an_unknown_holding_a_known_type_counts_as_that_type,
            the_database_id_is_chosen_once,
            messages_with_sent_status_finds_interrupted_sends,
            insert_received_outside_inbox_dedupes_and_keeps_the_cursor,
            chatroom_messages_never_count_in_the_total,
            delete_conversation_messages_deletes_one_conversation_only,
            delete_conversation_type_messages_deletes_every_room,
            directed_user_ids_are_stored_with_the_message_and_go_with_it,
            counts_by_type_first_unread_and_received_status_overwrites,
            unread_mentioned_messages_are_the_unread_ones_that_mention_the_user,
            search_conversations_counts_matches_per_conversation_ignoring_case,
            search_conversations_searches_only_the_types_asked_for,
            conversation_is_made_from_its_stored_messages,
            insert_local_stores_every_message_as_given_without_a_uid,
            delete_messages_deletes_the_known_ids_and_ignores_the_rest,
            delete_messages_sent_up_to_keeps_what_came_after_and_other_conversations,
            search_messages_filters_one_conversation_newest_first,
            stored_messages_make_conversations_but_chatrooms_none,
            the_list_puts_pinned_first_and_pages_by_operation_time,
            pinning_a_missing_conversation_creates_it_and_unpinning_does_not,
            drafts_create_and_move_the_conversation_and_clearing_keeps_its_time,
            removing_keeps_the_messages_until_the_next_one_brings_it_back,
            notification_levels_belong_to_the_user_not_to_the_list,
            removing_types_deletes_their_conversations_and_messages,
            marking_read_up_to_a_time_leaves_the_later_ones_unread,
            each_ultra_group_channel_is_a_conversation_of_its_own,
            signals_recall_and_change_expansion_with_the_cursor,
        );
    };
    (@cases $module:ident, $new_store:expr; $($case:ident),* $(,)?) => {
        mod $module {
            use super::*;

            $(
                #[test]
                fn $case() {
                    let mut store = $new_store;
                    super::conformance::$case(&mut store);
                }
            )*
        }
    };
}

store_conformance_tests!(memory, MemoryStore::new());
store_conformance_tests!(sqlite_in_memory, SqliteStore::open_in_memory().unwrap());

/// A private text message from this user to `target_id`, as the core hands it to `insert_outgoing`.
fn outgoing(target_id: &str, sent_time: i64, text: &str) -> Message {
    Message {
        conversation_type: ConversationType::Private,
        target_id: target_id.to_owned(),
        channel_id: None,
        message_id: 0,
        message_uid: None,
        direction: MessageDirection::Send,
        received_time: 0,
        sent_time,
        received_status: ReceivedStatus::Unread,
        sent_status: SentStatus::Sending,
        sender_user_id: "me".to_owned(),
        offline: false,
        extra: None,
        mentioned_info: None,
        user_info: None,
        expansion: None,
        push_options: None,
        group_read_receipt_info: None,
        content: MessageContent::Text { text: text.to_owned() },
    }
}

/// A private text message from `target_id` with server UID `message_uid`, as the core hands it to
/// `insert_received`.
fn received(target_id: &str, message_uid: &str, sent_time: i64, text: &str) -> Message {
    Message {
        message_uid: Some(message_uid.to_owned()),
        direction: MessageDirection::Receive,
        received_time: sent_time + 5,
        sent_status: SentStatus::Sent,
        sender_user_id: target_id.to_owned(),
        offline: true,
        ..outgoing(target_id, sent_time, text)
    }
}

/// `message` as the store returns it once stored under `message_id`.
fn stored_as(message: &Message, message_id: i64) -> Message {
    Message { message_id, ..message.clone() }
}
