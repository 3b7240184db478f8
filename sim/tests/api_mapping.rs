//! `docs/API-MAPPING.md` is what the spec's API surface and the engine's API table give: regenerate it with
//! `IMSIM_UPDATE_API_MAPPING=1 cargo test --release -p imsim-sim --test api_mapping`.

use std::path::Path;

use imsim_sim::api_mapping::{render, surface_names};

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

#[test]
fn the_surface_has_the_specs_215_names() {
    let part2 = std::fs::read_to_string(root().join("docs/spec/part2.md")).expect("the spec is readable");
    let names = surface_names(&part2);
    // 215 names: the "Counts" paragraph's 114 methods and 101 listeners, as the surface lists them, where the
    // proposed `onConversationTypeNotificationLevelLoaded` is a listener line and `RCIMIWEngine.create` the only
    // static: 113 `M` lines and 102 `L` lines.
    assert_eq!(names.len(), 215);
    assert_eq!(names.iter().filter(|name| name.is_method).count(), 113);
    assert_eq!(names.iter().filter(|name| !name.is_method).count(), 102);
}

#[test]
fn the_committed_mapping_is_current() {
    let part2 = std::fs::read_to_string(root().join("docs/spec/part2.md")).expect("the spec is readable");
    let generated = render(&part2);
    let path = root().join("docs/API-MAPPING.md");
    if std::env::var_os("IMSIM_UPDATE_API_MAPPING").is_some() {
        std::fs::write(&path, &generated).expect("docs/API-MAPPING.md is writable");
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/API-MAPPING.md is stale: run IMSIM_UPDATE_API_MAPPING=1 cargo test --release -p imsim-sim --test api_mapping"
    );
}
