//! Checks on rendered HTML. The renderer's output is html5ever's serialization plus opsdeck's
//! checkboxes, so every `<` starts a tag and attribute values are double-quoted: a small tag
//! reader is enough to look at each tag and attribute.

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    pub name: String,
    pub closing: bool,
    pub attrs: Vec<(String, String)>,
}

impl Tag {
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Every tag in `html`, in order. Panics on a tag that does not end: sanitized output has none.
pub fn tags(html: &str) -> Vec<Tag> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(off) = html[i..].find('<') {
        let mut j = i + off + 1;
        let closing = html[j..].starts_with('/');
        if closing {
            j += 1;
        }
        let name_len = html[j..]
            .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
            .unwrap_or_else(|| panic!("unterminated tag at {}: {html}", i + off));
        let name = html[j..j + name_len].to_ascii_lowercase();
        j += name_len;
        let mut attrs = Vec::new();
        loop {
            let rest = &html[j..];
            let trimmed = rest.trim_start();
            j += rest.len() - trimmed.len();
            assert!(j < html.len(), "unterminated tag <{name}: {html}");
            if html[j..].starts_with('>') {
                j += 1;
                break;
            }
            if html[j..].starts_with("/>") {
                j += 2;
                break;
            }
            let attr_len = html[j..]
                .find(|c: char| c.is_whitespace() || c == '=' || c == '>')
                .unwrap_or(html.len() - j);
            let attr = html[j..j + attr_len].to_ascii_lowercase();
            j += attr_len;
            let mut value = String::new();
            if html[j..].starts_with('=') {
                j += 1;
                assert!(
                    html[j..].starts_with('"'),
                    "unquoted value for {attr} in <{name}>: {html}"
                );
                j += 1;
                let end = html[j..]
                    .find('"')
                    .unwrap_or_else(|| panic!("unterminated value for {attr}: {html}"));
                value = decode(&html[j..j + end]);
                j += end + 1;
            }
            attrs.push((attr, value));
        }
        out.push(Tag {
            name,
            closing,
            attrs,
        });
        i = j;
    }
    out
}

/// The entities html5ever writes in attribute values.
fn decode(value: &str) -> String {
    value
        .replace("&quot;", "\"")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
}

/// Elements that run code, load something or take input: never in the output (the one
/// `input` allowed is opsdeck's disabled checkbox).
const FORBIDDEN: &[&str] = &[
    "script",
    "style",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "img",
    "image",
    "svg",
    "math",
    "link",
    "meta",
    "base",
    "form",
    "textarea",
    "select",
    "button",
    "video",
    "audio",
    "source",
    "track",
    "picture",
    "template",
    "noscript",
    "title",
    "xmp",
    "plaintext",
    "marquee",
    "isindex",
    "keygen",
    "portal",
];

/// Attributes that run code, load something or restyle the page.
fn forbidden_attr(name: &str) -> bool {
    name.starts_with("on")
        || matches!(
            name,
            "style"
                | "src"
                | "srcset"
                | "srcdoc"
                | "action"
                | "formaction"
                | "background"
                | "poster"
                | "data"
                | "xlink:href"
                | "xmlns"
                | "ping"
                | "http-equiv"
                | "id"
                | "name"
                | "target"
        )
}

/// The renderer's nonce: `opsdeck-` and 32 hex digits.
fn has_nonce(html: &str) -> bool {
    html.match_indices("opsdeck-").any(|(i, m)| {
        let rest = &html.as_bytes()[i + m.len()..];
        rest.len() >= 32 && rest[..32].iter().all(u8::is_ascii_hexdigit)
    })
}

/// What every rendered runbook must satisfy, whatever its Markdown. Returns the `data-step`
/// numbers in document order.
pub fn assert_inert(html: &str, step_count: usize) -> Vec<usize> {
    let lower = html.to_ascii_lowercase();
    for needle in [
        "<script", "<style", "<iframe", "<img", "<svg", "<object", "<embed",
    ] {
        assert!(!lower.contains(needle), "{needle} in output:\n{html}");
    }
    assert!(!has_nonce(html), "the nonce leaked:\n{html}");

    let all = tags(html);
    let mut steps = Vec::new();
    let mut inputs = 0;
    for tag in all.iter().filter(|t| !t.closing) {
        assert!(
            !FORBIDDEN.contains(&tag.name.as_str()) || tag.name == "input",
            "<{}> in output:\n{html}",
            tag.name
        );
        for (name, value) in &tag.attrs {
            assert!(!forbidden_attr(name), "{name}= on <{}>:\n{html}", tag.name);
            if name == "href" || name == "cite" {
                let v = value.trim().to_ascii_lowercase();
                assert!(
                    v.starts_with("http:") || v.starts_with("https:") || v.starts_with("mailto:"),
                    "{name}={value:?} on <{}>:\n{html}",
                    tag.name
                );
            }
            if name.starts_with("data-") {
                assert!(
                    matches!(
                        (tag.name.as_str(), name.as_str()),
                        ("li", "data-step") | ("pre", "data-step-action")
                    ),
                    "{name} on <{}>:\n{html}",
                    tag.name
                );
                let n: usize = value.parse().unwrap_or_else(|_| panic!("{name}={value:?}"));
                assert!(
                    n < step_count,
                    "{name}={n} with {step_count} steps:\n{html}"
                );
            }
        }
        match tag.name.as_str() {
            "input" => {
                inputs += 1;
                let mut names: Vec<&str> = tag.attrs.iter().map(|(n, _)| n.as_str()).collect();
                names.sort_unstable();
                assert!(
                    names == ["disabled", "type"] || names == ["checked", "disabled", "type"],
                    "input {:?}:\n{html}",
                    tag.attrs
                );
                assert_eq!(tag.attr("type"), Some("checkbox"));
            }
            "a" if tag.attr("href").is_some() => {
                assert_eq!(tag.attr("rel"), Some("noopener noreferrer"), "{html}");
            }
            "li" => {
                if let Some(n) = tag.attr("data-step") {
                    steps.push(n.parse::<usize>().unwrap());
                }
            }
            _ => {}
        }
    }
    // Each step at most once, in document order, each with its one checkbox.
    assert!(
        steps.windows(2).all(|w| w[0] < w[1]),
        "data-step out of order {steps:?}:\n{html}"
    );
    assert_eq!(inputs, steps.len(), "one checkbox per step:\n{html}");
    steps
}

#[test]
fn the_tag_reader_reads_what_the_renderer_writes() {
    let t = tags(
        r#"<p>a &lt;b&gt;<a href="https://x/?a=1&amp;b=&quot;2&quot;" rel="noopener noreferrer">x</a><input type="checkbox" disabled></p>"#,
    );
    assert_eq!(t.len(), 5);
    assert_eq!(t[1].attr("href"), Some("https://x/?a=1&b=\"2\""));
    assert_eq!(t[3].attr("disabled"), Some(""));
    assert!(t[4].closing);
}

#[test]
fn the_checks_catch_what_they_are_for() {
    // Each of these must fail the checks (their panic messages are expected in the output).
    for bad in [
        "<script>x</script>",
        "<p onclick=\"x\">a</p>",
        "<a href=\"javascript:x\" rel=\"noopener noreferrer\">a</a>",
        "<a href=\"https://x\">no rel</a>",
        "<li data-step=\"0\">no checkbox</li>",
        "<li data-step=\"0\"><input type=\"text\">a</li>",
        "<li data-step=\"1\"><input type=\"checkbox\" disabled>a</li>\
         <li data-step=\"0\"><input type=\"checkbox\" disabled>b</li>",
        "<li data-step=\"5\"><input type=\"checkbox\" disabled>a</li>",
        "<p data-x=\"1\">a</p>",
        "<p>opsdeck-0123456789abcdef0123456789abcdef-</p>",
    ] {
        let caught = std::panic::catch_unwind(|| {
            assert_inert(bad, 2);
        });
        assert!(caught.is_err(), "passed: {bad}");
    }
    assert_eq!(
        assert_inert(
            "<ul><li data-step=\"0\"><input type=\"checkbox\" disabled> a</li>\
             <li data-step=\"1\"><input type=\"checkbox\" disabled checked> b</li></ul>",
            2
        ),
        [0, 1]
    );
}
