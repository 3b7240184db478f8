//! `docs/API-MAPPING.md`, generated: every method and listener of the manual's API surface (the spec's "Full API
//! surface", part 2), with what reaches it in imsim, read from the engine's API table ([`Method`]) and its events
//! ([`listeners`]). Nothing here is kept by hand: a method is "implemented" once the table has it.
//! `sim/tests/api_mapping.rs` fails when the committed file is stale.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use imsim_engine::api::Method;

use crate::scenario::listeners::listeners;

/// One name of the manual's surface.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SurfaceName {
    /// The section of "Full API surface" it is listed in.
    pub area: String,
    /// A method (`true`) or a listener.
    pub is_method: bool,
    /// The manual's name.
    pub name: String,
}

/// The names "Full API surface" lists in `part2` (the text of `docs/spec/part2.md`), in order, each once.
pub fn surface_names(part2: &str) -> Vec<SurfaceName> {
    let start = part2.find("## Full API surface").unwrap_or(part2.len());
    let end = part2[start..].find("### Counts").map_or(part2.len(), |end| start + end);
    // An entry may wrap onto indented continuation lines: join them first.
    let mut lines: Vec<String> = Vec::new();
    for line in part2[start..end].lines() {
        match lines.last_mut() {
            Some(last) if line.starts_with("  ") && last.starts_with("- ") => {
                last.push(' ');
                last.push_str(line.trim());
            }
            _ => lines.push(line.to_owned()),
        }
    }
    let (mut names, mut seen, mut area) = (Vec::new(), BTreeSet::new(), String::new());
    for line in lines {
        if let Some(heading) = line.strip_prefix("### ") {
            area = heading.trim().to_owned();
            continue;
        }
        let (is_method, rest) = match (line.strip_prefix("- M "), line.strip_prefix("- L ")) {
            (Some(rest), _) => (true, rest),
            (_, Some(rest)) => (false, rest),
            _ => continue,
        };
        let quoted = backticked_names(rest);
        let candidates: Vec<&str> = if is_method && rest.starts_with("`create") {
            quoted.into_iter().filter(|name| name.starts_with("create") && name.ends_with("Message")).collect()
        } else {
            quoted.into_iter().take(1).collect()
        };
        for name in candidates {
            let shaped = if is_method {
                name == "RCIMIWEngine.create" || name.starts_with(|c: char| c.is_ascii_lowercase())
            } else {
                name.starts_with("on") && name[2..].starts_with(|c: char| c.is_ascii_uppercase())
            };
            if shaped && seen.insert(name.to_owned()) {
                names.push(SurfaceName { area: area.clone(), is_method, name: name.to_owned() });
            }
        }
    }
    names
}

/// The identifiers that open each backticked span of `text` (`` `getMessages(type, …)` `` gives `getMessages`).
fn backticked_names(text: &str) -> Vec<&str> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .filter_map(|span| {
            let end = span.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.')).unwrap_or(span.len());
            let name = &span[..end];
            name.starts_with(|c: char| c.is_ascii_alphabetic()).then_some(name)
        })
        .collect()
}

/// `fooBar` as `foo_bar` (`createGIFMessage` as `create_gif_message`).
fn snake_case(name: &str) -> String {
    let name = name.replace("GIF", "Gif");
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// What reaches `name` in imsim, or `None` while it is planned.
fn implemented_by(name: &SurfaceName) -> Option<String> {
    if name.is_method {
        if name.name == "RCIMIWEngine.create" {
            return Some("`Engine::create(app_key, options, runtime)`".to_owned());
        }
        let method = Method::from_name(&name.name)?;
        return Some(format!("`call: {{ method: {} }}` → `Engine::{}`", method.name(), snake_case(&name.name)));
    }
    listeners().contains_key(&name.name).then(|| format!("`event: {}` (`Event::{}`)", name.name, &name.name[2..]))
}

/// The whole of `docs/API-MAPPING.md` for the spec text `part2`.
pub fn render(part2: &str) -> String {
    let names = surface_names(part2);
    let rows: Vec<(&SurfaceName, Option<String>)> = names.iter().map(|name| (name, implemented_by(name))).collect();
    let implemented = rows.iter().filter(|(_, by)| by.is_some()).count();
    let mut out = String::from(
        "# The manual's API and imsim's\n\n\
         Generated from the spec's \"Full API surface\" (`docs/spec/part2.md`) and the engine's API table by\n\
         `IMSIM_UPDATE_API_MAPPING=1 cargo test --release -p imsim-sim --test api_mapping`; never edit it by hand.\n\n\
         Every method of the table is a variant of `imsim_engine::api::Call` under the manual's name, which a\n\
         scenario calls as `call: { device: a, method: NAME, ...parameters }` and Rust as the typed `Engine` method in\n\
         snake_case (spec README decision 7). Every listener is a variant of `imsim_engine::core::Event`, which a\n\
         scenario expects as `expect: { device: a, event: NAME, ...fields }`. A call's status code (CALL-1) is its\n\
         `Result`: `Ok` for 0, `Err(ImError { code, .. })` otherwise.\n\n",
    );
    let _ = writeln!(out, "{implemented} of {} names implemented.\n", rows.len());
    out.push_str("| area | kind | manual | imsim | status |\n|---|---|---|---|---|\n");
    for (name, by) in &rows {
        let kind = if name.is_method { "method" } else { "listener" };
        let (by, status) = match by {
            Some(by) => (by.as_str(), "implemented"),
            None => ("", "planned"),
        };
        let _ = writeln!(out, "| {} | {kind} | `{}` | {by} | {status} |", name.area, name.name);
    }
    out
}
