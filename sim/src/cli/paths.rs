//! Which scenario files a run visits, and whether the report can be written, decided before anything runs.
//!
//! - **Directories** are walked with walkdir, each directory's entries in file-name order, and every file whose name
//!   ends in `.yaml` or `.yml`, in any case (`.YAML`, `.Yml`), is a scenario. A file given by name is a scenario
//!   whatever its name.
//! - **Symlinks are followed**, so a `scenarios/` that links in another directory of scenarios runs them, and a
//!   symlinked file counts like a file. A link that leads back to one of its own ancestors is a loop: walkdir
//!   detects it (by comparing the directories themselves, not their names), and it is skipped with a warning, so a
//!   directory holding a link to itself runs its scenarios once, and two such links do not multiply the walk. A path
//!   on the command line whose links never reach a file or directory is refused as a "symlink loop".
//! - **A file reached twice** (given twice, given and also inside a given directory, or through two links) runs
//!   once: files are deduplicated by canonical path, keeping the first way the file was reached. The order is the
//!   order of the paths given, each directory in sorted order, so every run visits the files alike.
//! - **A path with no scenarios** is a usage error, "no scenarios found under PATH": it is nearly always a typo.

use std::collections::BTreeSet;
use std::fs::OpenOptions;
use std::io;
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

/// What the paths of a run hold.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Found {
    /// The scenario files, each once, in the order they are run.
    pub files: Vec<PathBuf>,
    /// What was skipped, and why (symlink loops), for stderr.
    pub warnings: Vec<String>,
}

/// The scenario files under `paths` (see the module documentation), or why the run cannot start.
pub fn find_scenarios(paths: &[PathBuf]) -> Result<Found, String> {
    let mut found = Found::default();
    let mut seen = BTreeSet::new();
    for path in paths {
        let metadata = std::fs::metadata(path).map_err(|error| unreadable(path, &error))?;
        let mut here = Vec::new();
        if metadata.is_dir() {
            for entry in WalkDir::new(path).follow_links(true).sort_by_file_name() {
                match entry {
                    Ok(entry) => {
                        if entry.file_type().is_file() && has_scenario_extension(entry.path()) {
                            here.push(entry.into_path());
                        }
                    }
                    Err(error) => match (error.loop_ancestor(), error.path()) {
                        (Some(ancestor), Some(link)) => found.warnings.push(format!(
                            "skipped {}: symlink loop (it leads back to {})",
                            link.display(),
                            ancestor.display()
                        )),
                        (_, place) => {
                            let place = place.unwrap_or(path);
                            return Err(match error.io_error() {
                                Some(io_error) => unreadable(place, io_error),
                                None => format!("cannot read {}: {error}", place.display()),
                            });
                        }
                    },
                }
            }
        } else {
            here.push(path.clone());
        }
        if here.is_empty() {
            return Err(format!("no scenarios found under {} (scenarios are *.yaml or *.yml files)", path.display()));
        }
        for file in here {
            let canonical = std::fs::canonicalize(&file).map_err(|error| unreadable(&file, &error))?;
            if seen.insert(canonical) {
                found.files.push(file);
            }
        }
    }
    Ok(found)
}

/// The scenario files under `paths`, as [`find_scenarios`] finds them, without its warnings.
pub fn scenario_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    find_scenarios(paths).map(|found| found.files)
}

/// Whether `path` names a scenario: it ends in `.yaml` or `.yml`, in any case.
pub fn has_scenario_extension(path: &Path) -> bool {
    path.extension().is_some_and(|ext| ext.eq_ignore_ascii_case("yaml") || ext.eq_ignore_ascii_case("yml"))
}

/// Why `path` cannot be used, in words: a symlink loop, a dangling symlink, a path that does not exist.
fn unreadable(path: &Path, error: &io::Error) -> String {
    if is_symlink_loop(error) {
        return format!("{}: symlink loop (following its links never reaches a file or directory)", path.display());
    }
    if error.kind() == io::ErrorKind::NotFound {
        return match std::fs::read_link(path) {
            Ok(target) => format!("{} is a symlink to {}, which does not exist", path.display(), target.display()),
            Err(_) => format!("{} does not exist", path.display()),
        };
    }
    format!("cannot read {}: {error}", path.display())
}

/// Whether the OS gave up resolving a path because its symlinks loop (ELOOP).
fn is_symlink_loop(error: &io::Error) -> bool {
    #[cfg(unix)]
    {
        error.raw_os_error() == Some(libc::ELOOP)
    }
    #[cfg(not(unix))]
    {
        let _ = error;
        false
    }
}

/// Checks that the report can be written to `path`, before the run, so a long run does not end in an error. The
/// check opens the file for writing (without truncating it); a file the check created is removed again.
pub fn check_report_writable(path: &Path) -> Result<(), String> {
    let refuse = |why: String| Err(format!("cannot write the report to {}: {why}", path.display()));
    if path.is_dir() {
        return refuse("it is a directory".to_owned());
    }
    let existed = path.exists();
    match OpenOptions::new().write(true).create(true).truncate(false).open(path) {
        Ok(_) => {
            if !existed {
                let _ = std::fs::remove_file(path);
            }
            Ok(())
        }
        Err(error) if error.kind() == io::ErrorKind::NotFound => {
            let parent = path.parent().filter(|parent| !parent.as_os_str().is_empty()).unwrap_or(Path::new("."));
            refuse(format!("its directory {} does not exist", parent.display()))
        }
        Err(error) => refuse(error.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scenario_extensions_match_in_any_case() {
        for name in ["a.yaml", "a.yml", "a.YAML", "a.Yml", "dir.d/a.yAmL"] {
            assert!(has_scenario_extension(Path::new(name)), "{name}");
        }
        for name in ["a.json", "yaml", "a.yaml.bak", "a.ya ml", ".yaml"] {
            assert!(!has_scenario_extension(Path::new(name)), "{name}");
        }
    }
}
