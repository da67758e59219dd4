//! The runbook library on disk: every `*.md` under the configured folders (recursively; hidden
//! folders such as `.git` skipped). This is the crate's only I/O.
//!
//! Loading never fails as a whole: each file is a runbook or a [`LoadProblem`], and a folder
//! that is missing or unreadable is a problem too, so one bad file or folder costs nothing of
//! the others. Watching is the caller's: poll [`Library::has_changed`] (a cheap walk that
//! stats files, reads none) every few seconds, or react to a file watcher on
//! [`Library::folders`], then call [`Library::reload_changed`], which re-reads only files
//! whose size or modification time changed.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use crate::link::{match_alert, runbooks_for_service, AlertRef, RunbookMatch};
use crate::model::{LoadProblem, Runbook};
use crate::parse::parse_runbook;

/// Larger files are refused: a runbook is read by a person at 5 a.m., and a runaway file
/// should not stall the app.
pub const MAX_RUNBOOK_BYTES: u64 = 16 * 1024 * 1024;

/// What a file looked like when read: a change in either means reading it again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Stamp {
    modified: Option<(u64, u32)>,
    len: u64,
}

impl Stamp {
    fn of(meta: &fs::Metadata) -> Stamp {
        let modified = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map(|d| (d.as_secs(), d.subsec_nanos()));
        Stamp {
            modified,
            len: meta.len(),
        }
    }
}

#[derive(Debug)]
struct Cached {
    stamp: Stamp,
    outcome: Result<Runbook, LoadProblem>,
}

/// The folders as found on one walk: their Markdown files in load order, and what could not
/// be walked.
struct Scan {
    files: Vec<(PathBuf, Stamp)>,
    problems: Vec<LoadProblem>,
}

/// What a reload did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reloaded {
    /// Files read again: new or changed.
    pub reread: Vec<PathBuf>,
    /// Files gone since the last load.
    pub removed: Vec<PathBuf>,
}

impl Reloaded {
    pub fn is_empty(&self) -> bool {
        self.reread.is_empty() && self.removed.is_empty()
    }
}

#[derive(Debug)]
pub struct Library {
    folders: Vec<PathBuf>,
    files: BTreeMap<PathBuf, Cached>,
    /// By slug; one per slug.
    runbooks: Vec<Runbook>,
    problems: Vec<LoadProblem>,
    fingerprint: u64,
}

impl Library {
    /// Reads every runbook under `folders`. Earlier folders win a slug that two files share.
    pub fn load(folders: &[PathBuf]) -> Library {
        let mut library = Library {
            folders: folders.to_vec(),
            files: BTreeMap::new(),
            runbooks: Vec::new(),
            problems: Vec::new(),
            fingerprint: 0,
        };
        library.reload_changed();
        library
    }

    /// Walks the folders again: reads new files and files whose size or modification time
    /// changed, drops deleted ones, and keeps the rest as parsed. A folder that disappeared
    /// empties its share of the library and becomes a problem; other folders are unaffected.
    pub fn reload_changed(&mut self) -> Reloaded {
        let scan = scan(&self.folders);
        self.fingerprint = fingerprint_of(&scan);
        let mut previous = std::mem::take(&mut self.files);
        let mut reloaded = Reloaded::default();
        let mut order = Vec::with_capacity(scan.files.len());
        for (path, stamp) in scan.files {
            let cached = match previous.remove(&path) {
                Some(cached) if cached.stamp == stamp => cached,
                _ => {
                    reloaded.reread.push(path.clone());
                    Cached {
                        stamp,
                        outcome: read_checked(&path, stamp.len),
                    }
                }
            };
            self.files.insert(path.clone(), cached);
            order.push(path);
        }
        reloaded.removed = previous.into_keys().collect();

        let mut problems = scan.problems;
        let mut first_by_slug: HashMap<&str, &Path> = HashMap::new();
        let mut runbooks = Vec::new();
        for path in &order {
            match &self.files[path].outcome {
                Ok(runbook) => match first_by_slug.get(runbook.slug.as_str()) {
                    Some(first) => problems.push(LoadProblem {
                        path: path.clone(),
                        line: None,
                        message: format!(
                            "runbook \"{}\" is already loaded from {}, which comes first; \
                             this file is ignored (rename one of them)",
                            runbook.slug,
                            first.display()
                        ),
                    }),
                    None => {
                        first_by_slug.insert(&runbook.slug, path);
                        runbooks.push(runbook.clone());
                    }
                },
                Err(problem) => problems.push(problem.clone()),
            }
        }
        runbooks.sort_by(|a, b| a.slug.cmp(&b.slug));
        self.runbooks = runbooks;
        self.problems = problems;
        reloaded
    }

    /// The folders, as given: what a file watcher should watch.
    pub fn folders(&self) -> &[PathBuf] {
        &self.folders
    }

    /// A hash of the folders' state now: which Markdown files exist, their sizes and
    /// modification times, and which folders cannot be read. Stats files, reads none.
    pub fn fingerprint(&self) -> u64 {
        fingerprint_of(&scan(&self.folders))
    }

    /// Whether the folders changed since the last load: poll this, then `reload_changed`.
    pub fn has_changed(&self) -> bool {
        self.fingerprint() != self.fingerprint
    }

    /// The runbooks, by slug.
    pub fn runbooks(&self) -> &[Runbook] {
        &self.runbooks
    }

    pub fn get(&self, slug: &str) -> Option<&Runbook> {
        self.runbooks
            .binary_search_by(|r| r.slug.as_str().cmp(slug))
            .ok()
            .map(|i| &self.runbooks[i])
    }

    /// Files and folders that gave no runbook, in load order.
    pub fn problems(&self) -> &[LoadProblem] {
        &self.problems
    }

    /// The problems of runbooks that did load (a step with an unknown action kind, …).
    pub fn warnings(&self) -> Vec<LoadProblem> {
        self.runbooks.iter().flat_map(Runbook::warnings).collect()
    }

    /// The runbooks `alert` links to, best first (see [`crate::link`]).
    pub fn for_alert(&self, alert: &AlertRef<'_>) -> Vec<RunbookMatch<'_>> {
        match_alert(&self.runbooks, alert)
    }

    pub fn for_service(&self, service: &str) -> Vec<&Runbook> {
        runbooks_for_service(&self.runbooks, service)
    }
}

/// Reads and parses one runbook file: what `opsdeck runbook render FILE` uses.
pub fn read_runbook(path: &Path) -> Result<Runbook, LoadProblem> {
    let meta = fs::metadata(path).map_err(|e| io_problem(path, &e))?;
    read_checked(path, meta.len())
}

fn read_checked(path: &Path, len: u64) -> Result<Runbook, LoadProblem> {
    let problem = |line: Option<usize>, message: String| LoadProblem {
        path: path.to_path_buf(),
        line,
        message,
    };
    if len > MAX_RUNBOOK_BYTES {
        return Err(problem(
            None,
            format!(
                "{len} bytes: runbooks over {} MiB are not loaded",
                MAX_RUNBOOK_BYTES / 1024 / 1024
            ),
        ));
    }
    let bytes = fs::read(path).map_err(|e| io_problem(path, &e))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
        problem(Some(line), "not UTF-8 text".into())
    })?;
    parse_runbook(path, text)
}

fn io_problem(path: &Path, e: &std::io::Error) -> LoadProblem {
    let message = match e.kind() {
        std::io::ErrorKind::NotFound => "not found".to_string(),
        _ => e.to_string(),
    };
    LoadProblem {
        path: path.to_path_buf(),
        line: None,
        message,
    }
}

fn is_markdown(path: &Path) -> bool {
    path.extension()
        .is_some_and(|ext| ext.eq_ignore_ascii_case("md"))
}

fn scan(folders: &[PathBuf]) -> Scan {
    let mut files = Vec::new();
    let mut seen: std::collections::HashSet<PathBuf> = std::collections::HashSet::new();
    let mut problems = Vec::new();
    for folder in folders {
        match fs::metadata(folder) {
            Ok(meta) if meta.is_dir() => {}
            Ok(_) => {
                problems.push(LoadProblem {
                    path: folder.clone(),
                    line: None,
                    message: "runbook folder is not a folder".into(),
                });
                continue;
            }
            Err(e) => {
                let mut p = io_problem(folder, &e);
                p.message = format!("runbook folder {}", p.message);
                problems.push(p);
                continue;
            }
        }
        let walk = walkdir::WalkDir::new(folder)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
        for entry in walk {
            match entry {
                Ok(entry) if entry.file_type().is_file() && is_markdown(entry.path()) => {
                    let path = entry.path().to_path_buf();
                    // Overlapping folders (`a` and `a/b`) must not load a file twice.
                    if !seen.insert(path.clone()) {
                        continue;
                    }
                    match entry.metadata() {
                        Ok(meta) => files.push((path, Stamp::of(&meta))),
                        Err(e) => problems.push(LoadProblem {
                            path,
                            line: None,
                            message: e.to_string(),
                        }),
                    }
                }
                Ok(_) => {}
                // Unreadable subfolders and symlink loops.
                Err(e) => problems.push(LoadProblem {
                    path: e.path().unwrap_or(folder).to_path_buf(),
                    line: None,
                    message: e
                        .io_error()
                        .map_or_else(|| e.to_string(), |io| io.to_string()),
                }),
            }
        }
    }
    Scan { files, problems }
}

fn fingerprint_of(scan: &Scan) -> u64 {
    // Fixed keys: the same state hashes the same across calls.
    let mut h = DefaultHasher::new();
    scan.files.hash(&mut h);
    for p in &scan.problems {
        (&p.path, &p.message).hash(&mut h);
    }
    h.finish()
}
