//! A real headless Chromium (Debian's `chromium` and `chromium-driver`), driven through
//! chromedriver's WebDriver protocol: open pages, fill forms, click, run a line of script,
//! take screenshots and print to PDF, as a person at a desk would.

use anyhow::{Context, bail};
use serde_json::{Value, json};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// WebDriver's key for an element reference.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// One browser window, closed (with its driver) when dropped.
pub struct Browser {
    driver: Child,
    http: reqwest::Client,
    session: String,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Starts chromedriver and a headless Chromium with a fresh profile, `width`×`height`.
    pub async fn start(width: u32, height: u32) -> anyhow::Result<Self> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let driver = Command::new("chromedriver")
            // A group of its own, so that dropping the browser ends Chromium and its helpers
            // too: they are chromedriver's children and outlive it when it alone is killed.
            .process_group(0)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("starting chromedriver: install it with scripts/setup.sh (chromium-driver)")?;
        let profile = tempfile::tempdir()?;
        let mut browser = Self {
            driver,
            http: reqwest::Client::new(),
            session: String::new(),
            _profile: profile,
        };
        let base = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(answer) = browser.http.get(format!("{base}/status")).send().await
                && answer.status().is_success()
            {
                break;
            }
            if Instant::now() > deadline {
                bail!("chromedriver did not answer on port {port} within 20 s");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let profile_dir = browser._profile.path().display().to_string();
        let answer: Value = browser
            .http
            .post(format!("{base}/session"))
            .json(&json!({"capabilities": {"alwaysMatch": {
                "browserName": "chrome",
                "goog:chromeOptions": {
                    "binary": "/usr/bin/chromium",
                    "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                             "--disable-dev-shm-usage", "--hide-scrollbars",
                             "--autoplay-policy=no-user-gesture-required", "--mute-audio",
                             format!("--window-size={width},{height}"),
                             format!("--user-data-dir={profile_dir}")]
                }
            }}}))
            .send()
            .await?
            .json()
            .await?;
        browser.session = answer["value"]["sessionId"]
            .as_str()
            .with_context(|| format!("chromedriver made no session: {answer}"))?
            .to_string();
        browser.session = format!("{base}/session/{}", browser.session);
        Ok(browser)
    }

    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Value,
    ) -> anyhow::Result<Value> {
        let request = self.http.request(method, format!("{}{path}", self.session));
        let request = if body.is_null() {
            request
        } else {
            request.json(&body)
        };
        let answer: Value = request.send().await?.json().await?;
        if let Some(error) = answer["value"]["error"].as_str() {
            bail!("WebDriver {path}: {error}: {}", answer["value"]["message"]);
        }
        Ok(answer["value"].clone())
    }

    pub async fn open(&self, url: &str) -> anyhow::Result<()> {
        self.call(reqwest::Method::POST, "/url", json!({ "url": url }))
            .await
            .map(drop)
    }

    pub async fn url(&self) -> anyhow::Result<String> {
        let value = self.call(reqwest::Method::GET, "/url", Value::Null).await?;
        Ok(value.as_str().unwrap_or_default().to_string())
    }

    async fn element(&self, css: &str) -> anyhow::Result<String> {
        let value = self
            .call(
                reqwest::Method::POST,
                "/element",
                json!({"using": "css selector", "value": css}),
            )
            .await
            .with_context(|| format!("finding {css}"))?;
        value[ELEMENT]
            .as_str()
            .map(str::to_string)
            .with_context(|| format!("finding {css}: WebDriver answered {value}"))
    }

    pub async fn click(&self, css: &str) -> anyhow::Result<()> {
        let id = self.element(css).await?;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{id}/click"),
            json!({}),
        )
        .await
        .map(drop)
    }

    pub async fn type_into(&self, css: &str, text: &str) -> anyhow::Result<()> {
        let id = self.element(css).await?;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{id}/value"),
            json!({ "text": text }),
        )
        .await
        .map(drop)
    }

    /// The page's visible text.
    pub async fn text(&self, css: &str) -> anyhow::Result<String> {
        let id = self.element(css).await?;
        let value = self
            .call(
                reqwest::Method::GET,
                &format!("/element/{id}/text"),
                Value::Null,
            )
            .await?;
        Ok(value.as_str().unwrap_or_default().to_string())
    }

    /// Runs `script` (a function body; `return` gives its value) in the page.
    pub async fn run(&self, script: &str) -> anyhow::Result<Value> {
        self.call(
            reqwest::Method::POST,
            "/execute/sync",
            json!({"script": script, "args": []}),
        )
        .await
    }

    /// Polls `script` until it returns true, up to `timeout`; fails naming `what`.
    pub async fn wait_until(
        &self,
        script: &str,
        timeout: Duration,
        what: &str,
    ) -> anyhow::Result<()> {
        let deadline = Instant::now() + timeout;
        loop {
            if self.run(script).await?.as_bool() == Some(true) {
                return Ok(());
            }
            if Instant::now() > deadline {
                bail!("{what}: not within {timeout:?}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// A PNG of the window.
    pub async fn screenshot(&self, png: &Path) -> anyhow::Result<()> {
        let value = self
            .call(reqwest::Method::GET, "/screenshot", Value::Null)
            .await?;
        std::fs::write(png, decode_base64(value.as_str().unwrap_or_default())?)?;
        Ok(())
    }

    /// A PNG of the whole page, however long (up to 4000 px): the window is stretched to the
    /// page for the picture and put back after.
    pub async fn screenshot_page(&self, png: &Path) -> anyhow::Result<()> {
        let rect = self
            .call(reqwest::Method::GET, "/window/rect", Value::Null)
            .await?;
        let height = self
            .run("return document.documentElement.scrollHeight")
            .await?
            .as_f64()
            .unwrap_or(900.0)
            .min(4000.0);
        let width = rect["width"].as_f64().unwrap_or(1280.0);
        self.call(
            reqwest::Method::POST,
            "/window/rect",
            json!({"width": width, "height": height + 140.0}),
        )
        .await?;
        let taken = self.screenshot(png).await;
        self.call(
            reqwest::Method::POST,
            "/window/rect",
            json!({"width": width, "height": rect["height"]}),
        )
        .await?;
        taken
    }

    /// The page printed as the browser prints it, on A4.
    pub async fn print_pdf(&self) -> anyhow::Result<Vec<u8>> {
        let value = self
            .call(
                reqwest::Method::POST,
                "/print",
                json!({"page": {"width": 21.0, "height": 29.7}, "background": true}),
            )
            .await?;
        decode_base64(value.as_str().unwrap_or_default())
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if let Ok(group) = libc::pid_t::try_from(self.driver.id()) {
            // SAFETY: a plain signal to the process group started for this browser alone.
            unsafe { libc::kill(-group, libc::SIGKILL) };
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// Standard base64, as WebDriver sends screenshots and PDFs.
fn decode_base64(text: &str) -> anyhow::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let (mut bits, mut count) = (0u32, 0u32);
    for byte in text.bytes() {
        let value = match byte {
            b'A'..=b'Z' => byte - b'A',
            b'a'..=b'z' => byte - b'a' + 26,
            b'0'..=b'9' => byte - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' | b'\n' | b'\r' => continue,
            other => bail!("not base64: byte {other}"),
        };
        bits = (bits << 6) | u32::from(value);
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
        }
    }
    Ok(out)
}

/// The text of a PDF, by poppler's pdftotext (the PDF's own fonts decide whether CJK survives).
pub fn pdf_text(pdf: &[u8]) -> anyhow::Result<String> {
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("page.pdf");
    std::fs::write(&file, pdf)?;
    let output = Command::new("pdftotext")
        .arg(&file)
        .arg("-")
        .output()
        .context("running pdftotext: install poppler-utils with scripts/setup.sh")?;
    if !output.status.success() {
        bail!("pdftotext: {}", String::from_utf8_lossy(&output.stderr));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// The first page of a PDF as a PNG, by poppler's pdftoppm (to look at what was made).
pub fn pdf_first_page(pdf: &[u8], png: &Path) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("page.pdf");
    std::fs::write(&file, pdf)?;
    let stem = png.with_extension("");
    let status = Command::new("pdftoppm")
        .args(["-png", "-r", "72", "-singlefile", "-f", "1", "-l", "1"])
        .arg(&file)
        .arg(&stem)
        .status()
        .context("running pdftoppm: install poppler-utils with scripts/setup.sh")?;
    if !status.success() {
        bail!("pdftoppm failed on the PDF");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn base64_decodes_as_the_standard_says() {
        assert_eq!(super::decode_base64("bGl1aGVu").unwrap(), b"liuhen");
        assert_eq!(super::decode_base64("bGl1aA==").unwrap(), b"liuh");
        assert!(super::decode_base64("b*").is_err());
    }
}
