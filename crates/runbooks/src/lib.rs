//! opsdeck's runbook library: Markdown checklists the on-call engineer ticks during an
//! incident, linked to alerts and services, with steps that offer an opsdeck action or a shell
//! command to copy. No UI here, and I/O only in [`library`]: everything else is functions of
//! their inputs, shared by the desktop app and the `opsdeck` command.
//!
//! A runbook is a `.md` file:
//!
//! ````markdown
//! ---
//! title: API latency            # else the first `# heading`, else the file's stem
//! services: [payments-api]      # one value or a list, for every list key
//! alerts:                       # alert names or Alertmanager label matchers
//!   - APIResponseTimeCritical
//!   - 'alertname="DBQueryRateHigh", service=~"orders.*"'
//! aliases: [https://wiki.example.com/runbooks/api-latency]   # runbook_urls meaning this file
//! tags: [latency]
//! ---
//! # API latency
//! ## Mitigate
//! - [ ] Scale up {{service}}
//!   ```opsdeck
//!   action: kubernetes.scale
//!   service: "{{service}}"      # or target: prod-eu/payments/payments-api
//!   replicas: 6                 # every other key is a parameter
//!   ```
//! - [ ] Look at the pods
//!   ```sh
//!   kubectl -n {{namespace}} get pods
//!   ```
//! ````
//!
//! - [`parse_runbook`]: the file's text → [`Runbook`] (front matter errors are
//!   [`LoadProblem`]s with file and line; a bad action makes only its step's
//!   [`Step::problem`]).
//! - [`render_html`]: the sanitized HTML the webview shows and `opsdeck runbook render`
//!   prints (shape in [`render`]).
//! - [`match_alert`], [`runbooks_for_service`]: which runbooks an alert or a service links to,
//!   and why ([`MatchReason`]).
//! - [`fill_step`]: a step's `{{placeholders}}` filled from the incident's variables; an action
//!   with any left is refused ([`FillError::Unfilled`]).
//! - [`Library`]: the folders on disk, reloaded by change; [`read_runbook`] for one file.
//! - [`links`]: what `opsdeck runbooks` lists beside each runbook.
//! - [`suggestion_patch`]: a run's "this step was wrong" edits as a diff of the file.
//!
//! Decisions:
//! - Front matter is strict: an unknown or repeated key, a bad matcher in `alerts`, or YAML
//!   that does not parse keeps the file out of the library, as a problem `path:line: front
//!   matter: …` (a typo would otherwise unlink the runbook from its alerts in silence). A file
//!   whose first line is `---` with no closing line is such a problem too.
//! - A step's action is forgiving: an unknown kind, a missing `action`, both or neither of
//!   `target`/`service`, or bad YAML leaves the step without an action and with a `problem`;
//!   the runbook loads, and [`Runbook::warnings`] reports it as `path:line: step N: …` with
//!   the line of the offending key. A second ```` ```opsdeck ```` block under one step is a
//!   problem too (the first is used); one under no step is a [`RunbookProblem`].
//! - A fenced block belongs to a step when it is inside the item, or flush left right under
//!   the list's last item with no blank line between (see the private `outline` module); only the first shell
//!   block is the step's `command`. Indented (unfenced) code is never a command.
//! - Sections keep only headings with steps under them; a step before any heading is in a
//!   section with `heading: None`.
//! - Every image is replaced by its alt text (the webview loads no remote content, and local
//!   paths mean nothing to it); relative links lose their `href` like other non-http(s) ones.
//! - An empty variable counts as missing when filling; values are never re-scanned.
//! - The library skips hidden files and folders (`.git`), follows symlinks (reporting loops),
//!   refuses files over [`MAX_RUNBOOK_BYTES`], and lists runbooks by slug; of two files with
//!   one slug the first in folder order, then path order, wins, and the other is a problem.

mod action;
mod fill;
mod front_matter;
pub mod library;
pub mod link;
mod model;
mod outline;
mod parse;
mod patch;
pub mod render;
mod summary;
mod yaml;

pub use fill::{
    alert_vars, fill_action, fill_step, fill_text, FillError, FilledAction, FilledStep, FilledText,
    Vars,
};
pub use library::{read_runbook, Library, Reloaded, MAX_RUNBOOK_BYTES};
pub use link::{
    match_alert, normalize_url, runbooks_for_service, AlertRef, MatchReason, RunbookMatch,
};
pub use model::{ActionStep, LoadProblem, Runbook, RunbookProblem, Section, Step};
pub use parse::{parse_runbook, slug_of_path};
pub use patch::suggestion_patch;
pub use render::render_html;
pub use summary::links;
