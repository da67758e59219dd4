//! A runbook from its file's text: front matter, then steps grouped by headings, each with
//! its action or command. Only front matter errors stop a file from loading; a step whose
//! action is wrong loads with its `problem` set, so the rest of the runbook stays usable
//! during an incident.

use std::path::{Path, PathBuf};

use crate::action::parse_action;
use crate::front_matter::{self, FrontMatter};
use crate::link::normalize_url;
use crate::model::{LoadProblem, Runbook, RunbookProblem, Section, Step};
use crate::outline::{outline, Outline};

/// The slug of a runbook file: its stem, lowercased.
pub fn slug_of_path(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().to_lowercase())
        .unwrap_or_default()
}

/// Parses a runbook. `path` names it in errors and gives its slug; nothing is read from it.
pub fn parse_runbook(
    path: impl Into<PathBuf>,
    source: impl Into<String>,
) -> Result<Runbook, LoadProblem> {
    let path = path.into();
    let source = source.into();
    let problem = |line: usize, message: String| LoadProblem {
        path: path.clone(),
        line: Some(line),
        message,
    };
    let split = front_matter::split(&source).map_err(|e| problem(e.line, e.to_string()))?;
    let fm = match split.yaml {
        Some((yaml, first_line)) => {
            front_matter::parse(yaml, first_line).map_err(|e| problem(e.line, e.to_string()))?
        }
        None => FrontMatter::default(),
    };
    let body_start = split.body_start;
    let lines = LineIndex::new(&source);
    let line_of = |body_offset: usize| lines.line_of(body_start + body_offset);

    let out: Outline<'_> = outline(&source[body_start..]);
    let mut sections: Vec<Section> = std::iter::once(Section {
        heading: None,
        level: 0,
        steps: Vec::new(),
    })
    .chain(out.headings.iter().map(|h| Section {
        heading: Some(collapse(&h.text)),
        level: h.level,
        steps: Vec::new(),
    }))
    .collect();

    for (index, span) in out.steps.iter().enumerate() {
        let line = line_of(span.offset);
        let mut step = Step {
            index,
            text: collapse(&span.text),
            line,
            checked: span.checked,
            action: None,
            command: span.command.as_ref().map(|b| b.content.clone()),
            problem: None,
            problem_line: line,
        };
        if let Some(block) = &span.action {
            match parse_action(&block.content, line_of(block.offset) + 1) {
                Ok(action) => step.action = Some(action),
                Err((at, message)) => {
                    step.problem = Some(message);
                    step.problem_line = at;
                }
            }
        }
        if let (Some(&extra), None) = (span.extra_actions.first(), &step.problem) {
            step.problem = Some(
                "more than one ```opsdeck block under this step: only the first is used".into(),
            );
            step.problem_line = line_of(extra);
        }
        sections[span.section].steps.push(step);
    }

    let title = fm
        .title
        .clone()
        .filter(|t| !t.is_empty())
        .or_else(|| {
            sections
                .iter()
                .find(|s| s.level == 1)
                .and_then(|s| s.heading.clone())
                .filter(|t| !t.is_empty())
        })
        .unwrap_or_else(|| slug_of_path(&path));
    sections.retain(|s| !s.steps.is_empty());

    let problems = out
        .orphan_actions
        .iter()
        .map(|&offset| RunbookProblem {
            line: line_of(offset),
            message: "this ```opsdeck block is under no checklist step (`- [ ] …`): it is shown \
                      but offers no action"
                .into(),
        })
        .collect();

    Ok(Runbook {
        slug: slug_of_path(&path),
        title,
        services: fm.services,
        alias_keys: fm.aliases.iter().map(|a| normalize_url(a)).collect(),
        aliases: fm.aliases,
        rules: fm.alerts.iter().map(|(_, rule)| rule.clone()).collect(),
        alerts: fm.alerts.into_iter().map(|(text, _)| text).collect(),
        tags: fm.tags,
        sections,
        problems,
        path,
        body_start,
        source,
    })
}

/// Whitespace runs (line breaks in a paragraph) as one space.
fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Byte offsets to 1-based lines, by binary search over line starts.
struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    fn new(text: &str) -> LineIndex {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        LineIndex { starts }
    }

    fn line_of(&self, offset: usize) -> usize {
        self.starts.partition_point(|&start| start <= offset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use opsdeck_domain::ActionKind;

    const API_LATENCY: &str = "\
---
title: API latency
services: [payments-api]
alerts:
  - APIResponseTimeCritical
---
# API latency runbook

Intro text.

- [ ] Acknowledge the page
## Mitigate
- [x] Check the dashboard
- [ ] Scale up {{service}}
  ```opsdeck
  action: kubernetes.scale
  service: \"{{service}}\"
  replicas: 6
  ```
- [ ] Look at the pods
  ```sh
  kubectl -n {{namespace}} get pods
  ```

```opsdeck
action: pagerduty.note
target: x
```
";

    #[test]
    fn steps_sections_lines_and_blocks() {
        let rb = parse_runbook("runbooks/API-Latency.md", API_LATENCY).unwrap();
        assert_eq!(rb.slug, "api-latency");
        assert_eq!(rb.title, "API latency");
        assert_eq!(rb.services, ["payments-api"]);
        assert_eq!(rb.alerts, ["APIResponseTimeCritical"]);
        let heads: Vec<_> = rb
            .sections
            .iter()
            .map(|s| (s.heading.as_deref(), s.level, s.steps.len()))
            .collect();
        assert_eq!(
            heads,
            [
                (Some("API latency runbook"), 1, 1),
                (Some("Mitigate"), 2, 3)
            ]
        );
        let steps: Vec<_> = rb.steps().collect();
        assert_eq!(steps.len(), 4);
        assert_eq!(rb.step_count(), 4);
        assert_eq!(
            steps
                .iter()
                .map(|s| (s.index, s.line, s.checked))
                .collect::<Vec<_>>(),
            [
                (0, 11, false),
                (1, 13, true),
                (2, 14, false),
                (3, 20, false)
            ]
        );
        assert_eq!(steps[2].text, "Scale up {{service}}");
        let action = steps[2].action.as_ref().unwrap();
        assert_eq!(action.kind, ActionKind::KubernetesScale);
        assert_eq!(action.service.as_deref(), Some("{{service}}"));
        assert_eq!(action.params["replicas"], "6");
        assert_eq!(
            steps[3].command.as_deref(),
            Some("kubectl -n {{namespace}} get pods\n")
        );
        assert_eq!(rb.step(3).unwrap().text, "Look at the pods");
        // The last block stands after a blank line: under no step.
        assert_eq!(steps[3].action, None);
        assert_eq!(rb.problems.len(), 1);
        assert_eq!(rb.problems[0].line, 25);
        assert!(rb.problems[0].message.contains("under no checklist step"));
    }

    #[test]
    fn an_unknown_action_kind_is_the_steps_problem_with_file_line_and_known_kinds() {
        let src = "# T\n\n- [ ] Scale\n  ```opsdeck\n  action: kubernetes.scael\n  target: a/b/c\n  ```\n- [ ] Next\n";
        let rb = parse_runbook("runbooks/x.md", src).unwrap();
        let step = rb.step(0).unwrap();
        assert!(step.action.is_none());
        let problem = step.problem.as_deref().unwrap();
        assert!(problem.contains("\"kubernetes.scael\""), "{problem}");
        assert!(problem.contains("kubernetes.scale"), "{problem}");
        assert_eq!(rb.step(1).unwrap().problem, None);
        let warnings = rb.warnings();
        assert_eq!(warnings.len(), 1);
        let shown = warnings[0].to_string();
        assert!(shown.starts_with("runbooks/x.md:5: step 0: "), "{shown}");
        assert!(shown.contains("unknown action kind"), "{shown}");
    }

    #[test]
    fn front_matter_errors_name_file_and_line() {
        let src = "---\ntitle: x\nservces: [a]\n---\n- [ ] a\n";
        let err = parse_runbook("runbooks/api-latency.md", src).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("runbooks/api-latency.md:3: front matter: unknown key \"servces\""),
            "{err}"
        );
        let bad_yaml = "---\ntitle: x\nservices: [a\n---\n";
        let err = parse_runbook("r.md", bad_yaml).unwrap_err();
        assert!(err.line.unwrap() >= 3, "{err}");
        assert!(err.to_string().contains("front matter:"), "{err}");
        let unclosed = "---\ntitle: x\n";
        assert_eq!(parse_runbook("r.md", unclosed).unwrap_err().line, Some(1));
    }

    #[test]
    fn orphan_and_duplicate_action_blocks_are_reported() {
        let src = "Intro\n\n```opsdeck\naction: pagerduty.note\ntarget: x\n```\n\n- [ ] a\n  ```opsdeck\n  action: pagerduty.note\n  target: x\n  ```\n  ```opsdeck\n  action: pagerduty.resolve\n  target: x\n  ```\n";
        let rb = parse_runbook("r.md", src).unwrap();
        assert_eq!(rb.problems.len(), 1);
        assert_eq!(rb.problems[0].line, 3);
        let step = rb.step(0).unwrap();
        assert_eq!(
            step.action.as_ref().unwrap().kind,
            ActionKind::PagerdutyNote
        );
        assert!(step.problem.as_deref().unwrap().contains("more than one"));
        assert_eq!(step.problem_line, 13);
    }

    #[test]
    fn titles_fall_back_to_the_first_h1_then_the_slug() {
        assert_eq!(
            parse_runbook("a/Disk-Full.md", "## Sub\n# Main\n")
                .unwrap()
                .title,
            "Main"
        );
        assert_eq!(
            parse_runbook("a/Disk-Full.md", "text").unwrap().title,
            "disk-full"
        );
        assert_eq!(
            parse_runbook("a/x.md", "---\ntitle: ''\n---\n# H\n")
                .unwrap()
                .title,
            "H"
        );
    }

    #[test]
    fn line_index() {
        let idx = LineIndex::new("a\nbc\n\nd");
        assert_eq!(
            [0, 1, 2, 4, 5, 6].map(|o| idx.line_of(o)),
            [1, 1, 2, 2, 3, 4]
        );
    }
}
