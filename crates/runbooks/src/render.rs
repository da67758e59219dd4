//! A runbook as the HTML the webview shows and `opsdeck runbook render FILE` prints.
//!
//! The shape (steps numbered 0-based in document order, as [`crate::Step::index`]):
//!
//! ```html
//! <li data-step="0"><input type="checkbox" disabled> Acknowledge the page</li>
//! <li data-step="1"><input type="checkbox" disabled checked> Check the dashboard</li>
//! <li data-step="2"><input type="checkbox" disabled> Scale up
//! <pre class="opsdeck-action" data-step-action="2"><code class="language-yaml">action: kubernetes.scale
//! …</code></pre>
//! </li>
//! <li data-step="3"><input type="checkbox" disabled> Look at the pods
//! <pre><code class="language-sh">kubectl get pods
//! </code></pre>
//! </li>
//! ```
//!
//! In a loose list (items separated by blank lines) the checkbox opens the item's first `<p>`.
//! A step's action block and its command are always inside the step's `<li>`, even when the
//! fence was written flush left under the item. The action block shows the YAML as written
//! (placeholders unfilled); the app offers the filled action beside it.
//!
//! Safety: everything from the Markdown, raw HTML included, goes through ammonia with an
//! allowlist: no scripts, styles, frames, forms or images, no event handlers or `style`
//! attributes, link `href`s only for http, https and mailto (relative ones are dropped too)
//! with `rel="noopener noreferrer"`. Images are replaced by their alt text: the webview loads no
//! remote content, and has no way to show a local file either. The attributes this module adds
//! (`data-step`, `data-step-action`, `class="opsdeck-action"`) carry a random per-render nonce
//! through the sanitizer, which keeps them only with it and strips it: a runbook's own
//! `<li data-step="0">` loses the attribute. The checkboxes are added after sanitizing, right
//! after each `<li data-step="N">` start tag; the sanitized HTML can hold that text nowhere
//! else (text has `<` escaped, attribute values with `<` or `>` are dropped), so a runbook can
//! neither forge a step nor an input.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use ammonia::{Builder, UrlRelative};
use pulldown_cmark::{Event, Tag, TagEnd};

use crate::model::Runbook;
use crate::outline::{outline, Block, BlockKind, Outline};

/// The sanitized HTML of a runbook's Markdown (front matter excluded).
pub fn render_html(runbook: &Runbook) -> String {
    // `source` is public: if a caller replaced it, render all of it rather than panic.
    let markdown = runbook
        .source
        .get(runbook.body_start..)
        .unwrap_or(&runbook.source);
    render_markdown(markdown)
}

/// The sanitized HTML of Markdown without front matter.
pub(crate) fn render_markdown(markdown: &str) -> String {
    // Unguessable by the runbook's author, so they cannot write attributes that survive.
    let nonce = format!("opsdeck-{:032x}-", rand::random::<u128>());
    let out = outline(markdown);
    let checked: Vec<bool> = out.steps.iter().map(|s| s.checked).collect();
    let events = rewrite(&out, &nonce);
    let mut html = String::with_capacity(markdown.len() + markdown.len() / 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    let clean = sanitizer(nonce).clean(&html).to_string();
    add_checkboxes(&clean, &checked)
}

/// What an event index means for rendering.
#[derive(Clone, Copy)]
enum Role {
    /// The `Start(Item)` of this step.
    StepItem(usize),
    /// The start of a step's block rendered where it is.
    BlockHere(usize, BlockKind),
    /// Inside a block rendered by its start, or moved elsewhere: skipped.
    Skip,
}

/// The Markdown's events with steps, their blocks and images replaced by opsdeck's markup.
fn rewrite<'a>(out: &Outline<'a>, nonce: &str) -> Vec<Event<'a>> {
    let mut roles: HashMap<usize, Role> = HashMap::new();
    // End(Item) index → blocks to render just before it (written after the list).
    let mut moved: HashMap<usize, Vec<(usize, usize, BlockKind)>> = HashMap::new();
    for (s, step) in out.steps.iter().enumerate() {
        roles.insert(step.item, Role::StepItem(s));
        for (block, kind) in [
            (&step.action, BlockKind::Action),
            (&step.command, BlockKind::Command),
        ] {
            let Some(block) = block else { continue };
            for i in block.start..=block.end {
                roles.insert(i, Role::Skip);
            }
            if block.moved {
                moved
                    .entry(step.end)
                    .or_default()
                    .push((block.start, s, kind));
            } else {
                roles.insert(block.start, Role::BlockHere(s, kind));
            }
        }
    }
    let block_of = |s: usize, kind: BlockKind| -> &Block {
        let step = &out.steps[s];
        match kind {
            BlockKind::Action => step.action.as_ref(),
            BlockKind::Command => step.command.as_ref(),
        }
        .expect("a role names an existing block")
    };

    let mut events = Vec::with_capacity(out.events.len() + out.steps.len() * 2);
    for (i, (event, _)) in out.events.iter().enumerate() {
        if let Some(blocks) = moved.get_mut(&i) {
            blocks.sort_unstable_by_key(|&(start, _, _)| start);
            for &(_, s, kind) in blocks.iter() {
                push_block(&mut events, s, kind, block_of(s, kind), nonce);
            }
        }
        match roles.get(&i) {
            Some(Role::StepItem(s)) => {
                events.push(Event::Html(format!("<li data-step=\"{nonce}{s}\">").into()))
            }
            Some(Role::BlockHere(s, kind)) => {
                push_block(&mut events, *s, *kind, block_of(*s, *kind), nonce)
            }
            Some(Role::Skip) => {}
            None => match event {
                // The checkbox is added after sanitizing.
                Event::TaskListMarker(_) => {}
                // Only the alt text (the events between) stays.
                Event::Start(Tag::Image { .. }) | Event::End(TagEnd::Image) => {}
                other => events.push(other.clone()),
            },
        }
    }
    events
}

fn push_block<'a>(
    events: &mut Vec<Event<'a>>,
    step: usize,
    kind: BlockKind,
    block: &Block,
    nonce: &str,
) {
    let open = match kind {
        BlockKind::Action => format!(
            "<pre class=\"{nonce}opsdeck-action\" data-step-action=\"{nonce}{step}\">\
             <code class=\"language-yaml\">"
        ),
        BlockKind::Command => "<pre><code class=\"language-sh\">".to_string(),
    };
    events.push(Event::Html(open.into()));
    // A Text event is escaped by the HTML writer.
    events.push(Event::Text(block.content.clone().into()));
    events.push(Event::Html("</code></pre>\n".into()));
}

/// ammonia's defaults (a conservative allowlist of formatting tags, `lang` and `title`,
/// comments stripped) narrowed for the webview, plus opsdeck's own attributes.
fn sanitizer(nonce: String) -> Builder<'static> {
    let mut b = Builder::default();
    b.rm_tags(["img"])
        .add_clean_content_tags([
            "iframe",
            "frame",
            "frameset",
            "noframes",
            "object",
            "embed",
            "noembed",
            "noscript",
            "template",
            "textarea",
            "select",
            "title",
            "xmp",
            "plaintext",
            "svg",
            "math",
            "form",
        ])
        .add_tag_attributes("li", ["data-step"])
        .add_tag_attributes("pre", ["class", "data-step-action"])
        .add_tag_attributes("code", ["class"])
        .url_schemes(HashSet::from(["http", "https", "mailto"]))
        .url_relative(UrlRelative::Deny)
        .link_rel(Some("noopener noreferrer"))
        .attribute_filter(move |element, attribute, value| {
            // With no `<` or `>` in attribute values, the output has them only in real tags;
            // no allowed attribute needs them.
            if value.contains(['<', '>']) {
                return None;
            }
            match (element, attribute) {
                ("li", "data-step") | ("pre", "data-step-action") => value
                    .strip_prefix(nonce.as_str())
                    .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
                    .map(Cow::Borrowed),
                ("pre", "class") => value
                    .strip_prefix(nonce.as_str())
                    .filter(|c| *c == "opsdeck-action")
                    .map(Cow::Borrowed),
                ("code", "class") => is_language_class(value).then_some(Cow::Borrowed(value)),
                _ => Some(Cow::Borrowed(value)),
            }
        });
    b
}

/// `language-rust`, as the Markdown writer labels fenced code.
fn is_language_class(value: &str) -> bool {
    value.strip_prefix("language-").is_some_and(|lang| {
        !lang.is_empty()
            && lang
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_+#.-".contains(c))
    })
}

/// Puts a disabled checkbox after each `<li data-step="N">` (inside a loose item's first
/// paragraph), ticked when the step is.
fn add_checkboxes(html: &str, checked: &[bool]) -> String {
    const LI: &str = "<li data-step=\"";
    let mut out = String::with_capacity(html.len() + checked.len() * 48);
    let mut rest = html;
    while let Some(at) = rest.find(LI) {
        let after = &rest[at + LI.len()..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        let (Ok(n), Some(mut tail)) = (
            after[..digits].parse::<usize>(),
            after[digits..].strip_prefix("\">"),
        ) else {
            // Not our tag's shape: cannot happen after sanitizing, but never loop on it.
            out.push_str(&rest[..at + LI.len()]);
            rest = after;
            continue;
        };
        out.push_str(&rest[..at + LI.len() + digits + 2]);
        let para = tail.trim_start_matches('\n');
        if let Some(inside) = para.strip_prefix("<p>") {
            out.push_str(&tail[..tail.len() - inside.len()]);
            tail = inside;
        }
        out.push_str(if checked.get(n).copied().unwrap_or(false) {
            "<input type=\"checkbox\" disabled checked> "
        } else {
            "<input type=\"checkbox\" disabled> "
        });
        rest = tail;
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_numbered_items_with_checkboxes() {
        let html = render_markdown("- [ ] one\n- [x] two\n- plain\n");
        assert_eq!(
            html,
            "<ul>\n<li data-step=\"0\"><input type=\"checkbox\" disabled> one</li>\n\
             <li data-step=\"1\"><input type=\"checkbox\" disabled checked> two</li>\n\
             <li>plain</li>\n</ul>\n"
        );
    }

    #[test]
    fn loose_items_get_the_checkbox_inside_their_paragraph() {
        let html = render_markdown("- [ ] one\n\n- [x] two\n");
        assert!(
            html.contains("<li data-step=\"0\">\n<p><input type=\"checkbox\" disabled> one</p>"),
            "{html}"
        );
    }

    #[test]
    fn action_and_command_blocks_render_inside_their_item() {
        let md = "- [ ] Scale\n```opsdeck\naction: kubernetes.scale\ntarget: \"{{t}}\"\n```\n```bash\necho '<b>'\n```\n";
        let html = render_markdown(md);
        assert_eq!(
            html,
            "<ul>\n<li data-step=\"0\"><input type=\"checkbox\" disabled> Scale\
             <pre class=\"opsdeck-action\" data-step-action=\"0\"><code class=\"language-yaml\">\
             action: kubernetes.scale\ntarget: \"{{t}}\"\n</code></pre>\n\
             <pre><code class=\"language-sh\">echo '&lt;b&gt;'\n</code></pre>\n</li>\n</ul>\n"
        );
    }

    #[test]
    fn other_code_keeps_its_language() {
        let html = render_markdown("```python\nprint(1)\n```\n```x\" onclick=\"y\n```\n");
        assert!(
            html.contains("<pre><code class=\"language-python\">print(1)"),
            "{html}"
        );
        assert!(!html.contains("onclick"), "{html}");
    }

    #[test]
    fn forged_steps_and_inputs_do_not_survive() {
        let md = "<ul><li data-step=\"0\"><input type=\"checkbox\" checked>fake</li></ul>\n\n\
                  <pre class=\"opsdeck-action\" data-step-action=\"0\">x</pre>\n\n- [ ] real\n";
        let html = render_markdown(md);
        assert_eq!(html.matches("data-step=").count(), 1, "{html}");
        assert_eq!(html.matches("<input").count(), 1, "{html}");
        assert!(!html.contains("opsdeck-action"), "{html}");
        assert!(!html.contains("opsdeck-"), "nonce leaked: {html}");
        assert!(
            html.contains("<li data-step=\"0\"><input type=\"checkbox\" disabled> real"),
            "{html}"
        );
    }

    #[test]
    fn checkbox_splicing_is_total() {
        assert_eq!(
            add_checkboxes("<li data-step=\"x\">", &[]),
            "<li data-step=\"x\">"
        );
        assert_eq!(add_checkboxes("<li data-step=\"", &[]), "<li data-step=\"");
        assert_eq!(
            add_checkboxes("<li data-step=\"7\">t", &[]),
            "<li data-step=\"7\"><input type=\"checkbox\" disabled> t"
        );
    }
}
