//! One walk over the Markdown's events that finds what parsing and rendering both need: the
//! checklist steps, the headings that group them, and the fenced blocks that belong to a step.
//! Parsing and rendering share it, so the step the app ticks is the step the HTML numbers.
//!
//! A fenced block belongs to a step when it is inside the step's list item (indented under it),
//! or when it directly follows a list whose last item is a step, with no blank line between —
//! authors often write the fence flush left right under the item, which ends the list in
//! CommonMark. Such a block is moved into that item when rendering. Blocks chain: a ```` ```opsdeck ```` and a
//! ```` ```sh ```` right after each other both go to the step.

use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};

/// The Markdown dialect of runbooks: GitHub's tables, strikethrough and task lists.
pub(crate) fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BlockKind {
    /// ```` ```opsdeck ````
    Action,
    /// ```` ```sh ````, `bash`, `shell`, `zsh` or no language
    Command,
}

/// A fenced block that belongs to a step.
#[derive(Debug, Clone)]
pub(crate) struct Block {
    /// Indices in [`Outline::events`] of its start and end events.
    pub start: usize,
    pub end: usize,
    /// Byte offset of the opening fence in the Markdown.
    pub offset: usize,
    pub content: String,
    /// Written after the list, not inside the item: rendering moves it into the item.
    pub moved: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct StepSpan {
    /// Indices in [`Outline::events`] of the item's start and end.
    pub item: usize,
    pub end: usize,
    /// Byte offset of the item in the Markdown.
    pub offset: usize,
    pub checked: bool,
    /// The item's first paragraph as text, whitespace not yet collapsed.
    pub text: String,
    /// How many headings come before the step: its section.
    pub section: usize,
    pub action: Option<Block>,
    pub command: Option<Block>,
    /// Offsets of further ```` ```opsdeck ```` blocks under the step, which are not used.
    pub extra_actions: Vec<usize>,
}

#[derive(Debug, Clone)]
pub(crate) struct HeadingSpan {
    pub level: u8,
    pub text: String,
}

pub(crate) struct Outline<'a> {
    pub events: Vec<(Event<'a>, Range<usize>)>,
    pub steps: Vec<StepSpan>,
    pub headings: Vec<HeadingSpan>,
    /// Offsets of ```` ```opsdeck ```` blocks under no step.
    pub orphan_actions: Vec<usize>,
}

#[derive(Clone, Copy)]
enum TextTarget {
    Step(usize),
    Heading(usize),
}

/// An open list item: its start event, offset and step (if it has a task marker).
struct OpenItem {
    start: usize,
    offset: usize,
    step: Option<usize>,
}

/// A fenced block being read.
struct OpenBlock {
    start: usize,
    offset: usize,
    kind: Option<BlockKind>,
    content: String,
}

pub(crate) fn outline(markdown: &str) -> Outline<'_> {
    let events: Vec<(Event<'_>, Range<usize>)> = Parser::new_ext(markdown, options())
        .into_offset_iter()
        .collect();
    let mut steps: Vec<StepSpan> = Vec::new();
    let mut headings: Vec<HeadingSpan> = Vec::new();
    let mut orphan_actions = Vec::new();
    let mut items: Vec<OpenItem> = Vec::new();
    // For each open list, the step of its last closed item (None if that item is no step).
    let mut lists: Vec<Option<usize>> = Vec::new();
    // The step a block written right here would follow: (step, index of the last event of
    // the list, or of the block last moved after it).
    let mut after_list: Option<(usize, usize)> = None;
    let mut text: Option<TextTarget> = None;
    let mut block: Option<OpenBlock> = None;

    for (i, (event, range)) in events.iter().enumerate() {
        if let Some(open) = block.as_mut() {
            match event {
                Event::Text(t) => {
                    open.content.push_str(t);
                    continue;
                }
                Event::End(TagEnd::CodeBlock) => {}
                _ => continue,
            }
        }
        match event {
            Event::Start(Tag::Item) => items.push(OpenItem {
                start: i,
                offset: range.start,
                step: None,
            }),
            Event::TaskListMarker(checked) => {
                // pulldown-cmark emits the marker only first thing in an item.
                if let Some(item) = items.last_mut().filter(|item| item.step.is_none()) {
                    let s = steps.len();
                    item.step = Some(s);
                    steps.push(StepSpan {
                        item: item.start,
                        end: item.start,
                        offset: item.offset,
                        checked: *checked,
                        text: String::new(),
                        section: headings.len(),
                        action: None,
                        command: None,
                        extra_actions: Vec::new(),
                    });
                    text = Some(TextTarget::Step(s));
                }
            }
            Event::End(TagEnd::Item) => {
                let step = items.pop().and_then(|item| item.step);
                if let Some(s) = step {
                    steps[s].end = i;
                }
                if matches!(text, Some(TextTarget::Step(_))) {
                    text = None;
                }
                if let Some(last) = lists.last_mut() {
                    *last = step;
                }
            }
            Event::Start(Tag::List(_)) => {
                lists.push(None);
                stop_step_text(&mut text);
            }
            Event::End(TagEnd::List(_)) => {
                if let Some(Some(s)) = lists.pop() {
                    after_list = Some((s, i));
                }
            }
            Event::Start(Tag::Heading { level, .. }) => {
                headings.push(HeadingSpan {
                    level: *level as u8,
                    text: String::new(),
                });
                text = Some(TextTarget::Heading(headings.len() - 1));
            }
            Event::End(TagEnd::Heading(_)) => text = None,
            Event::End(TagEnd::Paragraph) => stop_step_text(&mut text),
            Event::Start(Tag::CodeBlock(kind)) => {
                stop_step_text(&mut text);
                block = Some(OpenBlock {
                    start: i,
                    offset: range.start,
                    kind: match kind {
                        CodeBlockKind::Fenced(info) => classify(info),
                        CodeBlockKind::Indented => None,
                    },
                    content: String::new(),
                });
            }
            Event::End(TagEnd::CodeBlock) => {
                let Some(open) = block.take() else { continue };
                let Some(kind) = open.kind else { continue };
                // The innermost item, if it is a step, owns the block; otherwise a step whose
                // list ends right before it.
                let owner = match items.last() {
                    Some(OpenItem { step: Some(s), .. }) => Some((*s, false)),
                    _ => after_list
                        .filter(|&(_, last)| last + 1 == open.start)
                        .filter(|_| !follows_blank_line(markdown, open.offset))
                        .map(|(s, _)| (s, true)),
                };
                let Some((s, moved)) = owner else {
                    if kind == BlockKind::Action {
                        orphan_actions.push(open.offset);
                    }
                    continue;
                };
                let slot = match kind {
                    BlockKind::Action => &mut steps[s].action,
                    BlockKind::Command => &mut steps[s].command,
                };
                if slot.is_none() {
                    *slot = Some(Block {
                        start: open.start,
                        end: i,
                        offset: open.offset,
                        content: open.content,
                        moved,
                    });
                    if moved {
                        after_list = Some((s, i));
                    }
                } else if kind == BlockKind::Action {
                    steps[s].extra_actions.push(open.offset);
                }
                // A second shell block is just another snippet: it renders where it is.
            }
            Event::Start(
                Tag::BlockQuote(_)
                | Tag::HtmlBlock
                | Tag::Table(_)
                | Tag::FootnoteDefinition(_)
                | Tag::DefinitionList,
            ) => stop_step_text(&mut text),
            Event::Text(t) | Event::Code(t) | Event::InlineMath(t) | Event::DisplayMath(t) => {
                match text {
                    Some(TextTarget::Step(s)) => steps[s].text.push_str(t),
                    Some(TextTarget::Heading(h)) => headings[h].text.push_str(t),
                    None => {}
                }
            }
            Event::SoftBreak | Event::HardBreak => match text {
                Some(TextTarget::Step(s)) => steps[s].text.push(' '),
                Some(TextTarget::Heading(h)) => headings[h].text.push(' '),
                None => {}
            },
            _ => {}
        }
    }
    Outline {
        events,
        steps,
        headings,
        orphan_actions,
    }
}

/// A step's text is its first paragraph: nested lists, code and quotes are not part of it.
fn stop_step_text(text: &mut Option<TextTarget>) {
    if matches!(text, Some(TextTarget::Step(_))) {
        *text = None;
    }
}

/// Whether the line before the one holding `offset` is blank (a block quote's `>` aside): a
/// block after a blank line stands on its own rather than "right under" the item above.
fn follows_blank_line(markdown: &str, offset: usize) -> bool {
    let before = &markdown[..offset];
    let Some(line_start) = before.rfind('\n') else {
        return true;
    };
    let previous = &before[..line_start];
    let previous = &previous[previous.rfind('\n').map_or(0, |i| i + 1)..];
    previous.chars().all(|c| c.is_whitespace() || c == '>')
}

/// What a fence's language (the first word of its info string) makes of the block.
fn classify(info: &str) -> Option<BlockKind> {
    let lang = info
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    match lang.as_str() {
        "opsdeck" => Some(BlockKind::Action),
        "" | "sh" | "bash" | "shell" | "zsh" => Some(BlockKind::Command),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans(md: &str) -> Vec<(String, bool, Option<String>, Option<String>)> {
        outline(md)
            .steps
            .into_iter()
            .map(|s| {
                (
                    s.text,
                    s.checked,
                    s.action.map(|b| b.content),
                    s.command.map(|b| b.content),
                )
            })
            .collect()
    }

    #[test]
    fn task_items_are_steps_in_document_order() {
        let md = "- [ ] one\n- plain\n- [x] two\n  - [ ] nested\n\n1. [X] three *em* `code`\n";
        let got: Vec<(String, bool)> = spans(md).into_iter().map(|s| (s.0, s.1)).collect();
        assert_eq!(
            got,
            [
                ("one".to_string(), false),
                ("two".to_string(), true),
                ("nested".to_string(), false),
                ("three em code".to_string(), true),
            ]
        );
    }

    #[test]
    fn blocks_inside_or_right_after_an_item_belong_to_it() {
        let md = "\
- [ ] indented
  ```opsdeck
  action: kubernetes.scale
  ```
- [ ] flush left
```sh
kubectl get pods
```
```opsdeck
action: pagerduty.note
```

Some text.

```opsdeck
action: pagerduty.resolve
```

- plain item
  ```sh
  not a step's
  ```
- [ ] python is no command
  ```python
  print()
  ```
- [ ] a blank line

```sh
stands alone
```
";
        let out = outline(md);
        let s = spans(md);
        assert_eq!(s[0].2.as_deref(), Some("action: kubernetes.scale\n"));
        assert_eq!(s[1].3.as_deref(), Some("kubectl get pods\n"));
        assert_eq!(s[1].2.as_deref(), Some("action: pagerduty.note\n"));
        assert!(out.steps[1].command.as_ref().unwrap().moved);
        assert!(!out.steps[0].action.as_ref().unwrap().moved);
        // After a paragraph the block is nobody's.
        assert_eq!(out.orphan_actions.len(), 1);
        assert_eq!(s.len(), 4);
        assert_eq!((&s[2].2, &s[2].3), (&None, &None));
        assert_eq!((&s[3].2, &s[3].3), (&None, &None));
    }

    #[test]
    fn a_second_action_block_is_noted() {
        let md = "- [ ] x\n  ```opsdeck\n  action: a\n  ```\n  ```opsdeck\n  action: b\n  ```\n";
        let out = outline(md);
        assert_eq!(out.steps[0].extra_actions.len(), 1);
    }

    #[test]
    fn headings_count_for_sections() {
        let md = "- [ ] before\n# One\n## Two\n- [ ] after\n";
        let out = outline(md);
        assert_eq!(out.steps[0].section, 0);
        assert_eq!(out.steps[1].section, 2);
        assert_eq!(out.headings[1].text, "Two");
        assert_eq!(out.headings[1].level, 2);
    }
}
