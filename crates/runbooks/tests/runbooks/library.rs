//! The library on disk, in temporary folders: what loads, what becomes a problem, and what a
//! reload picks up.

use std::fs;
use std::path::{Path, PathBuf};

use opsdeck_runbooks::{read_runbook, Library, MAX_RUNBOOK_BYTES};

fn write(path: &Path, text: &str) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

fn slugs(lib: &Library) -> Vec<&str> {
    lib.runbooks().iter().map(|r| r.slug.as_str()).collect()
}

fn problems(lib: &Library) -> Vec<String> {
    lib.problems().iter().map(|p| p.to_string()).collect()
}

#[test]
fn folders_load_recursively_and_duplicates_go_to_the_first_folder() {
    let dir = tempfile::tempdir().unwrap();
    let team = dir.path().join("team");
    let mine = dir.path().join("mine");
    write(
        &team.join("api-latency.md"),
        "---\nservices: [payments-api]\n---\n- [ ] team step\n",
    );
    write(&team.join("db/DB-Performance.md"), "# DB\n- [ ] a\n");
    write(&team.join(".git/HEAD.md"), "# hidden folders are skipped\n");
    write(&team.join("notes.txt"), "not markdown");
    write(&mine.join("api-latency.md"), "- [ ] my step\n");
    write(&mine.join("mine.MD"), "# upper-case extension\n");

    let lib = Library::load(&[team.clone(), mine.clone()]);
    assert_eq!(slugs(&lib), ["api-latency", "db-performance", "mine"]);
    assert_eq!(
        lib.get("api-latency").unwrap().step(0).unwrap().text,
        "team step"
    );
    assert_eq!(lib.get("db-performance").unwrap().title, "DB");
    assert!(lib.get("head").is_none());
    let p = problems(&lib);
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(
        p[0].starts_with(&format!(
            "{}: runbook \"api-latency\" is already loaded from {}",
            mine.join("api-latency.md").display(),
            team.join("api-latency.md").display()
        )),
        "{p:?}"
    );
    assert_eq!(lib.folders(), [team, mine]);
}

#[test]
fn bad_files_are_problems_and_cost_nothing_of_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    write(
        &root.join("api-latency.md"),
        "---\ntitle: API\nservces: [payments-api]\n---\n",
    );
    write(
        &root.join("good.md"),
        "- [ ] fine\n  ```opsdeck\n  action: kubernetes.scael\n  target: a/b/c\n  ```\n",
    );
    fs::write(root.join("binary.md"), b"# ok\nline two\n\xff\xfe bad").unwrap();
    let huge = fs::File::create(root.join("huge.md")).unwrap();
    // Sparse: the size check refuses it before anything is read.
    huge.set_len(MAX_RUNBOOK_BYTES + 1).unwrap();

    let lib = Library::load(std::slice::from_ref(&root));
    assert_eq!(slugs(&lib), ["good"]);
    let p = problems(&lib);
    let shown = p.join("\n");
    assert_eq!(p.len(), 3, "{shown}");
    assert!(
        shown.contains(&format!(
            "{}:3: front matter: unknown key \"servces\"",
            root.join("api-latency.md").display()
        )),
        "{shown}"
    );
    assert!(
        shown.contains(&format!(
            "{}:3: not UTF-8 text",
            root.join("binary.md").display()
        )),
        "{shown}"
    );
    assert!(
        shown.contains("runbooks over 16 MiB are not loaded"),
        "{shown}"
    );
    // The runbook with a bad step loads, and says what is wrong with it.
    let warnings = lib.warnings();
    assert_eq!(warnings.len(), 1);
    let w = warnings[0].to_string();
    assert!(
        w.starts_with(&format!("{}:3: step 0: ", root.join("good.md").display())),
        "{w}"
    );
    assert!(
        w.contains("unknown action kind \"kubernetes.scael\""),
        "{w}"
    );
    assert!(w.contains("kubernetes.scale"), "{w}");
}

#[test]
fn a_missing_folder_is_a_problem_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let there = dir.path().join("there");
    write(&there.join("a.md"), "# A\n");
    let missing = dir.path().join("missing");
    let file = there.join("a.md");
    let lib = Library::load(&[missing.clone(), there.clone(), file.clone()]);
    assert_eq!(slugs(&lib), ["a"]);
    assert_eq!(
        problems(&lib),
        [
            format!("{}: runbook folder not found", missing.display()),
            format!("{}: runbook folder is not a folder", file.display()),
        ]
    );
    let err = read_runbook(&missing.join("x.md")).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("{}: not found", missing.join("x.md").display())
    );
}

#[test]
fn reload_rereads_changes_drops_deletions_and_survives_a_vanished_folder() {
    let dir = tempfile::tempdir().unwrap();
    let team: PathBuf = dir.path().join("team");
    let other: PathBuf = dir.path().join("other");
    write(&team.join("a.md"), "- [ ] one\n");
    write(&team.join("b.md"), "- [ ] one\n");
    write(&other.join("c.md"), "- [ ] one\n");
    let mut lib = Library::load(&[team.clone(), other.clone()]);
    assert_eq!(slugs(&lib), ["a", "b", "c"]);
    assert!(!lib.has_changed());
    let before = lib.fingerprint();

    // Nothing changed: nothing is read again.
    assert!(lib.reload_changed().is_empty());

    // A longer file (size changes whatever the clock's resolution), a deletion, a new file.
    write(&team.join("a.md"), "- [ ] one\n- [ ] two\n");
    fs::remove_file(team.join("b.md")).unwrap();
    write(&team.join("sub/d.md"), "# D\n");
    assert!(lib.has_changed());
    assert_ne!(lib.fingerprint(), before);
    let reloaded = lib.reload_changed();
    assert_eq!(reloaded.reread, [team.join("a.md"), team.join("sub/d.md")]);
    assert_eq!(reloaded.removed, [team.join("b.md")]);
    assert_eq!(slugs(&lib), ["a", "c", "d"]);
    assert_eq!(lib.get("a").unwrap().step_count(), 2);
    assert!(!lib.has_changed());

    // A file that breaks becomes a problem; fixing it brings it back.
    write(&team.join("a.md"), "---\nbad: key\n---\n");
    lib.reload_changed();
    assert_eq!(slugs(&lib), ["c", "d"]);
    assert_eq!(lib.problems().len(), 1);
    write(&team.join("a.md"), "- [ ] fixed again\n");
    lib.reload_changed();
    assert_eq!(slugs(&lib), ["a", "c", "d"]);
    assert!(lib.problems().is_empty());

    // The whole folder goes (a git checkout being re-cloned): its runbooks go, the other
    // folder's stay, and the problem names the folder.
    fs::remove_dir_all(&team).unwrap();
    assert!(lib.has_changed());
    let reloaded = lib.reload_changed();
    assert_eq!(reloaded.removed.len(), 2);
    assert_eq!(slugs(&lib), ["c"]);
    assert_eq!(
        problems(&lib),
        [format!("{}: runbook folder not found", team.display())]
    );

    // And it comes back.
    write(&team.join("a.md"), "- [ ] back\n");
    lib.reload_changed();
    assert_eq!(slugs(&lib), ["a", "c"]);
    assert!(lib.problems().is_empty());
}

#[cfg(unix)]
#[test]
fn symlink_loops_are_reported_not_followed_forever() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root");
    write(&root.join("a.md"), "# A\n");
    std::os::unix::fs::symlink(&root, root.join("loop")).unwrap();
    let lib = Library::load(std::slice::from_ref(&root));
    assert_eq!(slugs(&lib), ["a"]);
    assert_eq!(lib.problems().len(), 1, "{:?}", problems(&lib));
}
