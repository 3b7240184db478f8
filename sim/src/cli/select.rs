//! Choosing scenarios: `--filter TEXT` (in the path or the name) and `--rule ID` (the scenarios that claim a rule),
//! shared by `imsim run` and `imsim list`.

use std::path::PathBuf;

use crate::scenario::{Scenario, ScenarioError, load_scenario};

/// Which scenarios to take; both conditions must hold, and an absent one holds for all.
#[derive(Clone, Debug, Default)]
pub(super) struct Selection {
    /// Text the path or the scenario's name contains.
    pub(super) filter: Option<String>,
    /// A rule ID the scenario claims in `rules:`.
    pub(super) rule: Option<String>,
}

/// A scenario file, loaded or not.
pub(super) struct Candidate {
    pub(super) path: PathBuf,
    pub(super) loaded: Result<Scenario, ScenarioError>,
}

impl Selection {
    /// Refuses a `--rule` that names no rule of the spec, so a typo is not mistaken for "nothing checks it".
    pub(super) fn validate(&self) -> Result<(), String> {
        match &self.rule {
            Some(rule) if crate::spec::rule(rule).is_none() => {
                Err(format!("--rule {rule}: the spec has no rule {rule} (rule IDs look like CONN-16 or CR-4)"))
            }
            _ => Ok(()),
        }
    }

    fn is_everything(&self) -> bool {
        self.filter.is_none() && self.rule.is_none()
    }

    /// Whether `candidate` is chosen. A file that does not load is chosen by a filter its path matches, or when
    /// nothing narrows the choice (so its error is reported); it never matches a rule, having none it can claim.
    fn chooses(&self, candidate: &Candidate) -> bool {
        if self.is_everything() {
            return true;
        }
        let path = candidate.path.display().to_string();
        match &candidate.loaded {
            Ok(scenario) => {
                let filtered =
                    self.filter.as_ref().is_none_or(|text| path.contains(text) || scenario.name.contains(text));
                let ruled = self.rule.as_ref().is_none_or(|rule| {
                    scenario
                        .rules
                        .iter()
                        .chain(scenario.partial.iter().map(|claim| &claim.rule))
                        .any(|claimed| claimed.as_str() == rule)
                });
                filtered && ruled
            }
            Err(_) => self.rule.is_none() && self.filter.as_ref().is_some_and(|text| path.contains(text)),
        }
    }

    /// Loads `files` and keeps the chosen ones, in order.
    pub(super) fn choose(&self, files: &[PathBuf]) -> Vec<Candidate> {
        files
            .iter()
            .map(|path| Candidate { path: path.clone(), loaded: load_scenario(path) })
            .filter(|candidate| self.chooses(candidate))
            .collect()
    }
}

/// `imsim list`: one line per chosen scenario (its path, name, the rules it claims in full and those it claims in
/// part), then the totals, which count only full claims.
pub(super) fn render_list(candidates: &[Candidate]) -> String {
    let mut out = String::new();
    let mut rules = std::collections::BTreeSet::new();
    for candidate in candidates {
        let path = candidate.path.display();
        match &candidate.loaded {
            Ok(scenario) => {
                let claimed: Vec<String> = scenario.rules.iter().map(ToString::to_string).collect();
                rules.extend(claimed.iter().cloned());
                let in_part: Vec<String> = scenario.partial.iter().map(|claim| claim.rule.to_string()).collect();
                let in_part =
                    if in_part.is_empty() { String::new() } else { format!(" in part: [{}]", in_part.join(", ")) };
                out.push_str(&format!("{path}\n  {}\n  [{}]{in_part}\n", scenario.name, claimed.join(", ")));
            }
            Err(error) => out.push_str(&format!("{path}\n  does not load: {error}\n")),
        }
    }
    out.push_str(&format!("\n{} scenarios claiming {} rules\n", candidates.len(), rules.len()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn candidate(path: &str, yaml: &str) -> Candidate {
        Candidate { path: PathBuf::from(path), loaded: crate::scenario::parse_scenario(Path::new(path), yaml) }
    }

    fn scenario(name: &str, rules: &str) -> String {
        format!("name: {name}\nrules: [{rules}]\nseed: 1\ndevices: {{ a: {{ user: u }} }}\nsteps:\n  - connect: a\n")
    }

    #[test]
    fn a_filter_matches_the_path_or_the_name_and_a_rule_the_claims() {
        let chatroom = candidate("scenarios/chatrooms/join.yaml", &scenario("joining a room", "CR-1, CR-2"));
        let connect = candidate("scenarios/connection/ok.yaml", &scenario("a connect succeeds", "CONN-4"));
        let broken = candidate("scenarios/chatrooms/broken.yaml", "name: [");
        let select = |filter: Option<&str>, rule: Option<&str>| {
            let selection = Selection { filter: filter.map(str::to_owned), rule: rule.map(str::to_owned) };
            [&chatroom, &connect, &broken].iter().filter(|c| selection.chooses(c)).count()
        };
        assert_eq!(select(None, None), 3);
        assert_eq!(select(Some("chatrooms/"), None), 2, "the path, the broken file included");
        assert_eq!(select(Some("connect succeeds"), None), 1, "the name");
        assert_eq!(select(None, Some("CR-2")), 1);
        assert_eq!(select(None, Some("CR-20")), 0, "a rule is matched whole, not as a prefix");
        assert_eq!(select(Some("chatrooms/"), Some("CONN-4")), 0, "both must hold");
    }

    #[test]
    fn a_rule_the_spec_does_not_have_is_refused() {
        let selection = Selection { filter: None, rule: Some("CONN-999".into()) };
        assert_eq!(
            selection.validate(),
            Err("--rule CONN-999: the spec has no rule CONN-999 (rule IDs look like CONN-16 or CR-4)".into())
        );
        assert_eq!(Selection { filter: None, rule: Some("CONN-4".into()) }.validate(), Ok(()));
    }
}
