//! "This step was wrong": suggested step texts turned into a unified diff of the runbook file,
//! for its owners to apply (`git apply`) or review like any change.

use similar::TextDiff;

use crate::model::Runbook;

/// Where a checklist item's text starts on its line: after `- [ ] ` (or `* [x] `…).
fn text_start(line: &str) -> Option<usize> {
    let marker = line.find("] ")?;
    let before = line[..marker].trim_start();
    let is_item =
        (before.starts_with("- [") || before.starts_with("* [") || before.starts_with("+ ["))
            && before.len() == 4;
    is_item.then_some(marker + 2)
}

/// A unified diff replacing the text of each step in `edits` (step index, new text) in
/// `runbook`'s file, named `display_path` in its headers; `None` when nothing would change
/// (no edits, or steps the file no longer has).
///
/// A step's text is its item's first paragraph: the item's line after the checkbox and the
/// more-indented lines that continue it; its code blocks and sub-items stay.
pub fn suggestion_patch(
    runbook: &Runbook,
    edits: &[(usize, String)],
    display_path: &str,
) -> Option<String> {
    let old = runbook.source.as_str();
    let lines: Vec<&str> = old.split_inclusive('\n').collect();
    let mut new: Vec<Option<String>> = lines.iter().map(|l| Some((*l).to_string())).collect();
    for (index, text) in edits {
        let Some(step) = runbook.step(*index) else {
            continue;
        };
        let i = step.line.saturating_sub(1);
        let Some(line) = lines.get(i) else { continue };
        let Some(start) = text_start(line) else {
            continue;
        };
        let ending = if line.ends_with("\r\n") {
            "\r\n"
        } else if line.ends_with('\n') {
            "\n"
        } else {
            ""
        };
        let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
        new[i] = Some(format!("{}{one_line}{ending}", &line[..start]));
        let indent = line.len() - line.trim_start().len();
        for (j, next) in lines.iter().enumerate().skip(i + 1) {
            let body = next.trim_start();
            let continues = !body.trim().is_empty()
                && next.len() - body.len() > indent
                && !body.starts_with("```")
                && !body.starts_with("~~~")
                && text_start(next).is_none()
                && !body.starts_with("- ")
                && !body.starts_with("* ");
            if !continues {
                break;
            }
            new[j] = None;
        }
    }
    let new: String = new.into_iter().flatten().collect();
    if new == old {
        return None;
    }
    Some(
        TextDiff::from_lines(old, new.as_str())
            .unified_diff()
            .context_radius(3)
            .header(&format!("a/{display_path}"), &format!("b/{display_path}"))
            .to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_runbook;

    const TEXT: &str = "# Pool\n\n## Diagnose\n\n- [ ] Find what holds the\n      connections for too long\n\n  ```sh\n  psql -c 'select 1'\n  ```\n\n- [x] Check the deploys\n";

    #[test]
    fn a_suggestion_replaces_the_steps_text_and_keeps_its_command() {
        let runbook = parse_runbook("runbooks/pool.md", TEXT).expect("parses");
        let patch = suggestion_patch(
            &runbook,
            &[(
                0,
                "Find the transactions open for more than a minute".into(),
            )],
            "pool.md",
        )
        .expect("a change");
        assert!(
            patch.starts_with("--- a/pool.md\n+++ b/pool.md\n"),
            "{patch}"
        );
        assert!(patch.contains("-- [ ] Find what holds the\n"), "{patch}");
        assert!(
            patch.contains("-      connections for too long\n"),
            "{patch}"
        );
        assert!(
            patch.contains("+- [ ] Find the transactions open for more than a minute\n"),
            "{patch}"
        );
        assert!(!patch.contains("-  psql"), "the command stays: {patch}");

        let ticked = suggestion_patch(
            &runbook,
            &[(1, "Check the deploys of the last hour".into())],
            "pool.md",
        )
        .expect("a change");
        assert!(
            ticked.contains("+- [x] Check the deploys of the last hour\n"),
            "{ticked}"
        );
    }

    #[test]
    fn nothing_to_change_is_no_patch() {
        let runbook = parse_runbook("runbooks/pool.md", TEXT).expect("parses");
        assert_eq!(suggestion_patch(&runbook, &[], "pool.md"), None);
        assert_eq!(
            suggestion_patch(&runbook, &[(9, "x".into())], "pool.md"),
            None,
            "no step 9"
        );
        assert_eq!(
            suggestion_patch(&runbook, &[(1, "Check the deploys".into())], "pool.md"),
            None,
            "the same text"
        );
    }
}
