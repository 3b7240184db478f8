//! Ultra groups (UG, CTYPE-5): groups with channels, managed only by the App Server API (UG-8), whose messages reach
//! the members online when they are sent and are never kept for anyone offline (UG-36, OFFLINE-1, OFFLINE-3,
//! HIST-2).
//!
//! # What the fake server models, and what it leaves out
//!
//! - An ultra group has no member cap, and a user may be in at most [`ULTRA_GROUPS_PER_USER_MAX`] (UG-2). All its
//!   channels share one membership list.
//! - Every ultra group has the default channel [`DEFAULT_CHANNEL_ID`] (UG-6), which cannot be deleted; the app
//!   creates and deletes the others (UG-8). Channels are public: every member receives every channel's messages.
//!   Private channels and their member lists (UG-5) are not modelled.
//! - A message sent without a channel belongs to no channel, as for ultra groups activated before 2022.10.13 (UG-7).
//!   imsim chose this behaviour because it keeps the sender's own copy and the recipients' in the same place: a
//!   publish acknowledgement does not carry a channel, so a server that moved the message into `RCDefault` would
//!   leave the sender's copy behind.
//! - Sending checks, in this order: the ultra group exists with the sender as a member, else 24406
//!   (`RC_NOT_IN_ULTRA_GROUP`); a channel, if given, exists, else 24414 (`RC_ULTRA_GROUP_CHANNEL_ID_NOT_EXIST`).
//!   Ultra group mutes are not modelled.
//! - Delivery goes to the members' devices online at that moment, the sender's other devices included when
//!   multi-device sync is on, exactly as the app's sync mode routes a status message (`sync::status_targets`), but
//!   the message is stored and counted by the devices (an `UltraGroupDelivery` frame). Nothing waits in an inbox:
//!   ultra groups have no offline messages (UG-36), so a member offline at the time never receives the message
//!   through the connection.
//! - The server's own history of ultra group messages (UG-13, UG-16), modification, recall, expansion and typing
//!   (UG-19 to UG-34) are not modelled yet.

use std::collections::{BTreeMap, BTreeSet};

use imsim_engine::ErrorCode;
use imsim_engine::limits::CHANNEL_ID_CHARS_MAX;
use imsim_engine::proto::{self, frame::Body};

use super::groups::check_group_id;
use super::tokens::{ApiError, app, app_mut, check_user_id};
use super::{App, ConnId, Server};

/// UG-2: a user may be a member of at most 100 ultra groups.
pub const ULTRA_GROUPS_PER_USER_MAX: usize = 100;

/// UG-6: the default channel every ultra group has, open to every member, which cannot be deleted.
pub const DEFAULT_CHANNEL_ID: &str = "RCDefault";

/// One ultra group.
#[derive(Debug, Default)]
pub(super) struct UltraGroup {
    /// The name its push notifications would use (UG-8).
    name: String,
    /// The members' user IDs (UG-2: one list for every channel).
    members: BTreeSet<String>,
    /// The channels the app created, besides [`DEFAULT_CHANNEL_ID`].
    channels: BTreeSet<String>,
}

/// The app's ultra groups by ID.
#[derive(Debug, Default)]
pub(super) struct UltraGroups {
    groups: BTreeMap<String, UltraGroup>,
}

impl UltraGroups {
    /// USER-6: a deactivated user is in no ultra group.
    pub(super) fn forget_user(&mut self, user_id: &str) {
        for group in self.groups.values_mut() {
            group.members.remove(user_id);
        }
    }

    fn memberships(&self, user_id: &str) -> usize {
        self.groups.values().filter(|group| group.members.contains(user_id)).count()
    }

    fn group_mut(&mut self, group_id: &str) -> Result<&mut UltraGroup, ApiError> {
        self.groups.get_mut(group_id).ok_or_else(|| ApiError::UnknownUltraGroup { group_id: group_id.to_owned() })
    }

    /// Whether `user_id` is a member of `group_id`.
    pub(super) fn is_member(&self, group_id: &str, user_id: &str) -> bool {
        self.groups.get(group_id).is_some_and(|group| group.members.contains(user_id))
    }

    /// The members of `group_id` (empty for an unknown ultra group).
    pub(super) fn members(&self, group_id: &str) -> Vec<String> {
        self.groups.get(group_id).map(|group| group.members.iter().cloned().collect()).unwrap_or_default()
    }
}

/// The code refusing `user_id`'s message into `channel_id` of `group_id`, or `None` (see the module documentation).
pub(super) fn send_refusal(app: &App, group_id: &str, channel_id: &str, user_id: &str) -> Option<ErrorCode> {
    let Some(group) = app.ultra_groups.groups.get(group_id).filter(|group| group.members.contains(user_id)) else {
        imsim_engine::mark!("UG-2");
        return Some(ErrorCode::NOT_IN_ULTRA_GROUP);
    };
    let channel_exists =
        channel_id.is_empty() || channel_id == DEFAULT_CHANNEL_ID || group.channels.contains(channel_id);
    (!channel_exists).then_some(ErrorCode::ULTRA_GROUP_CHANNEL_ID_NOT_EXIST)
}

fn check_channel_id(channel_id: &str) -> Result<(), ApiError> {
    let chars = channel_id.chars().count();
    if chars == 0 || chars > CHANNEL_ID_CHARS_MAX {
        return Err(ApiError::InvalidChannelId { channel_id: channel_id.to_owned(), max: CHANNEL_ID_CHARS_MAX });
    }
    Ok(())
}

/// Adds `user_id` to `group_id`, unless that would put the user in more than [`ULTRA_GROUPS_PER_USER_MAX`].
fn join(groups: &mut UltraGroups, group_id: &str, user_id: &str) -> Result<(), ApiError> {
    let already = groups.groups.get(group_id).is_some_and(|group| group.members.contains(user_id));
    if !already && groups.memberships(user_id) >= ULTRA_GROUPS_PER_USER_MAX {
        imsim_engine::mark!("UG-2");
        return Err(ApiError::UltraGroupsPerUserExceeded {
            user_id: user_id.to_owned(),
            max: ULTRA_GROUPS_PER_USER_MAX,
        });
    }
    groups.group_mut(group_id)?.members.insert(user_id.to_owned());
    Ok(())
}

impl Server {
    /// `/ultragroup/create`: creates `group_id` named `name`, with `user_id` as its first member (UG-8, UG-9: the
    /// app server chooses the ID). Creating an existing ultra group renames it and adds the user.
    pub fn create_ultra_group(
        &mut self,
        app_key: &str,
        group_id: &str,
        name: &str,
        user_id: &str,
    ) -> Result<(), ApiError> {
        check_group_id(group_id)?;
        check_user_id(user_id)?;
        let app = app_mut(&mut self.apps, app_key)?;
        imsim_engine::mark!("UG-8");
        imsim_engine::mark!("UG-9");
        let groups = &mut app.ultra_groups;
        let existed = groups.groups.contains_key(group_id);
        groups.groups.entry(group_id.to_owned()).or_default();
        if let Err(error) = join(groups, group_id, user_id) {
            if !existed {
                groups.groups.remove(group_id);
            }
            return Err(error);
        }
        groups.group_mut(group_id)?.name = name.to_owned();
        Ok(())
    }

    /// `/ultragroup/dis`: dismisses `group_id`; its memberships and channels no longer exist (UG-8).
    pub fn dismiss_ultra_group(&mut self, app_key: &str, group_id: &str) -> Result<(), ApiError> {
        let app = app_mut(&mut self.apps, app_key)?;
        match app.ultra_groups.groups.remove(group_id) {
            Some(_) => Ok(()),
            None => Err(ApiError::UnknownUltraGroup { group_id: group_id.to_owned() }),
        }
    }

    /// `/ultragroup/join`: `user_id` joins `group_id` and receives its new messages from now on (UG-8).
    pub fn join_ultra_group(&mut self, app_key: &str, group_id: &str, user_id: &str) -> Result<(), ApiError> {
        check_user_id(user_id)?;
        let app = app_mut(&mut self.apps, app_key)?;
        join(&mut app.ultra_groups, group_id, user_id)
    }

    /// `/ultragroup/quit`: `user_id` leaves `group_id` and receives none of its new messages (UG-8). Leaving a group
    /// one is not in changes nothing.
    pub fn quit_ultra_group(&mut self, app_key: &str, group_id: &str, user_id: &str) -> Result<(), ApiError> {
        check_user_id(user_id)?;
        let app = app_mut(&mut self.apps, app_key)?;
        app.ultra_groups.group_mut(group_id)?.members.remove(user_id);
        Ok(())
    }

    /// `/ultragroup/channel/create`: adds a channel to `group_id` (UG-8). Creating one that exists changes nothing.
    pub fn create_ultra_group_channel(
        &mut self,
        app_key: &str,
        group_id: &str,
        channel_id: &str,
    ) -> Result<(), ApiError> {
        check_channel_id(channel_id)?;
        let app = app_mut(&mut self.apps, app_key)?;
        let group = app.ultra_groups.group_mut(group_id)?;
        if channel_id != DEFAULT_CHANNEL_ID {
            group.channels.insert(channel_id.to_owned());
        }
        Ok(())
    }

    /// `/ultragroup/channel/del`: deletes a channel the app created; it can no longer receive sends (UG-8). The
    /// default channel cannot be deleted (UG-6).
    pub fn delete_ultra_group_channel(
        &mut self,
        app_key: &str,
        group_id: &str,
        channel_id: &str,
    ) -> Result<(), ApiError> {
        let app = app_mut(&mut self.apps, app_key)?;
        let group = app.ultra_groups.group_mut(group_id)?;
        if !group.channels.remove(channel_id) {
            imsim_engine::mark!("UG-6");
            return Err(ApiError::UnknownChannel { group_id: group_id.to_owned(), channel_id: channel_id.to_owned() });
        }
        Ok(())
    }

    /// `/ultragroup/channel/get`: the channels of `group_id`, the default one first, then the others in ID order
    /// (UG-10: the complete list comes from here, not from the clients).
    pub fn ultra_group_channels(&self, app_key: &str, group_id: &str) -> Result<Vec<String>, ApiError> {
        let group = app(&self.apps, app_key)?
            .ultra_groups
            .groups
            .get(group_id)
            .ok_or_else(|| ApiError::UnknownUltraGroup { group_id: group_id.to_owned() })?;
        imsim_engine::mark!("UG-10");
        Ok(std::iter::once(DEFAULT_CHANNEL_ID.to_owned()).chain(group.channels.iter().cloned()).collect())
    }

    /// Delivers an accepted ultra group message to the devices online now (see the module documentation), after
    /// the publisher's acknowledgement. `message` has its `target_id` (the ultra group) and `channel_id` set.
    pub(super) fn fan_out_ultra_group(
        &mut self,
        app_key: &str,
        message: proto::DeliveredMessage,
        (conn, ack): (ConnId, proto::PublishAck),
        sending_device: &str,
    ) {
        imsim_engine::mark!("UG-1");
        imsim_engine::mark!("UG-4");
        imsim_engine::mark!("UG-36");
        imsim_engine::mark!("OFFLINE-1");
        imsim_engine::mark!("OFFLINE-3");
        let sync = self.apps.get(app_key).is_some_and(|app| app.config.multi_device_sync);
        let members = self.apps.get(app_key).map(|app| app.ultra_groups.members(&message.target_id));
        let mut conns = Vec::new();
        for member in members.into_iter().flatten() {
            let origin = (member == message.sender_user_id).then_some(sending_device);
            conns.extend(self.status_targets(app_key, &member, origin, sync));
        }
        self.send(conn, Body::PublishAck(ack));
        let message = proto::DeliveredMessage { client_message_id: String::new(), ..message };
        for to in conns {
            let delivery = proto::UltraGroupDelivery { message: Some(message.clone()) };
            self.send(to, Body::UltraGroupDelivery(delivery));
        }
    }
}
