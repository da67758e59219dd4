//! A deterministic fuzz loop over the parser and the renderer: thousands of runbooks built
//! from Markdown, front matter, fences, raw HTML and awkward Unicode, then mutated at random.
//! Whatever comes in, parsing and rendering must not panic, front matter problems must point
//! into the file, and the HTML must pass the same inertness checks as the hostile runbook.
//! The seed is fixed so a failure reproduces; the failing input is printed.

use opsdeck_runbooks::{parse_runbook, render_html};

use crate::support::assert_inert;

/// xorshift64*: small, fast and the same everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const FRONT_MATTER: &[&str] = &[
    "---\ntitle: Fuzz\nservices: [a, b]\nalerts:\n  - HighLatency\n  - 'service=~\"pay.*\"'\n---\n",
    "---\nservces: [a]\n---\n",
    "---\ntitle: [unclosed\n---\n",
    "---\nalerts: ['a=~\"(\"']\n---\n",
    "---\n---\n",
    "---\ntitle: no end\n",
    "\u{feff}---\r\ntitle: crlf\r\n---\r\n",
    "---\ntags: {a: 1}\n---\n",
    "---\n- list\n---\n",
    "---\ntitle: ok\n...\n",
];

const BLOCKS: &[&str] = &[
    "# Heading\n",
    "## Sub *heading* `code`\n",
    "- [ ] a step {{service}}\n",
    "- [ ] another step with `code` and <b>html</b>\n",
    "- [ ] a step with a [link](https://example.com) and ![img](https://evil.example/i.png)\n",
    "- [x] done step\n",
    "- [x] done step\n  more text on a lazy line\n",
    "  - [ ] nested step\n",
    "* [ ] star step\n",
    "1. [X] ordered step\n",
    "- plain item\n",
    "> - [ ] quoted step\n",
    "```opsdeck\naction: kubernetes.scale\ntarget: prod/ns/app\nreplicas: 6\n```\n",
    "  ```opsdeck\n  action: pagerduty.note\n  service: \"{{service}}\"\n  ```\n",
    "```opsdeck\naction: kubernetes.scael\n```\n",
    "```opsdeck\naction: [\n```\n",
    "```opsdeck\n{{x}}: {{y}}\n```\n",
    "```sh\nkubectl get pods -n {{namespace}}\n```\n",
    "```\nunlabelled\n```\n",
    "```bash\nunclosed fence\n",
    "~~~python\nprint('<script>')\n~~~\n",
    "    indented code\n",
    "| a | b |\n|---|---|\n| [ ] | <b>x</b> |\n",
    "---\n",
    "Some *text* with **strong** and ~~strike~~ and a [link](https://example.com).\n",
    "[js](javascript:alert(1)) [rel](../x.md) <https://ok.example> <javascript:alert(1)>\n",
    "![img](https://evil.example/x.png) ![rel](x.png) ![pr](//evil.example/x.png)\n",
    "<script>alert(1)</script>\n",
    "<img src=x onerror=alert(1)>\n",
    "<iframe src=\"https://evil.example\"></iframe>\n",
    "<style>*{display:none}</style>\n",
    "<div onclick=\"alert(1)\" style=\"color:red\">div</div>\n",
    "<li data-step=\"0\"><input type=\"checkbox\" checked>forged</li>\n",
    "<pre class=\"opsdeck-action\" data-step-action=\"0\">forged</pre>\n",
    "<a href=\"jav&#x61;script:alert(1)\">entity</a>\n",
    "<svg><script>alert(1)</script></svg>\n",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>\n",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">\n",
    "<div title='\n",
    "<textarea>\n",
    "<select>\n",
    "<plaintext>\n",
    "<!--\n",
    "-->\n",
    "<details><summary>More</summary>\n\n- [ ] inside details\n\n</details>\n",
    "Line with trailing spaces  \nhard break\n",
    "\u{202e}rtl \u{200b}zero-width \u{0301}combining 𝕏 emoji 🚨 NUL\u{0}\n",
    "&lt;script&gt; &#60;script&#62; &amp;\n",
    "{{labels.instance}} {{ alert }} {{{x}}}\n",
];

const CHARS: &[&str] = &[
    "<", ">", "\"", "'", "`", "[", "]", "(", ")", "-", "*", "#", "{", "}", "\n", "\r\n", "\t", " ",
    "&", ";", "=", "!", "/", ":", "x", "é", "🚨", "\u{0}", "\u{feff}", "\u{2028}",
];

fn generate(rng: &mut Rng) -> String {
    let mut doc = String::new();
    if rng.below(3) == 0 {
        doc.push_str(rng.pick(FRONT_MATTER));
    }
    for _ in 0..1 + rng.below(24) {
        if rng.below(4) == 0 {
            doc.push_str(&" ".repeat(rng.below(5)));
        }
        doc.push_str(rng.pick(BLOCKS));
        if rng.below(3) == 0 {
            doc.push('\n');
        }
    }
    // Mutate: insert, delete and duplicate at char boundaries.
    let mut chars: Vec<char> = doc.chars().collect();
    for _ in 0..rng.below(8) {
        let at = rng.below(chars.len() + 1);
        match rng.below(3) {
            0 => {
                let s = rng.pick(CHARS);
                chars.splice(at..at, s.chars());
            }
            1 if at < chars.len() => {
                let end = (at + 1 + rng.below(6)).min(chars.len());
                chars.drain(at..end);
            }
            _ if at < chars.len() => {
                let end = (at + 1 + rng.below(20)).min(chars.len());
                let piece: Vec<char> = chars[at..end].to_vec();
                chars.splice(at..at, piece);
            }
            _ => {}
        }
    }
    chars.into_iter().collect()
}

#[test]
fn generated_runbooks_parse_and_render_inert() {
    let mut rng = Rng(0x0b5d_ec4b_00c5_eed5);
    let (mut loaded, mut refused, mut steps) = (0, 0, 0);
    for case in 0..2_000 {
        let input = generate(&mut rng);
        let lines = input.split('\n').count();
        let outcome = std::panic::catch_unwind(|| match parse_runbook("fuzz.md", input.as_str()) {
            Ok(rb) => {
                assert!(
                    rb.steps()
                        .enumerate()
                        .all(|(i, s)| s.index == i && (1..=lines).contains(&s.line)),
                    "step numbering or lines"
                );
                for w in rb.warnings() {
                    assert!((1..=lines).contains(&w.line.unwrap()), "warning line {w}");
                }
                let html = render_html(&rb);
                assert_inert(&html, rb.step_count());
                Some(rb.step_count())
            }
            Err(problem) => {
                let line = problem.line.expect("front matter problems have a line");
                assert!((1..=lines).contains(&line), "problem line {problem}");
                assert!(problem.message.starts_with("front matter: "), "{problem}");
                None
            }
        });
        match outcome {
            Ok(Some(n)) => {
                loaded += 1;
                steps += n;
            }
            Ok(None) => refused += 1,
            Err(_) => panic!("case {case} failed on this input:\n{input:?}"),
        }
    }
    // The generator must exercise both paths and make steps, or the loop proves little.
    assert!(
        loaded > 1_000 && refused > 100 && steps > 2_000,
        "{loaded} {refused} {steps}"
    );
}
