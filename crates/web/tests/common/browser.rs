//! Driving a real headless Chromium (Debian's chromium and chromedriver) for the browser
//! tests: the driver and sessions, axe-core on a page, screenshots in target/screenshots/,
//! and the keyboard-only moves a journey is made of. Included by each browser test with
//! `#[path = "common/browser.rs"] mod chromium;` beside `mod common;`.
#![allow(dead_code)]

use crate::common::{TestApp, free_port};
use convene_store::demo::DEMO_PASSWORD;
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A chromedriver process, stopped when dropped.
pub struct Driver {
    child: Child,
    url: String,
    profiles: Vec<PathBuf>,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        for p in &self.profiles {
            let _ = std::fs::remove_dir_all(p);
        }
    }
}

pub async fn start_driver() -> Driver {
    let port = free_port();
    let child = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver must be installed (Debian package chromium-driver)");
    let url = format!("http://127.0.0.1:{port}");
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Driver {
        child,
        url,
        profiles: Vec::new(),
    }
}

/// A headless Chromium session, with or without JavaScript.
pub async fn browser(driver: &mut Driver, javascript: bool, width: u32) -> Client {
    let profile =
        std::env::temp_dir().join(format!("convene-chromium-{}-{}", std::process::id(), free_port()));
    driver.profiles.push(profile.clone());
    let mut args = vec![
        "--headless=new".to_string(),
        "--no-sandbox".into(),
        "--disable-gpu".into(),
        "--disable-quic".into(),
        "--no-first-run".into(),
        "--disable-background-networking".into(),
        "--disable-component-update".into(),
        "--disable-sync".into(),
        "--disable-dev-shm-usage".into(),
        format!("--user-data-dir={}", profile.display()),
        format!("--window-size={width},1000"),
    ];
    if !javascript {
        args.push("--blink-settings=scriptEnabled=false".into());
    }
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({ "binary": "/usr/bin/chromium", "args": args }),
    );
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    ClientBuilder::new(connector)
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .expect("start a Chromium session")
}

/// Runs axe-core on the current page; any violation fails the test, naming page and rule.
pub async fn assert_accessible(client: &Client, page: &str) {
    let axe = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../node_modules/axe-core/axe.min.js"
    ))
    .expect("npm ci installs axe-core");
    client
        .execute(&format!("{axe}\nreturn true;"), vec![])
        .await
        .unwrap();
    let result = client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] } })
               .then(r => done(r.violations.map(v => v.id + ': ' + v.help + ' at ' + v.nodes.map(n => n.target.join(' ')).join(', '))))
               .catch(e => done(['axe failed: ' + e]));",
            vec![],
        )
        .await
        .unwrap();
    let violations: Vec<String> = serde_json::from_value(result).unwrap();
    assert!(
        violations.is_empty(),
        "axe-core found problems on {page}:\n{}",
        violations.join("\n")
    );
}

pub async fn screenshot(client: &Client, name: &str) {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../target/screenshots"));
    std::fs::create_dir_all(&dir).unwrap();
    let png = client.screenshot().await.unwrap();
    std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
}

pub async fn path_of(client: &Client) -> String {
    client.current_url().await.unwrap().path().to_string()
}

/// Signs in with the demo password, with the keyboard alone, and lands on the dashboard.
pub async fn sign_in(client: &Client, app: &TestApp, email: &str) {
    client.goto(&app.at("/sign-in")).await.unwrap();
    type_into(client, "email", email).await;
    type_into(client, "password", DEMO_PASSWORD).await;
    press(client, Locator::Css("main button[type=submit]")).await;
    assert_eq!(
        path_of(client).await,
        "/dashboard",
        "{email} reaches the dashboard"
    );
}

/// Signs out from the header's button, with the keyboard.
pub async fn sign_out(client: &Client) {
    press(client, Locator::Css(".nhsuk-header__account-button")).await;
    client.wait().for_element(Locator::Id("email")).await.unwrap();
    assert_eq!(path_of(client).await, "/sign-in");
}

/// Presses a link or button with the keyboard (Enter), as someone without a mouse does,
/// and waits for the next page.
pub async fn press(client: &Client, locator: Locator<'_>) {
    let old = client.find(Locator::Css("html")).await.unwrap();
    client
        .find(locator)
        .await
        .unwrap()
        .send_keys(&Key::Enter.to_string())
        .await
        .unwrap();
    wait_for_new_page(client, old).await;
}

/// Waits until `old` (an element of the page before) is gone, then for the new page's h1:
/// without this a busy machine finds the old page's heading.
pub async fn wait_for_new_page(client: &Client, old: fantoccini::elements::Element) {
    for _ in 0..200 {
        if old.tag_name().await.is_err() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    client.wait().for_element(Locator::Css("h1")).await.unwrap();
}

/// Ticks a checkbox or chooses a radio with the space bar.
pub async fn tick(client: &Client, id: &str) {
    client
        .find(Locator::Id(id))
        .await
        .unwrap()
        .send_keys(" ")
        .await
        .unwrap();
}

pub async fn type_into(client: &Client, id: &str, text: &str) {
    let field = client.find(Locator::Id(id)).await.unwrap();
    field.clear().await.unwrap();
    field.send_keys(text).await.unwrap();
}

pub async fn heading(client: &Client) -> String {
    client
        .find(Locator::Css("h1"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// Checks the page with axe-core when JavaScript is on (axe needs it) and saves a screenshot,
/// at a phone's width too; for any journey: screenshots are named `{journey}-{name}-{mode}`.
pub async fn look_in(client: &Client, javascript: bool, journey: &str, name: &str) {
    if javascript {
        assert_accessible(client, name).await;
    }
    let mode = if javascript { "js" } else { "nojs" };
    screenshot(client, &format!("{journey}-{name}-{mode}")).await;
    if javascript {
        // The same page at a phone's width, then back.
        client.set_window_size(390, 1000).await.unwrap();
        screenshot(client, &format!("{journey}-{name}-phone")).await;
        client.set_window_size(1280, 1000).await.unwrap();
    }
}

/// Chooses the option whose value is `value` in a select, with the arrow keys from the
/// top of the list, as someone using the keyboard does.
pub async fn choose(client: &Client, id: &str, value: &str) {
    let field = client.find(Locator::Id(id)).await.unwrap();
    field.send_keys(&Key::Home.to_string()).await.unwrap();
    for _ in 0..200 {
        if field.prop("value").await.unwrap().as_deref() == Some(value) {
            return;
        }
        field.send_keys(&Key::Down.to_string()).await.unwrap();
    }
    panic!("no option {value} in #{id}");
}

/// The text of the first element `css` finds; when there is none, the failure shows the
/// page's address and text.
pub async fn text_of(client: &Client, css: &str) -> String {
    match client.find(Locator::Css(css)).await {
        Ok(element) => element.text().await.unwrap(),
        Err(e) => {
            let url = client.current_url().await.unwrap();
            let main = client
                .find(Locator::Css("body"))
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            panic!("no {css} on {url} ({e}):\n{main}")
        }
    }
}

/// One browser walking a journey with the keyboard alone: the moves and reads the journeys
/// share. `journey` names its screenshots' folder.
pub struct Walk<'a> {
    pub client: &'a Client,
    pub app: &'a TestApp,
    pub javascript: bool,
    pub journey: &'static str,
}

impl Walk<'_> {
    /// axe-core (with JavaScript on) and screenshots of the page.
    pub async fn look(&self, name: &str) {
        look_in(self.client, self.javascript, self.journey, name).await;
    }

    /// Signs in on the harness's server with the demo password.
    pub async fn sign_in(&self, email: &str) {
        sign_in(self.client, self.app, email).await;
    }

    /// Presses Enter on the element `css` finds, and waits for the next page.
    pub async fn press(&self, css: &str) {
        press(self.client, Locator::Css(css)).await;
    }

    /// Presses Enter on the link with this text.
    pub async fn follow(&self, text: &str) {
        press(self.client, Locator::LinkText(text)).await;
    }

    /// Back to the dashboard from the header's navigation.
    pub async fn dashboard(&self) {
        self.press("header a[href='/dashboard']").await;
    }

    pub async fn text(&self, css: &str) -> String {
        text_of(self.client, css).await
    }

    /// The text of the element an XPath finds.
    pub async fn text_at(&self, xpath: &str) -> String {
        let found = self.client.find(Locator::XPath(xpath)).await;
        found
            .unwrap_or_else(|e| panic!("no {xpath}: {e}"))
            .text()
            .await
            .unwrap()
    }

    /// The confirmation banner a change leads to says `what`.
    pub async fn confirmed(&self, what: &str) {
        let notice = self.text(".nhsuk-notification-banner").await;
        assert!(notice.contains(what), "{what:?} in {notice}");
    }

    /// The error summary, checking the page's title says there are errors.
    pub async fn errors(&self) -> String {
        let title = self.client.title().await.unwrap();
        assert!(title.starts_with("Error: "), "{title}");
        self.text(".nhsuk-error-summary").await
    }

    /// The message beside a field, checking it is there.
    pub async fn error_beside(&self, id: &str) -> String {
        self.text(&format!("[id='{id}-error']")).await
    }

    pub async fn value(&self, id: &str) -> String {
        let field = self.client.find(Locator::Id(id)).await.unwrap();
        field.prop("value").await.unwrap().unwrap_or_default()
    }

    pub async fn checked(&self, id: &str) -> bool {
        let field = self.client.find(Locator::Id(id)).await.unwrap();
        field.prop("checked").await.unwrap().as_deref() == Some("true")
    }

    pub async fn has(&self, css: &str) -> bool {
        self.client.find(Locator::Css(css)).await.is_ok()
    }

    pub async fn type_into(&self, id: &str, text: &str) {
        type_into(self.client, id, text).await;
    }
}
