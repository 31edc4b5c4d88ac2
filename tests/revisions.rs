//! Revisions, every stage its own process: an article fed again unchanged is counted by ingest as
//! a duplicate and emits nothing more, however its raw JSON is written; fed again with a changed
//! body under the same URL, it comes out again as revision 2 beside revision 1.

use newsflow_e2e::{NatsServer, StageProcess, WAIT, article_events, ensure_streams, json};
use newsflow_proto::subjects;
use std::time::Duration;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

const KURSK: &str = include_str!("../samples/kursk-troops.txt");
const URL: &str = "https://example.com/kursk";
const TITLE: &str = "North Korean troops in Kursk";

/// A server of the test's own with the streams, the chain (one process per stage) and a client.
async fn running_chain() -> (NatsServer, Vec<StageProcess>, String, async_nats::Client) {
    let server = NatsServer::start();
    ensure_streams(&server.url()).await.unwrap();
    let (stages, port) = newsflow_e2e::start_chain_with_ingest_admin(&server.url(), &[]);
    let admin = format!("127.0.0.1:{port}");
    let client = server.client().await;
    (server, stages, admin, client)
}

/// Waits up to 30 s for ingest to have counted `count` duplicates, failing with `what` if not.
async fn wait_for_duplicates(admin: &str, count: f64, what: &str) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while ingest_duplicates(admin).await < count {
        assert!(tokio::time::Instant::now() < deadline, "{what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// `newsflow_duplicates_total{stage="ingest"}` from ingest's `/metrics`; 0 before the first.
async fn ingest_duplicates(admin: &str) -> f64 {
    let body = tokio::time::timeout(WAIT, async {
        let mut stream = tokio::net::TcpStream::connect(admin).await?;
        stream
            .write_all(b"GET /metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            .await?;
        let mut body = String::new();
        stream.read_to_string(&mut body).await?;
        std::io::Result::Ok(body)
    })
    .await
    .expect("/metrics answered within 5 s")
    .expect("/metrics is readable");
    body.lines()
        .find_map(|line| line.strip_prefix("newsflow_duplicates_total{stage=\"ingest\"} "))
        .map_or(0.0, |value| value.trim().parse().expect("a number"))
}

/// Publishes raw JSON text on `newsflow.articles.raw` without a `Nats-Msg-Id`, so nothing on the
/// bus de-duplicates it.
async fn publish_text(client: &async_nats::Client, payload: String) {
    newsflow_e2e::publish_raw(&async_nats::jetstream::new(client.clone()), payload)
        .await
        .expect("the article is published");
}

/// Waits until no stage has anything left to do: every work stream is empty.
async fn settled(client: &async_nats::Client) {
    let js = async_nats::jetstream::new(client.clone());
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let mut left = 0;
        for (name, _) in subjects::WORK_STREAMS {
            let mut stream = js.get_stream(name).await.unwrap();
            left += stream.info().await.unwrap().state.messages;
        }
        if left == 0 {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the work queue did not drain within 60 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Every event in the stream, as (subject, `Nats-Msg-Id`, payload).
async fn all_events(client: &async_nats::Client) -> Vec<(String, String, serde_json::Value)> {
    newsflow_e2e::read_at_least(
        client,
        subjects::EVENTS_STREAM,
        subjects::EVENTS_SUBJECTS,
        usize::MAX,
        Duration::from_secs(2),
    )
    .await
    .iter()
    .map(|m| {
        let msg_id = m
            .headers
            .as_ref()
            .and_then(|h| h.get("Nats-Msg-Id"))
            .map(|v| v.as_str().to_owned())
            .unwrap_or_default();
        (m.subject.to_string(), msg_id, json(m))
    })
    .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_article_fed_again_unchanged_is_a_duplicate_and_its_events_come_out_once() {
    let (_server, _stages, admin, client) = running_chain().await;

    let first = serde_json::json!({ "url": URL, "title": TITLE, "body": KURSK });
    publish_text(&client, first.to_string()).await;
    let articles = article_events(&client, 1, Duration::from_secs(60)).await;
    assert_eq!(articles.len(), 1, "the article came out");
    let article = json(&articles[0]);
    let id = article["article_id"].as_str().unwrap().to_owned();
    assert_eq!(article["revision"], 1);
    assert_eq!(article["event_id"], format!("{id}.r1.article"));
    settled(&client).await;
    let before = all_events(&client).await;
    assert!(before.len() > 10, "quotes and entities came out too");

    // The same article written differently: other key order, other whitespace in title and
    // body. Its raw bytes differ, so only ingest can tell it is the same.
    let body = format!("  {}\n\n\n", KURSK.replace("\n\n", "\n\n\n"));
    let again = format!(
        r#"{{ "body": {}, "title": "  {TITLE} ", "url": "{URL}" }}"#,
        serde_json::Value::String(body)
    );
    publish_text(&client, again).await;
    wait_for_duplicates(
        &admin,
        1.0,
        "ingest did not count the unchanged article as a duplicate within 30 s",
    )
    .await;
    settled(&client).await;
    let after = all_events(&client).await;
    assert_eq!(
        after.len(),
        before.len(),
        "nothing more came out: {:#?}",
        &after[before.len().min(after.len())..]
    );
    assert_eq!(
        article_events(&client, 2, Duration::from_secs(2))
            .await
            .len(),
        1
    );
    assert_eq!(ingest_duplicates(&admin).await, 1.0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_article_fed_again_with_a_changed_body_comes_out_as_revision_2_beside_revision_1() {
    let (server, _stages, _admin, client) = running_chain().await;

    let first = serde_json::json!({ "url": URL, "title": TITLE, "body": KURSK });
    publish_text(&client, first.to_string()).await;
    assert_eq!(
        article_events(&client, 1, Duration::from_secs(60))
            .await
            .len(),
        1
    );
    settled(&client).await;
    let revision_1 = all_events(&client).await;

    // The same URL (and so the same article) with a paragraph more.
    let changed = format!(
        "{KURSK}\n\n“We will keep watching very closely,” Austin said on Friday in Washington."
    );
    let second = serde_json::json!({ "url": URL, "title": TITLE, "body": changed });
    publish_text(&client, second.to_string()).await;
    let articles = article_events(&client, 2, Duration::from_secs(60)).await;
    assert_eq!(articles.len(), 2, "the changed article came out again");
    let (old, new) = (json(&articles[0]), json(&articles[1]));
    let id = old["article_id"].as_str().unwrap();
    assert_eq!(new["article_id"], id, "the same URL is the same article");
    assert_eq!(old["revision"], 1);
    assert_eq!(old["event_id"], format!("{id}.r1.article"));
    assert_eq!(new["revision"], 2);
    assert_eq!(new["event_id"], format!("{id}.r2.article"));
    assert!(
        new["text"]
            .as_str()
            .unwrap()
            .ends_with("Austin said on Friday in Washington.")
    );
    assert!(
        new["quotes"].as_array().unwrap().iter().any(|q| q["text"]
            .as_str()
            .unwrap()
            .starts_with("We will keep watching")),
        "revision 2 was processed from its own text"
    );

    settled(&client).await;
    let all = all_events(&client).await;
    assert_eq!(
        &all[..revision_1.len()],
        &revision_1[..],
        "revision 1's events stay as they were"
    );
    let added = &all[revision_1.len()..];
    assert!(
        added.len() > 10,
        "revision 2's quotes and entities came out too"
    );
    let r2 = format!("{id}.r2.");
    for (subject, msg_id, event) in added {
        assert_eq!(event["revision"], 2, "{subject}: {event}");
        assert!(
            event["event_id"].as_str().unwrap().starts_with(&r2),
            "{subject}: {}",
            event["event_id"]
        );
        assert_eq!(event["event_id"].as_str(), Some(msg_id.as_str()));
    }
    for (subject, _, event) in &revision_1 {
        assert_eq!(event["revision"], 1, "{subject}: {event}");
    }
    assert!(
        added
            .iter()
            .any(|(subject, _, _)| subject == "newsflow.events.quote.lloyd-j-austin-iii"),
        "the new quote under its speaker: {:?}",
        added.iter().map(|(s, _, _)| s).collect::<Vec<_>>()
    );

    // What ingest remembers: revision 2 is the latest.
    let config = newsflow_runtime::Config::with_url(server.url());
    let bus = newsflow_e2e::bus(&server.url()).await.unwrap();
    let revisions = newsflow_runtime::streams::ensure_revisions(&bus, &config.retention)
        .await
        .unwrap();
    let seen = revisions.get(id).await.unwrap().expect("an entry");
    assert_eq!(seen.revision, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn versions_of_one_article_fed_at_once_each_come_out_as_their_own_revision() {
    let (_server, _stages, admin, client) = running_chain().await;

    // Three versions back to back: ingest fetches them in one batch and works on them at once.
    let endings = ["Filed at noon.", "Filed at one.", "Filed at two."];
    for ending in endings {
        let body = format!("{KURSK}\n\n{ending}");
        let raw = serde_json::json!({ "url": URL, "title": TITLE, "body": body });
        publish_text(&client, raw.to_string()).await;
    }
    article_events(&client, 3, Duration::from_secs(60)).await;
    settled(&client).await;
    let articles: Vec<serde_json::Value> = article_events(&client, 4, Duration::from_secs(2))
        .await
        .iter()
        .map(json)
        .collect();
    assert!(articles.len() >= 3, "{} article events", articles.len());
    let mut revisions: Vec<u64> = articles
        .iter()
        .map(|a| a["revision"].as_u64().unwrap())
        .collect();
    revisions.sort_unstable();
    assert_eq!(revisions, [1, 2, 3], "each revision once");
    for ending in endings {
        let with_it = articles
            .iter()
            .filter(|a| a["text"].as_str().unwrap().ends_with(ending))
            .count();
        assert_eq!(with_it, 1, "the version ending {ending:?} came out once");
    }
    // The bucket remembers the version that came out last: fed again, it is the duplicate.
    let latest = articles.iter().find(|a| a["revision"] == 3).unwrap();
    let ending = latest["text"]
        .as_str()
        .unwrap()
        .rsplit("\n\n")
        .next()
        .unwrap();
    let raw =
        serde_json::json!({ "url": URL, "title": TITLE, "body": format!("{KURSK}\n\n{ending}") });
    publish_text(&client, raw.to_string()).await;
    wait_for_duplicates(
        &admin,
        1.0,
        "the version of revision 3 fed again was not a duplicate",
    )
    .await;
    settled(&client).await;
    assert_eq!(
        article_events(&client, 4, Duration::from_secs(2))
            .await
            .len(),
        3
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revision_reserved_by_a_delivery_that_stopped_is_never_given_to_other_content() {
    let (server, _stages, _admin, client) = running_chain().await;
    let config = newsflow_runtime::Config::with_url(server.url());
    let bus = newsflow_e2e::bus(&server.url()).await.unwrap();
    let revisions = newsflow_runtime::streams::ensure_revisions(&bus, &config.retention)
        .await
        .unwrap();
    let version = |ending: &str| serde_json::json!({ "url": URL, "title": TITLE, "body": format!("{KURSK}\n\n{ending}") });
    // What ingest would write when a delivery reserved `revision` for `raw` and then stopped
    // (a crash, a failed bucket write) before marking its outputs stored.
    let reserve = |raw: Option<&serde_json::Value>, revision: u32| {
        let revisions = revisions.clone();
        let hash = raw.map_or("content that never came out".to_owned(), |raw| {
            let raw = serde_json::from_value(raw.clone()).unwrap();
            newsflow_ingest::content_hash(&newsflow_ingest::ingest_raw(raw, "now").unwrap())
        });
        async move {
            let read = revisions.lookup(&id_of()).await.unwrap();
            let seen = newsflow_runtime::revisions::Seen {
                content_hash: hash,
                revision,
                stored: false,
            };
            revisions.commit(&id_of(), &read, &seen).await.unwrap();
        }
    };

    publish_text(&client, version("Filed at noon.").to_string()).await;
    assert_eq!(article_events(&client, 1, WAIT * 12).await.len(), 1);
    settled(&client).await;

    // Revision 2 was reserved for other content whose delivery stopped: a new version skips it.
    reserve(None, 2).await;
    publish_text(&client, version("Filed at one.").to_string()).await;
    let articles = article_events(&client, 2, WAIT * 12).await;
    assert_eq!(articles.len(), 2);
    let second = json(&articles[1]);
    assert_eq!(second["revision"], 3, "revision 2 named other content");
    assert!(second["text"].as_str().unwrap().ends_with("Filed at one."));
    settled(&client).await;

    // Revision 4 was reserved for this very content and its delivery stopped: fed again (or
    // redelivered), it comes out as revision 4, not as a duplicate and not as revision 5.
    let third = version("Filed at two.");
    reserve(Some(&third), 4).await;
    publish_text(&client, third.to_string()).await;
    let articles = article_events(&client, 3, WAIT * 12).await;
    assert_eq!(articles.len(), 3);
    assert_eq!(json(&articles[2])["revision"], 4);
    settled(&client).await;
    let seen = revisions.get(&id_of()).await.unwrap().expect("an entry");
    assert_eq!((seen.revision, seen.stored), (4, true));
}

/// The id ingest gives the articles of these tests (they all have [`URL`]).
fn id_of() -> String {
    let raw = serde_json::from_value(serde_json::json!({ "url": URL, "body": "x" })).unwrap();
    newsflow_ingest::article_id(&raw).unwrap().to_string()
}

/// `newsflow feed` says what ingest will do with each article, as ingest decides it: new the
/// first time, unchanged (nothing comes out) once ingest has it, a new revision when it changed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_feeder_is_told_new_unchanged_or_new_revision_as_ingest_will_decide() {
    let (server, _stages, _admin, client) = running_chain().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("kursk.json");
    let write = |body: &str| {
        let article = serde_json::json!({ "url": URL, "title": TITLE, "body": body });
        std::fs::write(&file, article.to_string()).unwrap();
    };
    let feed = || feed(&server.url(), &file);

    write(KURSK);
    let said = feed();
    assert!(
        said.contains("1 new, 0 new revision(s), 0 unchanged"),
        "{said}"
    );
    assert_eq!(article_events(&client, 1, WAIT * 12).await.len(), 1);
    settled(&client).await;

    let said = feed();
    assert!(
        said.contains("0 new, 0 new revision(s), 1 unchanged"),
        "{said}"
    );
    assert!(
        said.contains("is revision 1 again: ingest counts it as a duplicate"),
        "{said}"
    );

    write(&format!("{KURSK}\n\nThe ministry declined to comment."));
    let said = feed();
    assert!(
        said.contains("0 new, 1 new revision(s), 0 unchanged"),
        "{said}"
    );
    assert!(said.contains("it becomes revision 2"), "{said}");
    let articles = article_events(&client, 2, WAIT * 12).await;
    assert_eq!(json(&articles[1])["revision"], 2);
}

/// A folder of HTML pages fed twice comes out once: the second feed is told every page is
/// unchanged, and nothing more comes out. Each page's title and canonical URL come from the page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_folder_of_html_pages_fed_twice_comes_out_once() {
    let (server, _stages, _admin, client) = running_chain().await;
    let dir = tempfile::tempdir().unwrap();
    let samples = newsflow_pipeline::samples::SAMPLES;
    for (n, (_, text)) in samples.iter().take(3).enumerate() {
        let paragraphs: String = text
            .split("\n\n")
            .map(|p| format!("<p>{p}</p>\n"))
            .collect();
        let page = format!(
            "<!doctype html><html lang=\"en\"><head><title>Page {n} | Site</title>\
             <meta property=\"og:title\" content=\"Story number {n}\">\
             <link rel=\"canonical\" href=\"https://site.example/story-{n}\"></head>\
             <body><nav><a href=\"/\">Site front page</a> <a href=\"/news\">All the news</a></nav>\
             <article><h1>Story number {n}</h1>{paragraphs}</article>\
             <footer>© 2024 Site. All rights reserved.</footer></body></html>"
        );
        std::fs::write(dir.path().join(format!("page-{n}.html")), page).unwrap();
    }
    let feed = || feed(&server.url(), dir.path());
    let said = feed();
    assert!(
        said.contains("3 new, 0 new revision(s), 0 unchanged"),
        "{said}"
    );
    let events = article_events(&client, 3, WAIT * 12).await;
    assert_eq!(events.len(), 3);
    settled(&client).await;
    let mut pages: Vec<(String, String)> = events
        .iter()
        .map(json)
        .map(|e| {
            (
                e["title"].as_str().unwrap().to_owned(),
                e["url"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    pages.sort();
    assert_eq!(
        pages[0],
        (
            "Story number 0".to_owned(),
            "https://site.example/story-0".to_owned()
        )
    );
    for event in events.iter().map(json) {
        let text = event["text"].as_str().unwrap();
        assert!(
            !text.contains("Site front page") && !text.contains("rights reserved"),
            "{text}"
        );
    }

    let said = feed();
    assert!(
        said.contains("0 new, 0 new revision(s), 3 unchanged"),
        "{said}"
    );
    assert_eq!(
        article_events(&client, 4, Duration::from_secs(3))
            .await
            .len(),
        3,
        "nothing more came out"
    );
}

/// `newsflow feed PATH` against `url`, to the end; what it said.
fn feed(url: &str, path: &std::path::Path) -> String {
    let output = std::process::Command::new(newsflow_e2e::newsflow_bin())
        .arg("feed")
        .arg(path)
        .env("NATS_URL", url)
        .output()
        .expect("newsflow feed runs");
    let said = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "{said}");
    said
}
