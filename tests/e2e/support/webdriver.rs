//! A WebDriver session on the real opsdeck window: Xvfb, tauri-driver (which starts
//! WebKitWebDriver, which starts the app), and a fantoccini client.

use super::procs::{find_tool, free_port, port_open, wait_until, Display, Guard};
use fantoccini::error::{CmdError, ErrorStatus};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// How long the UI may take to show something; generous because a cold WebKit start on a loaded
/// 2-core CI machine is slow. Conditions are polled, so a fast run is not slowed down.
pub const UI_TIMEOUT: Duration = Duration::from_secs(45);

pub struct App {
    pub client: Client,
    out: PathBuf,
    // Dropped after the client: the app goes before the driver, the driver before the display.
    _driver: Guard,
    _display: Display,
}

pub struct Launch<'a> {
    pub args: Vec<String>,
    /// Extra environment for the app (it inherits tauri-driver's environment).
    pub env: Vec<(&'a str, String)>,
}

impl Launch<'static> {
    /// The app on the simulator's `config` with a cache file of the test's own at `db` and a
    /// private home, so nothing from another run or the user's machine is seen.
    pub fn with_cache(config: &Path, db: &Path, home: &Path) -> Launch<'static> {
        Launch {
            args: vec![
                "--config".into(),
                config.display().to_string(),
                "--db".into(),
                db.display().to_string(),
            ],
            env: super::private_env(home),
        }
    }
}

impl App {
    pub async fn launch(out: &Path, launch: Launch<'_>) -> App {
        let display = Display::start(out);
        let driver_bin = find_tool("tauri-driver", "OPSDECK_TAURI_DRIVER");
        let native = find_tool("WebKitWebDriver", "OPSDECK_WEBKIT_DRIVER");
        let port = free_port();
        let native_port = free_port();
        let log = out.join("tauri-driver.log");
        let mut cmd = Command::new(driver_bin);
        cmd.args([
            "--port",
            &port.to_string(),
            "--native-port",
            &native_port.to_string(),
        ])
        .arg("--native-driver")
        .arg(&native)
        .env("DISPLAY", &display.name)
        // Not WEBKIT_DISABLE_{DMABUF_RENDERER,COMPOSITING_MODE}: with either set,
        // WebKitWebDriver's screenshot command never answers.
        .env("RUST_LOG", "info")
        // The app's own log, for the failure evidence.
        .env("OPSDECK_LOG", "info")
        .env("RUST_BACKTRACE", "1");
        for (k, v) in &launch.env {
            cmd.env(k, v);
        }
        let mut driver = Guard::spawn("tauri-driver", &mut cmd, &log);
        // tauri-driver listens at once but starts WebKitWebDriver in the background: a session
        // request before the native port is open would be refused.
        wait_until(
            "tauri-driver and WebKitWebDriver to listen",
            Duration::from_secs(20),
            || {
                driver.assert_running(&log);
                port_open(port) && port_open(native_port)
            },
        );
        let caps = json!({
            "browserName": "wry",
            "tauri:options": {
                "application": super::desktop_binary(),
                "args": launch.args,
            }
        });
        let caps = match caps {
            serde_json::Value::Object(m) => m,
            _ => unreachable!("literal object"),
        };
        let client = ClientBuilder::native()
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .unwrap_or_else(|e| {
                let text = std::fs::read_to_string(&log).unwrap_or_default();
                panic!(
                    "cannot open a WebDriver session on the app: {e}\ntauri-driver output:\n{text}"
                )
            });
        App {
            client,
            out: out.to_path_buf(),
            _driver: driver,
            _display: display,
        }
    }

    /// Waits until an element matching `css` has non-empty text and returns it (trimmed). Polls: the
    /// UI re-renders as data arrives, so a found element may be replaced before it is read.
    pub async fn text_of(&self, css: &str) -> String {
        let deadline = std::time::Instant::now() + UI_TIMEOUT;
        let mut last;
        loop {
            match self.client.find(Locator::Css(css)).await {
                // textContent, not WebDriver's visible text: WebKitWebDriver reports "" for
                // text in `overflow: hidden` cells (the title column ellipsizes).
                Ok(el) => match el.prop("textContent").await {
                    Ok(Some(t)) if !t.trim().is_empty() => return t.trim().to_string(),
                    Ok(t) => last = format!("{t:?}"),
                    Err(e) => last = format!("(unreadable: {e})"),
                },
                // Not there yet is the normal case; anything else (the session or the app
                // gone) is what a failure message must show.
                Err(CmdError::Standard(e)) if e.error == ErrorStatus::NoSuchElement => {
                    last = String::from("(no such element)")
                }
                Err(e) => last = format!("(WebDriver error: {e:?})"),
            }
            if std::time::Instant::now() > deadline {
                let evidence = self.evidence("failure").await;
                panic!("no element `{css}` with text within {UI_TIMEOUT:?}; last seen: {last}\n{evidence}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until an element matching `css` has text that `wanted` accepts; returns it.
    pub async fn text_where(&self, css: &str, wanted: impl Fn(&str) -> bool) -> String {
        let deadline = std::time::Instant::now() + UI_TIMEOUT;
        let mut last = String::from("(no such element)");
        loop {
            if let Ok(el) = self.client.find(Locator::Css(css)).await {
                if let Ok(Some(t)) = el.prop("textContent").await {
                    let t = t.trim().to_string();
                    if wanted(&t) {
                        return t;
                    }
                    last = t;
                }
            }
            if std::time::Instant::now() > deadline {
                let evidence = self.evidence("failure").await;
                panic!("`{css}` never had the text wanted within {UI_TIMEOUT:?}; last seen: {last:?}\n{evidence}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until one of the elements matching `css` has text that `wanted` accepts, and
    /// clicks it (rows re-render as data arrives, so which one is first can change).
    pub async fn click_where(&self, css: &str, wanted: impl Fn(&str) -> bool) {
        let deadline = std::time::Instant::now() + UI_TIMEOUT;
        let mut seen = Vec::new();
        loop {
            if let Ok(all) = self.client.find_all(Locator::Css(css)).await {
                seen.clear();
                for el in all {
                    if let Ok(Some(t)) = el.prop("textContent").await {
                        if wanted(t.trim()) && el.click().await.is_ok() {
                            return;
                        }
                        seen.push(t.trim().to_string());
                    }
                }
            }
            if std::time::Instant::now() > deadline {
                let evidence = self.evidence("failure").await;
                panic!("no `{css}` with the text wanted within {UI_TIMEOUT:?}; seen: {seen:?}\n{evidence}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Runs `script` in the page as a function body (`arguments` holds `args`); a returned
    /// promise is awaited, as WebDriver specifies.
    pub async fn execute(&self, script: &str, args: Vec<serde_json::Value>) -> serde_json::Value {
        self.client
            .execute(script, args)
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    /// Saves a screenshot and the page's HTML for a failed expectation; returns where they are
    /// and the visible text, for the panic message.
    pub async fn evidence(&self, name: &str) -> String {
        let shot = match tokio::time::timeout(UI_TIMEOUT, self.client.screenshot()).await {
            Err(_) => "no screenshot: timed out".to_string(),
            Ok(Err(e)) => format!("no screenshot: {e:?}"),
            Ok(Ok(png)) => {
                let path = self.out.join(format!("{name}.png"));
                std::fs::write(&path, png)
                    .map(|_| path.display().to_string())
                    .unwrap_or_else(|e| e.to_string())
            }
        };
        let html = self
            .client
            .source()
            .await
            .unwrap_or_else(|e| format!("no page source: {e:?}"));
        let html_path = self.out.join(format!("{name}.html"));
        let _ = std::fs::write(&html_path, &html);
        let text: String = html.chars().take(2000).collect();
        // The app's own stderr goes to tauri-driver's log: a crash or panic shows there.
        let log = std::fs::read_to_string(self.out.join("tauri-driver.log")).unwrap_or_default();
        let tail: String = log
            .lines()
            .rev()
            .take(30)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect::<Vec<_>>()
            .join("\n");
        format!(
            "screenshot: {shot}\npage source ({}): {text}\napp and driver output (last lines):\n{tail}",
            html_path.display()
        )
    }

    pub async fn click(&self, css: &str) {
        let el = self
            .client
            .wait()
            .at_most(UI_TIMEOUT)
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no element `{css}` to click within {UI_TIMEOUT:?}: {e}"));
        el.click()
            .await
            .unwrap_or_else(|e| panic!("cannot click `{css}`: {e}"));
    }

    /// Types `text` into the field matching `css` (waiting for it), as a user would.
    pub async fn fill(&self, css: &str, text: &str) {
        let el = self
            .client
            .wait()
            .at_most(UI_TIMEOUT)
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no field `{css}` within {UI_TIMEOUT:?}: {e}"));
        el.send_keys(text)
            .await
            .unwrap_or_else(|e| panic!("cannot type into `{css}`: {e}"));
    }

    /// How many elements match right now (no waiting).
    pub async fn count(&self, css: &str) -> usize {
        self.client
            .find_all(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("cannot query `{css}`: {e}"))
            .len()
    }

    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let png = tokio::time::timeout(UI_TIMEOUT, self.client.screenshot())
            .await
            .unwrap_or_else(|_| panic!("the screenshot did not arrive within {UI_TIMEOUT:?}"))
            .expect("take a screenshot");
        let path = self.out.join(name);
        std::fs::write(&path, png)
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        path
    }

    pub async fn close(self) {
        self.client
            .close()
            .await
            .expect("close the WebDriver session");
    }
}
