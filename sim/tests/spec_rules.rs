//! `sim/src/spec/rules.tsv` is what `docs/spec/` gives: the rule list is generated from the spec, never kept by
//! hand. When the spec changes, this test fails and says how to regenerate the file; with `IMSIM_UPDATE_RULES=1` it
//! writes the file instead (then review the diff and commit it, as with a snapshot).

use std::path::{Path, PathBuf};

use imsim_sim::spec::{REGENERATE_COMMAND, SPEC_DIR, SPEC_PARTS, derive_rules_tsv};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[test]
fn rules_tsv_is_generated_from_the_spec() {
    let texts: Vec<(&str, String)> = SPEC_PARTS
        .iter()
        .map(|part| {
            let path = root().join(SPEC_DIR).join(part);
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
            (*part, text)
        })
        .collect();
    let parts: Vec<(&str, &str)> = texts.iter().map(|(part, text)| (*part, text.as_str())).collect();
    let derived = derive_rules_tsv(&parts);
    let committed_path = root().join("sim/src/spec/rules.tsv");
    let committed = std::fs::read_to_string(&committed_path).unwrap_or_default();
    if derived == committed {
        return;
    }
    if std::env::var("IMSIM_UPDATE_RULES").is_ok_and(|value| value == "1") {
        std::fs::write(&committed_path, &derived).expect("rules.tsv is writable");
        eprintln!("wrote {}; review the diff and commit it", committed_path.display());
        return;
    }
    let (line, want, have) = derived
        .lines()
        .map(Some)
        .chain(std::iter::repeat(None))
        .zip(committed.lines().map(Some).chain(std::iter::repeat(None)))
        .enumerate()
        .find(|(_, (want, have))| want != have)
        .map(|(index, (want, have))| (index + 1, want.unwrap_or("(nothing)"), have.unwrap_or("(nothing)")))
        .expect("the texts differ, so some line does");
    panic!(
        "sim/src/spec/rules.tsv is stale: it is not what {SPEC_DIR}/ gives.\n  first difference, line {line}:\n    \
         spec gives: {want}\n    file has:   {have}\nregenerate it with `{REGENERATE_COMMAND}`, review the diff and \
         commit it"
    );
}
