//! Groups (GRP), managed only by the App Server API (GRP-2): create, dismiss, add and remove members, mute members
//! or the whole group with a whitelist, and queries (GRP-5, GRP-8 to GRP-10).
//!
//! - A group has at most `group_members_max` members (GRP-3, BIZ-28: 3000 by default). A call that would pass the
//!   cap is refused as a whole with [`ApiError::GroupFull`]; lowering the cap removes nobody.
//! - Creating a group whose ID exists adds the given members to it and renames it, as RongCloud's create call does.
//!   Every other call on an unknown (never created, or dismissed) group is refused with [`ApiError::UnknownGroup`].
//! - A new member's inbox simply gains the group's messages sent from the join on (GRP-6, GRP-14): nothing sent
//!   before reaches them. A removed member gets nothing sent after the removal; what was already in their inbox
//!   stays, as do the inboxes of everyone when a group is dismissed (those messages were delivered).
//! - Mutes (GRP-9, GRP-10): a member may be muted for a duration or until unmuted; muting all members silences
//!   everyone but the group's mute whitelist. A user muted individually stays muted even on the whitelist. Mutes and
//!   the whitelist are kept by user ID, members or not, and survive leaving and rejoining; dismissing the group
//!   forgets them.
//!
//! Sending into a group (the `publish` module) checks, in this order: the group exists and the sender is a member,
//! else 22406 (`NOT_IN_GROUP`); the sender is not muted, else 22408 (`FORBIDDEN_IN_GROUP`) (GRP-22).

use std::collections::{BTreeMap, BTreeSet};

use imsim_engine::ErrorCode;
use imsim_engine::limits::TARGET_ID_CHARS_MAX;

use super::tokens::{ApiError, app_mut, check_user_id};
use super::{App, Server};

/// A change of a group's members by the App Server API.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GroupChange {
    /// The group was created with these members, or they were added (GRP-5, GRP-6).
    Added {
        /// The group ID.
        group: String,
        /// The users added.
        users: Vec<String>,
    },
    /// These members were removed (GRP-6).
    Removed {
        /// The group ID.
        group: String,
        /// The users removed.
        users: Vec<String>,
    },
    /// The group was dismissed: nobody is a member any more (GRP-5).
    Dismissed {
        /// The group ID.
        group: String,
    },
}

/// One group.
#[derive(Debug, Default)]
pub(super) struct Group {
    /// The name the push service uses as the title of its notifications (GRP-7, PUSH-5).
    pub(super) name: String,
    /// The members' user IDs.
    pub(super) members: BTreeSet<String>,
    /// Users muted individually, with when the mute ends (`None`: until unmuted).
    mutes: BTreeMap<String, Option<i64>>,
    /// GRP-10: every member is muted but the whitelist.
    mute_all: bool,
    mute_whitelist: BTreeSet<String>,
}

impl Group {
    /// Whether `user_id` is muted at `now_ms`.
    fn is_muted(&self, user_id: &str, now_ms: i64) -> bool {
        let individually = self.mutes.get(user_id).is_some_and(|ends| ends.is_none_or(|ends_at| now_ms < ends_at));
        individually || (self.mute_all && !self.mute_whitelist.contains(user_id))
    }
}

/// The code refusing `user_id`'s message into `group_id`, or `None` if they may send (GRP-22).
pub(super) fn send_refusal(app: &App, group_id: &str, user_id: &str, now_ms: i64) -> Option<ErrorCode> {
    let Some(group) = app.groups.get(group_id).filter(|group| group.members.contains(user_id)) else {
        return Some(ErrorCode::NOT_IN_GROUP);
    };
    let muted_everywhere = app.group_global_mutes.get(user_id).is_some_and(|ends| ends.is_none_or(|at| now_ms < at));
    if muted_everywhere {
        imsim_engine::mark!("GRP-9");
    }
    (muted_everywhere || group.is_muted(user_id, now_ms)).then_some(ErrorCode::FORBIDDEN_IN_GROUP)
}

/// When a mute from `now_ms` for `duration_ms` ends (`None`: until lifted); a duration must be positive.
fn mute_end(now_ms: i64, duration_ms: Option<i64>) -> Result<Option<i64>, ApiError> {
    match duration_ms {
        Some(duration_ms) if duration_ms <= 0 => Err(ApiError::InvalidMuteDuration { duration_ms }),
        duration_ms => Ok(duration_ms.map(|duration_ms| now_ms.saturating_add(duration_ms))),
    }
}

pub(super) fn check_group_id(group_id: &str) -> Result<(), ApiError> {
    let chars = group_id.chars().count();
    if chars == 0 || chars > TARGET_ID_CHARS_MAX {
        return Err(ApiError::InvalidGroupId { group_id: group_id.to_owned() });
    }
    Ok(())
}

fn check_user_ids(user_ids: &[&str]) -> Result<(), ApiError> {
    user_ids.iter().try_for_each(|user_id| check_user_id(user_id))
}

fn group_mut<'a>(app: &'a mut App, group_id: &str) -> Result<&'a mut Group, ApiError> {
    app.groups.get_mut(group_id).ok_or_else(|| ApiError::UnknownGroup { group_id: group_id.to_owned() })
}

/// Adds `user_ids` to `group`, unless that would pass `cap`; returns those who were not members.
fn add_members<'a>(
    group: &mut Group,
    group_id: &str,
    user_ids: &[&'a str],
    cap: u32,
) -> Result<Vec<&'a str>, ApiError> {
    let new: BTreeSet<&str> = user_ids.iter().copied().filter(|user_id| !group.members.contains(*user_id)).collect();
    if group.members.len() + new.len() > cap as usize {
        return Err(ApiError::GroupFull { group_id: group_id.to_owned(), cap });
    }
    group.members.extend(new.iter().map(|user_id| (*user_id).to_owned()));
    Ok(new.into_iter().collect())
}

/// GRP-14: with cloud storage and the "new members may fetch pre-join history" switch both on, `new_members` of
/// `group_id` get the group's history from before they joined in their own cloud history. (Their inboxes still
/// start at the join, GRP-6.) The switch applies to joins made while it is on (CFG-13).
fn share_pre_join_history(app: &mut App, group_id: &str, new_members: &[&str]) {
    if new_members.is_empty() || !(app.config.cloud_storage && app.config.group_pre_join_history) {
        return;
    }
    let Some(group) = app.groups.get(group_id) else { return };
    let members: Vec<&str> = group.members.iter().map(String::as_str).collect();
    app.histories.share_group_history(group_id, &members, new_members);
}

impl Server {
    /// Creates a group with a name and its first members (GRP-5). If the group exists, adds the members and renames
    /// it. Refused as a whole if an ID is invalid or the group would have more than `group_members_max` members.
    pub fn create_group(
        &mut self,
        app_key: &str,
        group_id: &str,
        name: &str,
        user_ids: &[&str],
    ) -> Result<(), ApiError> {
        check_group_id(group_id)?;
        check_user_ids(user_ids)?;
        let app = app_mut(&mut self.apps, app_key)?;
        let cap = app.config.group_members_max;
        let exists = app.groups.contains_key(group_id);
        let group = app.groups.entry(group_id.to_owned()).or_default();
        let joined = match add_members(group, group_id, user_ids, cap) {
            Ok(joined) => joined,
            Err(error) => {
                if !exists {
                    app.groups.remove(group_id);
                }
                return Err(error);
            }
        };
        imsim_engine::mark!("GRP-5");
        group.name = name.to_owned();
        share_pre_join_history(app, group_id, &joined);
        Ok(())
    }

    /// Dismisses a group (GRP-5): its membership, mutes and whitelist are gone, and sending into it answers 22406.
    pub fn dismiss_group(&mut self, app_key: &str, group_id: &str) -> Result<(), ApiError> {
        let app = app_mut(&mut self.apps, app_key)?;
        imsim_engine::mark!("GRP-5");
        app.groups.remove(group_id).map(drop).ok_or_else(|| ApiError::UnknownGroup { group_id: group_id.to_owned() })
    }

    /// Adds members to a group (GRP-6: they get only what is sent from now on). Members already in it are ignored.
    /// Refused as a whole if an ID is invalid or the group would pass `group_members_max` (GRP-3, BIZ-28).
    pub fn add_group_members(&mut self, app_key: &str, group_id: &str, user_ids: &[&str]) -> Result<(), ApiError> {
        check_user_ids(user_ids)?;
        let app = app_mut(&mut self.apps, app_key)?;
        let cap = app.config.group_members_max;
        let joined = add_members(group_mut(app, group_id)?, group_id, user_ids, cap)?;
        share_pre_join_history(app, group_id, &joined);
        Ok(())
    }

    /// Removes members from a group (GRP-6: they get nothing sent from now on). Non-members are ignored.
    pub fn remove_group_members(&mut self, app_key: &str, group_id: &str, user_ids: &[&str]) -> Result<(), ApiError> {
        check_user_ids(user_ids)?;
        let group = group_mut(app_mut(&mut self.apps, app_key)?, group_id)?;
        for user_id in user_ids {
            group.members.remove(*user_id);
        }
        Ok(())
    }

    /// Mutes users in a group (GRP-9) from `now_ms` for `duration_ms`, or until unmuted if `None`. Muting again
    /// replaces the end. A muted member's messages into the group answer 22408; they still receive.
    pub fn mute_group_members(
        &mut self,
        app_key: &str,
        group_id: &str,
        user_ids: &[&str],
        now_ms: i64,
        duration_ms: Option<i64>,
    ) -> Result<(), ApiError> {
        let ends_at = mute_end(now_ms, duration_ms)?;
        check_user_ids(user_ids)?;
        let group = group_mut(app_mut(&mut self.apps, app_key)?, group_id)?;
        for user_id in user_ids {
            group.mutes.insert((*user_id).to_owned(), ends_at);
        }
        Ok(())
    }

    /// Lifts individual mutes in a group (GRP-9). Users not muted are ignored.
    pub fn unmute_group_members(&mut self, app_key: &str, group_id: &str, user_ids: &[&str]) -> Result<(), ApiError> {
        let group = group_mut(app_mut(&mut self.apps, app_key)?, group_id)?;
        for user_id in user_ids {
            group.mutes.remove(*user_id);
        }
        Ok(())
    }

    /// Mutes or unmutes every member of a group at once (GRP-10); the mute whitelist may still send.
    pub fn set_group_mute_all(&mut self, app_key: &str, group_id: &str, muted: bool) -> Result<(), ApiError> {
        group_mut(app_mut(&mut self.apps, app_key)?, group_id)?.mute_all = muted;
        Ok(())
    }

    /// Adds users to a group's mute whitelist (GRP-10): they may send while the whole group is muted.
    pub fn add_group_mute_whitelist(
        &mut self,
        app_key: &str,
        group_id: &str,
        user_ids: &[&str],
    ) -> Result<(), ApiError> {
        check_user_ids(user_ids)?;
        let group = group_mut(app_mut(&mut self.apps, app_key)?, group_id)?;
        group.mute_whitelist.extend(user_ids.iter().map(|user_id| (*user_id).to_owned()));
        Ok(())
    }

    /// Removes users from a group's mute whitelist (GRP-10).
    pub fn remove_group_mute_whitelist(
        &mut self,
        app_key: &str,
        group_id: &str,
        user_ids: &[&str],
    ) -> Result<(), ApiError> {
        let group = group_mut(app_mut(&mut self.apps, app_key)?, group_id)?;
        for user_id in user_ids {
            group.mute_whitelist.remove(*user_id);
        }
        Ok(())
    }

    /// "Query group members" (GRP-8): the members' user IDs, sorted, or `None` for an unknown app or group.
    pub fn group_members(&self, app_key: &str, group_id: &str) -> Option<Vec<String>> {
        let group = self.apps.get(app_key)?.groups.get(group_id)?;
        Some(group.members.iter().cloned().collect())
    }

    /// "Query a user's groups" (GRP-8): `(group ID, group name)` of every group the user is in, by group ID.
    pub fn user_groups(&self, app_key: &str, user_id: &str) -> Vec<(String, String)> {
        let Some(app) = self.apps.get(app_key) else {
            return Vec::new();
        };
        app.groups
            .iter()
            .filter(|(_, group)| group.members.contains(user_id))
            .map(|(group_id, group)| (group_id.clone(), group.name.clone()))
            .collect()
    }

    /// Whether `user_id` is muted in the group at `now_ms` (GRP-9, GRP-10): individually, or by a mute of all
    /// without being whitelisted. `false` for an unknown app or group.
    pub fn is_muted_in_group(&self, app_key: &str, group_id: &str, user_id: &str, now_ms: i64) -> bool {
        let group = self.apps.get(app_key).and_then(|app| app.groups.get(group_id));
        group.is_some_and(|group| group.is_muted(user_id, now_ms))
    }
}

impl Server {
    /// "Refresh group info" (GRP-7): the group's name, as the push service would use it (PUSH-5), and as "query a
    /// user's groups" reports it.
    pub fn refresh_group(&mut self, app_key: &str, group_id: &str, name: &str) -> Result<(), ApiError> {
        check_group_id(group_id)?;
        imsim_engine::mark!("GRP-7");
        group_mut(app_mut(&mut self.apps, app_key)?, group_id)?.name = name.to_owned();
        Ok(())
    }

    /// "Sync a user's groups" (GRP-8): `groups` (ID and name) is every group the user belongs to. The user joins
    /// those they are not in (a group the server does not know is created with its name) and leaves every other
    /// group. Refused as a whole if an ID is invalid or a group would pass `group_members_max`. The changes, in
    /// order: the joins by group ID, then the departures by group ID.
    pub fn sync_user_groups(
        &mut self,
        app_key: &str,
        user_id: &str,
        groups: &[(String, String)],
    ) -> Result<Vec<GroupChange>, ApiError> {
        check_user_id(user_id)?;
        groups.iter().try_for_each(|(group_id, _)| check_group_id(group_id))?;
        let app = app_mut(&mut self.apps, app_key)?;
        let cap = app.config.group_members_max as usize;
        let wanted: BTreeMap<&str, &str> = groups.iter().map(|(id, name)| (id.as_str(), name.as_str())).collect();
        let joins: Vec<&str> = wanted
            .keys()
            .copied()
            .filter(|group_id| app.groups.get(*group_id).is_none_or(|group| !group.members.contains(user_id)))
            .collect();
        if let Some(full) = joins.iter().find(|id| app.groups.get(**id).is_some_and(|g| g.members.len() >= cap)) {
            return Err(ApiError::GroupFull { group_id: (*full).to_owned(), cap: app.config.group_members_max });
        }
        imsim_engine::mark!("GRP-8");
        let mut changes = Vec::new();
        for group_id in joins {
            let group = app
                .groups
                .entry(group_id.to_owned())
                .or_insert_with(|| Group { name: wanted[group_id].to_owned(), ..Group::default() });
            group.members.insert(user_id.to_owned());
            share_pre_join_history(app, group_id, &[user_id]);
            changes.push(GroupChange::Added { group: group_id.to_owned(), users: vec![user_id.to_owned()] });
        }
        for (group_id, group) in &mut app.groups {
            if !wanted.contains_key(group_id.as_str()) && group.members.remove(user_id) {
                changes.push(GroupChange::Removed { group: group_id.clone(), users: vec![user_id.to_owned()] });
            }
        }
        Ok(changes)
    }

    /// Mutes users in every group (GRP-9: "all groups"), from `now_ms` for `duration_ms` or until lifted if `None`:
    /// their messages into any group answer 22408, and they still receive. Muting again replaces the end.
    pub fn mute_in_all_groups(
        &mut self,
        app_key: &str,
        user_ids: &[&str],
        now_ms: i64,
        duration_ms: Option<i64>,
    ) -> Result<(), ApiError> {
        let ends_at = mute_end(now_ms, duration_ms)?;
        check_user_ids(user_ids)?;
        let app = app_mut(&mut self.apps, app_key)?;
        for user_id in user_ids {
            app.group_global_mutes.insert((*user_id).to_owned(), ends_at);
        }
        Ok(())
    }

    /// Lifts mutes in every group (GRP-9). Users not muted are ignored.
    pub fn unmute_in_all_groups(&mut self, app_key: &str, user_ids: &[&str]) -> Result<(), ApiError> {
        check_user_ids(user_ids)?;
        let app = app_mut(&mut self.apps, app_key)?;
        for user_id in user_ids {
            app.group_global_mutes.remove(*user_id);
        }
        Ok(())
    }

    /// The users muted in every group at `now_ms`, by user ID, with when each mute ends (`None`: until lifted).
    pub fn muted_in_all_groups(&self, app_key: &str, now_ms: i64) -> Vec<(String, Option<i64>)> {
        let Some(app) = self.apps.get(app_key) else { return Vec::new() };
        let active = |ends: &Option<i64>| ends.is_none_or(|at| now_ms < at);
        app.group_global_mutes
            .iter()
            .filter(|(_, ends)| active(ends))
            .map(|(user, ends)| (user.clone(), *ends))
            .collect()
    }
}
