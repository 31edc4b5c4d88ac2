//! The web console in a real browser (Debian's headless Chromium through chromedriver) against
//! a running chain: the stage table moves while an article is fed, the reference article's
//! quotes are marked with their speakers, a search finds a speaker by part of the name and
//! follows them live, a dead letter appears and is replayed once its cause is fixed, and
//! `newsflow up` serves the same page showing each copy of a stage.
//!
//! Set `NEWSFLOW_SCREENSHOTS=DIR` to keep a screenshot of each page, `DIR/console-<page>.png`
//! (`NEWSFLOW_SCREENSHOTS=$PWD/docs` from the project root makes the README's).

use fantoccini::{Client, ClientBuilder, Locator};
use newsflow_e2e::{
    NatsServer, ensure_streams, free_port, json, newsflow_bin, publish_raw, raw_article,
    read_stream, start_chain,
};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const TOKEN: &str = "console-test-token";
const WAIT: Duration = Duration::from_secs(60);

/// A child process killed when dropped.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Debian's chromium and chromedriver; installed with apt when missing and this is root (as
/// `.ci/run` does), else the test says how.
fn chromium() -> (PathBuf, PathBuf) {
    let found = |name: &str| {
        ["/usr/bin", "/usr/local/bin"]
            .iter()
            .map(|dir| Path::new(dir).join(name))
            .find(|p| p.is_file())
    };
    if let (Some(browser), Some(driver)) = (found("chromium"), found("chromedriver")) {
        return (browser, driver);
    }
    eprintln!("console test: installing Debian's chromium and chromium-driver (apt-get)…");
    let installed = Command::new("apt-get")
        .args(["install", "-y", "-qq", "chromium", "chromium-driver"])
        .env("DEBIAN_FRONTEND", "noninteractive")
        .status()
        .is_ok_and(|s| s.success());
    match (found("chromium"), found("chromedriver")) {
        (Some(browser), Some(driver)) if installed => (browser, driver),
        _ => panic!(
            "the console test needs Chromium and its WebDriver: `sudo apt-get install chromium chromium-driver` (Debian), as .ci/run does"
        ),
    }
}

fn wait_for_port(port: u16, what: &str) {
    let deadline = Instant::now() + WAIT;
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "{what} never listened on {port}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

async fn browser() -> (Client, Running) {
    let (binary, driver) = chromium();
    let port = free_port();
    let child = Command::new(driver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let driver = Running(child);
    wait_for_port(port, "chromedriver");
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".to_owned(),
        serde_json::json!({
            "binary": binary,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1000"],
        }),
    );
    // chromedriver speaks plain HTTP on loopback: no TLS connector needed.
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    let client = ClientBuilder::new(connector)
        .capabilities(capabilities)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("a headless Chromium session");
    (client, driver)
}

/// The text of the first element `css` matches, once it matches one, polled until `done` says
/// yes to it.
async fn text_when(client: &Client, css: &str, done: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + WAIT;
    let mut last = String::new();
    loop {
        if let Ok(element) = client.find(Locator::Css(css)).await
            && let Ok(text) = element.text().await
        {
            if done(&text) {
                return text;
            }
            last = text;
        }
        assert!(
            Instant::now() < deadline,
            "{css} never became what was expected; last: {last:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Every value of `attribute` on the elements `css` matches, once there is at least one.
async fn attributes(client: &Client, css: &str, attribute: &str) -> Vec<String> {
    let deadline = Instant::now() + WAIT;
    loop {
        let found = client.find_all(Locator::Css(css)).await.unwrap_or_default();
        if !found.is_empty() {
            let mut values = Vec::new();
            for element in found {
                if let Ok(Some(value)) = element.attr(attribute).await {
                    values.push(value);
                }
            }
            return values;
        }
        assert!(Instant::now() < deadline, "nothing matches {css}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn screenshot(client: &Client, name: &str) {
    if let Some(dir) = std::env::var_os("NEWSFLOW_SCREENSHOTS") {
        // Let the page settle (a live update, the chart) before the picture.
        tokio::time::sleep(Duration::from_millis(2500)).await;
        let png = client.screenshot().await.expect("a screenshot");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(Path::new(&dir).join(format!("console-{name}.png")), png).unwrap();
    }
}

fn feed(url: &str, path: &Path) {
    let fed = Command::new(newsflow_bin())
        .arg("feed")
        .arg(path)
        .env("NATS_URL", url)
        .output()
        .expect("newsflow feed runs");
    assert!(
        fed.status.success(),
        "{}",
        String::from_utf8_lossy(&fed.stderr)
    );
}

/// `POST /api/dead-letters/replay {"all": true}` with `token`: the whole answer.
fn replay_all(port: u16, token: Option<&str>) -> String {
    let authorization: Vec<String> = token
        .map(|t| format!("Authorization: Bearer {t}"))
        .into_iter()
        .collect();
    newsflow_e2e::http_post(
        port,
        "/api/dead-letters/replay",
        r#"{"all": true}"#,
        &authorization,
    )
}

fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_shows_the_chain_articles_search_and_dead_letters_in_a_browser() {
    let server = NatsServer::start();
    let url = server.url();
    ensure_streams(&url).await.unwrap();
    let nats = server.client().await;
    let js = async_nats::jetstream::new(nats.clone());
    // An operator keeps events under 64 KiB: a very long article's event is refused, and
    // dead-lettered, until the limit goes.
    newsflow_e2e::limit_event_size(&js, 64 * 1024).await;
    let _stages = start_chain(
        &url,
        &[
            ("NEWSFLOW_MAX_DELIVER", "2"),
            ("NEWSFLOW_RETRY_BACKOFF", "100ms"),
        ],
    );
    let port = free_port();
    let mut web = Running(
        Command::new(newsflow_bin())
            .args(["web", "--addr", &format!("127.0.0.1:{port}")])
            .env("NATS_URL", &url)
            .env("NEWSFLOW_CONSOLE_TOKEN", TOKEN)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("newsflow web starts"),
    );
    wait_for_port(port, "newsflow web");
    let console = format!("http://127.0.0.1:{port}/");
    let (client, _driver) = browser().await;

    // The chain: every stage, each with the copy that runs it; the table moves as the
    // reference article goes through.
    client.goto(&console).await.unwrap();
    text_when(&client, "#connection", |t| t == "live").await;
    text_when(&client, ".stage[data-stage=entities] .replicas", |t| {
        t == "1 copy"
    })
    .await;
    let reference = samples().join("kursk-troops.txt");
    feed(&url, &reference);
    text_when(&client, ".stage[data-stage=events] dd.settled", |t| {
        t == "1"
    })
    .await;
    text_when(&client, ".stage[data-stage=ingest] dd.settled", |t| {
        t == "1"
    })
    .await;
    text_when(&client, "#articles tr[data-article] td:nth-child(4)", |t| {
        t.parse::<usize>().is_ok_and(|n| n >= 5)
    })
    .await;
    let reference_id = attributes(&client, "#articles tr[data-article]", "data-article")
        .await
        .remove(0);
    if std::env::var_os("NEWSFLOW_SCREENSHOTS").is_some() {
        // A fuller picture for the README: every sample.
        feed(&url, &samples());
        text_when(&client, ".stage[data-stage=events] dd.settled", |t| {
            t == "25"
        })
        .await;
    }
    screenshot(&client, "chain").await;

    // Its page: the quotes marked, each with its speaker; entities marked by type.
    client
        .find(Locator::Css(&format!(
            "#articles tr[data-article='{reference_id}'] a"
        )))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let speakers = attributes(&client, "mark.quote", "data-speaker").await;
    for name in ["Antony J. Blinken", "Cho Tae-yul"] {
        assert!(
            speakers.iter().any(|s| s == name),
            "no quote marked as {name}'s: {speakers:?}"
        );
    }
    let titles = attributes(&client, "mark.quote", "title").await;
    assert!(
        titles.iter().any(|t| t == "Quote by Antony J. Blinken"),
        "{titles:?}"
    );
    let people = attributes(&client, "span.ent.ent-PERSON", "title").await;
    assert!(people.iter().any(|t| t.contains("Blinken")), "{people:?}");
    text_when(&client, "#revisions", |t| t.contains("revision 1")).await;
    screenshot(&client, "article").await;

    // Search: a speaker by part of the name, over the replayable events; then followed live
    // while a revised article quotes him again.
    client
        .goto(&format!("{console}#/search?speaker=Blinken"))
        .await
        .unwrap();
    text_when(&client, "#results .result .speaker", |t| {
        t == "Antony J. Blinken"
    })
    .await;
    client
        .find(Locator::Id("follow"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    text_when(&client, "#follow", |t| t.starts_with("Following")).await;
    let revised = std::env::temp_dir().join(format!("kursk-revised-{}.txt", std::process::id()));
    std::fs::write(
        &revised,
        format!(
            "{}\n\nThe briefing ended shortly after noon.\n",
            std::fs::read_to_string(&reference).unwrap()
        ),
    )
    .unwrap();
    feed(&url, &revised);
    text_when(&client, "#results .result.new .speaker", |t| {
        t == "Antony J. Blinken"
    })
    .await;
    screenshot(&client, "search").await;

    // A dead letter: listed with its reason; replayed once the cause is fixed.
    publish_raw(&js, raw_article("long", &newsflow_e2e::long_article()))
        .await
        .unwrap();
    client
        .goto(&format!("{console}#/dead-letters"))
        .await
        .unwrap();
    let deadline = Instant::now() + WAIT;
    loop {
        client
            .find(Locator::Id("refresh-letters"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(500)).await;
        if let Ok(reason) = client.find(Locator::Css("#letters td.reason")).await
            && reason
                .text()
                .await
                .unwrap_or_default()
                .contains("gave up after 2")
        {
            break;
        }
        assert!(Instant::now() < deadline, "the dead letter never showed");
    }
    text_when(&client, "#letters tr[data-sequence] td:nth-child(4)", |t| {
        t == "long"
    })
    .await;
    screenshot(&client, "dead-letters").await;
    // Replaying takes the token: without it, or with another, nothing is replayed.
    for token in [None, Some("not-the-token")] {
        let refused = replay_all(port, token);
        assert!(refused.starts_with("HTTP/1.1 401"), "{refused}");
    }
    text_when(&client, "#letters td.reason", |t| {
        t.contains("gave up after 2")
    })
    .await;
    newsflow_e2e::limit_event_size(&js, -1).await;
    client
        .find(Locator::Id("token"))
        .await
        .unwrap()
        .send_keys(TOKEN)
        .await
        .unwrap();
    client
        .find(Locator::Css("#letters button.replay"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    text_when(&client, "#letters-note, #letters tr.empty td", |t| {
        t.contains("Replayed 1") || t == "No dead letters."
    })
    .await;
    text_when(&client, "#letters tr.empty td", |t| t == "No dead letters.").await;
    let came_out = |events: &[async_nats::jetstream::Message]| {
        events.iter().any(|e| json(e)["article_id"] == "long")
    };
    let events = read_stream(
        &nats,
        "NEWSFLOW_EVENTS",
        "newsflow.events.article",
        WAIT,
        came_out,
    )
    .await
    .unwrap();
    assert!(came_out(&events), "the replayed article never came out");

    // `newsflow up` serves the same console on its admin address; with it beside the chain
    // above, each stage has two copies, and the page shows both.
    let admin = free_port();
    let mut up = Running(
        Command::new(newsflow_bin())
            .arg("up")
            .env("NATS_URL", &url)
            .env("NEWSFLOW_ADMIN_ADDR", format!("127.0.0.1:{admin}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("newsflow up starts"),
    );
    wait_for_port(admin, "newsflow up");
    client
        .goto(&format!("http://127.0.0.1:{admin}/"))
        .await
        .unwrap();
    text_when(&client, ".stage[data-stage=quotes] .replicas", |t| {
        t == "2 copies"
    })
    .await;
    let copies = client
        .find_all(Locator::Css(".stage[data-stage=quotes] .copies li"))
        .await
        .unwrap();
    assert_eq!(copies.len(), 2);

    // Stopping while a page is open on the live updates: each stops at once.
    text_when(&client, "#connection", |t| t == "live").await;
    assert!(
        terminate(&mut up.0),
        "newsflow up did not stop within 15 s of SIGTERM with a page open"
    );
    client.goto(&console).await.unwrap();
    text_when(&client, "#connection", |t| t == "live").await;
    assert!(
        terminate(&mut web.0),
        "newsflow web did not stop within 15 s of SIGTERM with a page open"
    );
    client.close().await.unwrap();
}

/// Sends SIGTERM and waits up to 15 s for the process to exit; whether it did.
fn terminate(child: &mut Child) -> bool {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let deadline = Instant::now() + Duration::from_secs(15);
    while Instant::now() < deadline {
        if child.try_wait().ok().flatten().is_some() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    false
}
