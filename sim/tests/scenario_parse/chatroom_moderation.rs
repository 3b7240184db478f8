//! The App Server API's chatroom moderation steps (CR-30 to CR-33, CR-35): their exact models, canonical lines and
//! errors.

use std::time::Duration;

use imsim_sim::scenario::{ChatroomAdmin, StepKind};

use crate::{assert_step_errors, parse, step, strings};

const MODERATION: &str = r#"name: chatroom moderation
rules: [CR-30]
seed: 3
devices:
  a: { user: zhangsan }
steps:
  - chatroom_ban: { room: r1, users: [lisi, wangwu], duration: 1h }
  - chatroom_unban: { room: r1, users: [lisi] }
  - chatroom_mute: { room: r1, users: [lisi], duration: 90s }
  - chatroom_mute: { room: r1, users: [lisi] }
  - chatroom_unmute: { room: r1, users: [lisi] }
  - chatroom_mute_all: { room: r1, whitelist: [zhangsan] }
  - chatroom_mute_all: { room: r1 }
  - chatroom_unmute_all: r1
  - chatroom_global_mute: { users: [lisi], duration: 1m }
  - chatroom_global_mute: { users: [lisi] }
  - chatroom_global_unmute: { users: [lisi] }
  - chatroom_broadcast: { from: admin, text: hi }
  - chatroom_broadcast: { from: admin, text: { repeat: x, times: 100 } }
"#;

fn admin(line: u64, admin: ChatroomAdmin) -> imsim_sim::scenario::Step {
    step(line, 5, StepKind::ChatroomAdmin(admin))
}

#[test]
fn the_moderation_forms_become_the_exact_model() {
    let scenario = parse(MODERATION).expect("valid");
    let r1 = || "r1".to_owned();
    let lisi = || strings(&["lisi"]);
    let expected = vec![
        admin(
            7,
            ChatroomAdmin::Ban { room: r1(), users: strings(&["lisi", "wangwu"]), duration: Duration::from_secs(3600) },
        ),
        admin(8, ChatroomAdmin::Unban { room: r1(), users: lisi() }),
        admin(9, ChatroomAdmin::Mute { room: r1(), users: lisi(), duration: Some(Duration::from_secs(90)) }),
        admin(10, ChatroomAdmin::Mute { room: r1(), users: lisi(), duration: None }),
        admin(11, ChatroomAdmin::Unmute { room: r1(), users: lisi() }),
        admin(12, ChatroomAdmin::MuteAll { room: r1(), whitelist: strings(&["zhangsan"]) }),
        admin(13, ChatroomAdmin::MuteAll { room: r1(), whitelist: vec![] }),
        admin(14, ChatroomAdmin::UnmuteAll { room: r1() }),
        admin(15, ChatroomAdmin::GlobalMute { users: lisi(), duration: Some(Duration::from_secs(60)) }),
        admin(16, ChatroomAdmin::GlobalMute { users: lisi(), duration: None }),
        admin(17, ChatroomAdmin::GlobalUnmute { users: lisi() }),
        admin(18, ChatroomAdmin::Broadcast { from: "admin".into(), text: "hi".into() }),
        admin(19, ChatroomAdmin::Broadcast { from: "admin".into(), text: "x".repeat(100) }),
    ];
    assert_eq!(scenario.steps, expected);
}

#[test]
fn the_moderation_forms_describe_themselves_on_one_line() {
    let scenario = parse(MODERATION).expect("valid");
    let lines: Vec<String> = scenario.steps.iter().map(|step| step.describe()).collect();
    let expected = [
        "chatroom_ban r1 [lisi, wangwu] duration=1h",
        "chatroom_unban r1 [lisi]",
        "chatroom_mute r1 [lisi] duration=90s",
        "chatroom_mute r1 [lisi] until_unmuted",
        "chatroom_unmute r1 [lisi]",
        "chatroom_mute_all r1 whitelist=[zhangsan]",
        "chatroom_mute_all r1 whitelist=[]",
        "chatroom_unmute_all r1",
        "chatroom_global_mute [lisi] duration=1m",
        "chatroom_global_mute [lisi] until_unmuted",
        "chatroom_global_unmute [lisi]",
        r#"chatroom_broadcast admin "hi""#,
        r#"chatroom_broadcast admin "xxxxxxxxxxxxxxxx"...(100 chars)"#,
    ];
    assert_eq!(lines, expected);
}

#[test]
fn the_moderation_forms_check_their_values() {
    let cases = [
        ("chatroom_ban: { room: r, users: [v] }", 6, 19, r#"missing required field "duration" in chatroom_ban"#),
        ("chatroom_ban: { room: r, users: [v], duration: 0s }", 6, 52, "chatroom_ban.duration: 0s is too short"),
        ("chatroom_ban: r", 6, 19, "chatroom_ban: expected a mapping like { room: r1, users: [lisi], duration: 1h }"),
        ("chatroom_unban: { room: r, users: [] }", 6, 39, "chatroom_unban.users: list at least one user ID"),
        ("chatroom_mute: { room: r, users: [v], duration: 0ms }", 6, 53, "until `chatroom_unmute`"),
        ("chatroom_unmute: { room: '', users: [v] }", 6, 30, "chatroom_unmute.room: must not be empty"),
        ("chatroom_mute_all: { room: r, whitelist: [v, v] }", 6, 50, "chatroom_mute_all.whitelist: v is listed twice"),
        ("chatroom_unmute_all: { room: r }", 6, 26, "chatroom_unmute_all: expected a string, found a mapping"),
        ("chatroom_global_mute: { users: [v], room: r }", 6, 41, r#"unknown field "room" in chatroom_global_mute"#),
        ("chatroom_global_mute: { users: [v], duration: 0s }", 6, 51, "until `chatroom_global_unmute`"),
        ("chatroom_global_unmute: { users: v }", 6, 38, "chatroom_global_unmute.users: expected a list"),
        ("chatroom_broadcast: { from: admin }", 6, 25, r#"missing required field "text" in chatroom_broadcast"#),
        ("chatroom_broadcast: { from: '', text: hi }", 6, 33, "chatroom_broadcast.from: must not be empty"),
    ];
    assert_step_errors("CR-30", "{ a: { user: u } }", &cases);
}
