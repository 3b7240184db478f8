//! The user-level do-not-disturb settings the server keeps (DND): today the per-conversation-type level (DND-17,
//! DND-18), which every device of the user reads back. A level never set is `none` (DND-7). A request naming a type
//! the setting does not cover (DND-13: private, group, system and ultra group) or an unknown level is malformed.

use imsim_engine::error::ErrorCode;
use imsim_engine::proto;
use imsim_engine::types::{ConversationType, PushNotificationLevel};

use super::App;

/// The type ordinal of a request, if the per-type level covers that type (DND-13).
fn covered_type(ordinal: u32) -> Result<u32, ErrorCode> {
    match ConversationType::from_ordinal(ordinal) {
        Some(
            ConversationType::Private
            | ConversationType::Group
            | ConversationType::System
            | ConversationType::UltraGroup,
        ) => {
            imsim_engine::mark!("DND-13");
            Ok(ordinal)
        }
        _ => Err(ErrorCode::PROTOCOL_MALFORMED_FRAME),
    }
}

/// `changeConversationTypeNotificationLevel`: stores `user_id`'s level for the type.
pub(super) fn set_type_level(
    app: &mut App,
    user_id: &str,
    set: &proto::ConversationTypeLevelSet,
) -> Result<(), ErrorCode> {
    let conversation_type = covered_type(set.conversation_type)?;
    PushNotificationLevel::from_ordinal(set.level).ok_or(ErrorCode::PROTOCOL_MALFORMED_FRAME)?;
    app.type_levels.insert((user_id.to_owned(), conversation_type), set.level);
    Ok(())
}

/// `getConversationTypeNotificationLevel`: `user_id`'s level for the type, `none` when never set.
pub(super) fn type_level(
    app: &App,
    user_id: &str,
    query: &proto::ConversationTypeLevelQuery,
) -> Result<u32, ErrorCode> {
    let conversation_type = covered_type(query.conversation_type)?;
    let never_set = PushNotificationLevel::None.ordinal();
    match app.type_levels.get(&(user_id.to_owned(), conversation_type)) {
        Some(&level) => Ok(level),
        None => {
            imsim_engine::mark!("DND-7");
            Ok(never_set)
        }
    }
}
