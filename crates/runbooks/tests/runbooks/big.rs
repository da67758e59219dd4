//! A 5 MB runbook (a long generated checklist) parses and renders; nothing is quadratic in
//! the file's size. No timing assertion: the test's own run time is the measure.

use opsdeck_runbooks::{parse_runbook, render_html};

use crate::support::tags;

#[test]
fn a_five_megabyte_runbook_parses_and_renders() {
    let mut md = String::from("---\ntitle: Big\nservices: [payments-api]\n---\n# Big\n\n");
    let mut sections = 0;
    while md.len() < 5 * 1024 * 1024 {
        md.push_str(&format!(
            "## Section {sections}\n\nSome context for section {sections}, with *emphasis*, \
             `code` and a [link](https://example.com/{sections}).\n\n\
             - [ ] Check {{{{service}}}} part {sections}\n\
             - [x] Done already\n\
             - [ ] Scale it\n\
             \x20 ```opsdeck\n\
             \x20 action: kubernetes.scale\n\
             \x20 target: prod-eu/payments/payments-api\n\
             \x20 replicas: {sections}\n\
             \x20 ```\n\
             - [ ] Look\n\
             \x20 ```sh\n\
             \x20 kubectl -n payments get pods | head -n {sections}\n\
             \x20 ```\n\n\
             <details><summary>notes</summary>raw <b>html</b> {sections}</details>\n\n"
        ));
        sections += 1;
    }
    let rb = parse_runbook("runbooks/big.md", md.as_str()).unwrap();
    assert_eq!(rb.step_count(), sections * 4);
    assert_eq!(rb.sections.len(), sections);
    let last = rb.steps().last().unwrap();
    assert_eq!(last.index, sections * 4 - 1);
    assert_eq!(
        last.command.as_deref().map(|c| c.contains("head -n")),
        Some(true)
    );
    assert!(rb.steps().all(|s| s.problem.is_none()));

    let html = render_html(&rb);
    let all = tags(&html);
    let numbered = all
        .iter()
        .filter(|t| t.name == "li" && t.attr("data-step").is_some())
        .count();
    assert_eq!(numbered, sections * 4);
    let actions = all
        .iter()
        .filter(|t| t.attr("data-step-action").is_some())
        .count();
    assert_eq!(actions, sections);
    assert!(html.contains(&format!("<li data-step=\"{}\">", sections * 4 - 1)));
}
