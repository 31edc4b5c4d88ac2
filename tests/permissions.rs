//! The shipped `deploy/nats/permissions.conf` on a real server: with `newsflow setup` run as
//! admin (and `setup --readers` as the readers' admin), every stage, the feeder, the monitor and
//! the reader do their work as their own users; what the users may not do is refused, and the
//! refusal is named ("permission denied", with the subject) in the stage's log or the command's
//! error.

use futures::StreamExt as _;
use newsflow_e2e::{newsflow_bin, python_subscriber, server_binary};
use newsflow_runtime::server::{LocalServer, Options};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const USERS: [&str; 10] = [
    "admin",
    "ingest",
    "segment",
    "entities",
    "quotes",
    "events",
    "feeder",
    "monitor",
    "reader-admin",
    "reader",
];

fn password(user: &str) -> String {
    format!("pw-{user}-0123")
}

struct Bus {
    server: LocalServer,
    dir: tempfile::TempDir,
}

impl Bus {
    /// A server with the shipped permissions, each user's password in the environment as the
    /// file expects.
    fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("store");
        std::fs::create_dir_all(&store).unwrap();
        let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy/nats/permissions.conf");
        // nats-server reads an include beside the configuration it was given.
        std::fs::copy(&shipped, store.join("permissions.conf")).unwrap();
        let env = USERS
            .iter()
            .map(|u| {
                (
                    format!("NEWSFLOW_{}_PASSWORD", u.to_uppercase().replace('-', "_")),
                    password(u),
                )
            })
            .collect();
        let options = Options {
            port: None,
            store,
            log: None,
            monitor: false,
            config: "include permissions.conf".to_owned(),
            env,
        };
        let server =
            LocalServer::start(&server_binary(), &options).unwrap_or_else(|err| panic!("{err:#}"));
        Self { server, dir }
    }

    fn env(&self, user: &str) -> Vec<(String, String)> {
        vec![
            ("NATS_URL".into(), self.server.url()),
            ("NATS_USER".into(), user.into()),
            ("NATS_PASSWORD".into(), password(user)),
            ("NEWSFLOW_ADMIN_ADDR".into(), "off".into()),
            ("RUST_LOG".into(), "warn,async_nats=error".into()),
        ]
    }

    /// `newsflow <args>` as `user`, to the end.
    fn newsflow(&self, user: &str, args: &[&str]) -> Output {
        Command::new(newsflow_bin())
            .args(args)
            .env_remove("NATS_URL")
            .envs(self.env(user))
            .output()
            .expect("newsflow runs")
    }

    /// `newsflow run <stage>` as `user`, its log written to a file.
    fn stage(&self, stage: &str, user: &str) -> Stage {
        self.stage_with(stage, user, &[])
    }

    /// [`stage`](Self::stage) with more environment.
    fn stage_with(&self, stage: &str, user: &str, env: &[(&str, &str)]) -> Stage {
        let log = self.dir.path().join(format!("{stage}-as-{user}.log"));
        let child = Command::new(newsflow_bin())
            .args(["run", stage])
            .env_remove("NATS_URL")
            .envs(self.env(user))
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("newsflow runs");
        Stage { child, log }
    }

    fn article(&self, name: &str, text: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    /// A client logged in as `user` and the server errors it receives.
    async fn client(
        &self,
        user: &str,
    ) -> (
        async_nats::Client,
        tokio::sync::mpsc::UnboundedReceiver<String>,
    ) {
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        // The inbox prefix newsflow's own clients use, the only one a stage's user may receive on.
        let prefix = match user {
            "feeder" => "_INBOX.newsflow-feed".to_owned(),
            "admin" | "reader-admin" => "_INBOX".to_owned(),
            "monitor" => "_INBOX.newsflow-status".to_owned(),
            "reader" => "_INBOX.reader".to_owned(),
            stage => format!("_INBOX.newsflow-{stage}"),
        };
        let client =
            async_nats::ConnectOptions::with_user_and_password(user.into(), password(user))
                .custom_inbox_prefix(prefix)
                .event_callback(move |event| {
                    let tx = tx.clone();
                    async move {
                        if let async_nats::Event::ServerError(err) = event {
                            let _ = tx.send(err.to_string());
                        }
                    }
                })
                .connect(self.server.url())
                .await
                .unwrap();
        (client, rx)
    }
}

struct Stage {
    child: Child,
    log: PathBuf,
}

impl Stage {
    /// Waits until the log contains `text`; the log so far either way.
    fn log_once(&self, text: &str, within: Duration) -> String {
        let deadline = Instant::now() + within;
        loop {
            let log = std::fs::read_to_string(&self.log).unwrap_or_default();
            if log.contains(text) || Instant::now() > deadline {
                return log;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Stage {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Something a user tries on a subject with a client of its own.
#[derive(Clone, Copy)]
enum Attempt {
    /// A request (JetStream's API, a fetch), as the clients send them.
    Request,
    /// A plain publish.
    Publish,
    /// A subscription, waiting a moment for anything on it.
    Subscribe,
}

fn said(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// The refusal the server sends `user` for what `attempt` does, within a few seconds.
async fn refusal(bus: &Bus, user: &str, attempt: Attempt, subject: &'static str) -> String {
    let (client, mut errors) = bus.client(user).await;
    // The attempt's own outcome is a time-out or nothing: the refusal comes as a server error.
    let tried = async {
        match attempt {
            Attempt::Request => drop(client.request(subject, "{}".into()).await),
            Attempt::Publish => {
                let _ = client.publish(subject, "forged".into()).await;
                let _ = client.flush().await;
            }
            Attempt::Subscribe => {
                if let Ok(mut sub) = client.subscribe(subject).await {
                    let _ = tokio::time::timeout(Duration::from_millis(500), sub.next()).await;
                }
            }
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(2), tried).await;
    let refused = tokio::time::timeout(Duration::from_secs(5), errors.recv())
        .await
        .ok()
        .flatten()
        .unwrap_or_default();
    drop(client);
    refused
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_user_does_its_work_and_nothing_else() {
    let bus = Bus::start();

    // Before setup, a stage may not create the streams it needs: it says so and waits.
    let early = bus.stage("segment", "segment");
    let log = early.log_once("run `newsflow setup`", Duration::from_secs(30));
    assert!(log.contains("Permission denied"), "{log}");
    assert!(log.contains("$JS.API.STREAM.CREATE"), "{log}");
    drop(early);
    let feed = bus.newsflow(
        "feeder",
        &[
            "feed",
            bus.article("early.txt", "Too early.\n").to_str().unwrap(),
        ],
    );
    assert!(!feed.status.success());
    assert!(
        said(&feed).contains("run `newsflow setup`"),
        "{}",
        said(&feed)
    );

    let setup = bus.newsflow("admin", &["setup"]);
    assert!(setup.status.success(), "{}", said(&setup));
    assert!(
        said(&setup).contains("NEWSFLOW_QUOTES/events"),
        "{}",
        said(&setup)
    );

    // A consumer as an earlier newsflow made it, with a delivery limit on the server: the stage
    // may not change it, so it says what to do and goes on with it.
    let limited = newsflow_proto::subjects::work_stream("newsflow.articles.entities").unwrap();
    {
        let (admin, _) = bus.client("admin").await;
        let stream = async_nats::jetstream::new(admin)
            .get_stream(limited)
            .await
            .unwrap();
        let mut config = stream.consumer_info("quotes").await.unwrap().config;
        config.max_deliver = 6;
        stream.create_consumer(config).await.unwrap();
    }

    // Readers get a mirror of the events in an account of their own.
    let mirror = bus.newsflow("reader-admin", &["setup", "--readers"]);
    assert!(mirror.status.success(), "{}", said(&mirror));
    assert!(
        said(&mirror).contains("NEWSFLOW_EVENTS (mirror)"),
        "{}",
        said(&mirror)
    );

    // The chain, each stage as its own user.
    let intake_port = newsflow_e2e::free_port();
    let intake_addr = format!("127.0.0.1:{intake_port}");
    let _stages: Vec<Stage> = newsflow_pipeline::names()
        .map(|s| match s {
            "ingest" => bus.stage_with(s, s, &[("NEWSFLOW_ADMIN_ADDR", &intake_addr)]),
            _ => bus.stage(s, s),
        })
        .collect();
    let article = bus.article(
        "one.txt",
        "Mayor Anne Hidalgo opened the bridge on Monday.\n",
    );
    let fed = bus.newsflow("feeder", &["feed", article.to_str().unwrap()]);
    assert!(fed.status.success(), "{}", said(&fed));
    let tail = bus.newsflow(
        "reader",
        &["tail", "--from-start", "--kind", "article", "--limit", "1"],
    );
    assert!(tail.status.success(), "{}", said(&tail));
    assert!(
        said(&tail).contains("Anne Hidalgo opened the bridge"),
        "{}",
        said(&tail)
    );
    // Fed again, the feeder is told ingest has it unchanged.
    let again = bus.newsflow("feeder", &["feed", article.to_str().unwrap()]);
    assert!(
        said(&again).contains("1 unchanged, 0 duplicate(s)"),
        "{}",
        said(&again)
    );
    // The feeder follows a feed, and remembers it: asked again, the feed has not changed.
    let site = one_entry_feed().await;
    let feeds_file = bus.article(
        "feeds.toml",
        &format!("[[feed]]\nurl = \"{site}/rss.xml\"\npages = \"never\"\n"),
    );
    let followed = bus.newsflow("feeder", &["feeds", feeds_file.to_str().unwrap(), "--once"]);
    assert!(followed.status.success(), "{}", said(&followed));
    assert!(
        said(&followed).contains("1 entries: 1 new"),
        "{}",
        said(&followed)
    );
    let followed = bus.newsflow("feeder", &["feeds", feeds_file.to_str().unwrap(), "--once"]);
    assert!(
        said(&followed).contains("not modified since the last poll"),
        "{}",
        said(&followed)
    );
    // Ingest read the near-duplicate window back and listens for it as its own user.
    let ingest_log = std::fs::read_to_string(bus.dir.path().join("ingest-as-ingest.log")).unwrap();
    assert!(
        !ingest_log.contains("Near-duplicates") && !ingest_log.contains("ermission"),
        "{ingest_log}"
    );
    // Entities wrote what it learned to the bucket of entity keys and follows it, as its own user.
    let entities_log =
        std::fs::read_to_string(bus.dir.path().join("entities-as-entities.log")).unwrap();
    assert!(
        !entities_log.contains("cannot be followed") && !entities_log.contains("ermission"),
        "{entities_log}"
    );
    let (admin, _) = bus.client("admin").await;
    let keys = async_nats::jetstream::new(admin)
        .get_key_value(newsflow_proto::subjects::ENTITY_KEYS_BUCKET)
        .await
        .unwrap();
    assert_eq!(
        keys.get("person.anne-hidalgo").await.unwrap().as_deref(),
        Some(&b"anne-hidalgo"[..]),
        "the key of the name the article taught"
    );
    let quotes_log = std::fs::read_to_string(bus.dir.path().join("quotes-as-quotes.log")).unwrap();
    assert!(
        quotes_log.contains("run `newsflow setup` as an admin to lift it"),
        "{quotes_log}"
    );
    let again = bus.newsflow("admin", &["setup"]);
    assert!(
        said(&again).contains(&format!("{limited}/quotes"))
            && said(&again).contains("delivery limit lifted"),
        "{}",
        said(&again)
    );

    // Ingest, as its own user, stores what it takes over HTTP.
    let posted = newsflow_e2e::http_post_as(
        intake_port,
        "/articles?id=posted-1",
        "text/plain",
        b"The council met on Tuesday.",
        &[],
    );
    let (status, answer) = newsflow_e2e::status_and_json(&posted);
    assert_eq!(status, 202, "{posted}");
    assert_eq!(answer["article_id"], "posted-1");
    let status = bus.newsflow("monitor", &["status"]);
    assert!(status.status.success(), "{}", said(&status));
    let letters = bus.newsflow("monitor", &["dead-letters"]);
    assert!(letters.status.success(), "{}", said(&letters));
    assert!(
        said(&letters).contains("No dead letters."),
        "{}",
        said(&letters)
    );
    // A malformed article is dead-lettered by ingest, and the monitor reads its letter.
    {
        let (feeder, _) = bus.client("feeder").await;
        feeder
            .publish("newsflow.articles.raw", "{\"not\": \"an article\"}".into())
            .await
            .unwrap();
        feeder.flush().await.unwrap();
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    let letters = loop {
        let letters = bus.newsflow("monitor", &["dead-letters", "--stage", "ingest"]);
        if said(&letters).contains("1 dead letter(s)") || Instant::now() > deadline {
            break letters;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    };
    assert!(letters.status.success(), "{}", said(&letters));
    assert!(
        said(&letters).contains("1 dead letter(s)"),
        "{}",
        said(&letters)
    );

    // The web console as the monitor: the stages' figures, the article read from the events,
    // the dead letter; and no replay without a token.
    let port = newsflow_e2e::free_port();
    let _console = Stage {
        child: Command::new(newsflow_bin())
            .args(["web", "--addr", &format!("127.0.0.1:{port}")])
            .env_remove("NATS_URL")
            .env_remove("NEWSFLOW_CONSOLE_TOKEN")
            .envs(bus.env("monitor"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(bus.dir.path().join("web.log")).unwrap())
            .spawn()
            .expect("newsflow web runs"),
        log: bus.dir.path().join("web.log"),
    };
    let found = http_until(port, "/api/search?text=bridge", |body| {
        body.contains("The mayor opened the bridge")
    });
    assert!(found.starts_with("HTTP/1.1 200"), "{found}");
    let overview = http_until(port, "/api/overview", |body| {
        body.contains(r#""settled":1"#)
    });
    assert!(overview.contains(r#""name":"ingest""#), "{overview}");
    let letters = http_until(port, "/api/dead-letters", |body| body.contains("ingest"));
    assert!(letters.contains(r#""replay":false"#), "{letters}");
    let refused =
        newsflow_e2e::http_post(port, "/api/dead-letters/replay", r#"{"all": true}"#, &[]);
    assert!(refused.starts_with("HTTP/1.1 403"), "{refused}");
    assert!(refused.contains("read-only"), "{refused}");
    // A subscriber in another language, as the reader: the shipped example takes NATS_URL and
    // the login from the environment and its replies under the reader's inbox prefix.
    let python = python_subscriber()
        .args(["--from-start", "--count", "1", "--timeout", "30"])
        .args([
            "--subject",
            "newsflow.events.article",
            "--durable",
            "py-reader",
        ])
        .env_remove("NATS_URL")
        .envs(bus.env("reader"))
        .output()
        .expect("the Python subscriber runs");
    assert!(python.status.success(), "{}", said(&python));
    assert!(
        String::from_utf8_lossy(&python.stdout).contains(r#""valid": true"#),
        "{}",
        said(&python)
    );

    // A stage's user may not run another stage: not even receive its replies (nor bind, pull
    // or ack its consumer: below).
    let thief = bus.stage("ingest", "segment");
    let log = thief.log_once("Permission denied", Duration::from_secs(30));
    assert!(
        log.contains("Permission denied") && log.contains("_INBOX.newsflow-ingest"),
        "{log}"
    );
    drop(thief);

    // A stage's user may not read events or dead letters through consumers of its own.
    let peek = bus.newsflow("segment", &["tail", "--from-start", "--limit", "1"]);
    assert!(!peek.status.success());
    assert!(said(&peek).contains("permission denied"), "{}", said(&peek));

    // A consumer delivers wherever its maker says, unchecked against the maker's permissions: a
    // reader's push consumer told to deliver on a work stream's subject reaches nothing of the
    // chain, since the reader's account holds only its mirror of the events.
    let ingested_before = last_sequence(&bus, "NEWSFLOW_INGESTED").await;
    {
        let (reader, _) = bus.client("reader").await;
        let events = async_nats::jetstream::new(reader)
            .get_stream("NEWSFLOW_EVENTS")
            .await
            .expect("the reader sees its mirror of the events");
        events
            .create_consumer(async_nats::jetstream::consumer::push::Config {
                deliver_subject: "newsflow.articles.ingested".to_owned(),
                deliver_policy: async_nats::jetstream::consumer::DeliverPolicy::All,
                ..Default::default()
            })
            .await
            .expect("a reader may make consumers of its own");
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    assert_eq!(
        last_sequence(&bus, "NEWSFLOW_INGESTED").await,
        ingested_before,
        "events poured into the chain's work stream"
    );

    // (user, what it tries, on which subject, the part of the subject the refusal names)
    let attempts = [
        (
            "segment",
            Attempt::Request,
            "$JS.API.STREAM.CREATE.ANYTHING",
            "STREAM.CREATE",
        ),
        (
            "feeder",
            Attempt::Request,
            "$JS.API.STREAM.CREATE.ANYTHING",
            "STREAM.CREATE",
        ),
        (
            "entities",
            Attempt::Request,
            "$JS.API.CONSUMER.MSG.NEXT.NEWSFLOW_RAW.ingest",
            "CONSUMER.MSG.NEXT.NEWSFLOW_RAW.ingest",
        ),
        (
            "segment",
            Attempt::Publish,
            "$JS.ACK.NEWSFLOW_RAW.ingest.1.1.1.1.1.1",
            "$JS.ACK.NEWSFLOW_RAW.ingest",
        ),
        (
            "quotes",
            Attempt::Request,
            "$JS.API.CONSUMER.CREATE.NEWSFLOW_EVENTS.peek",
            "CONSUMER.CREATE.NEWSFLOW_EVENTS",
        ),
        (
            "segment",
            Attempt::Request,
            "$JS.API.DIRECT.GET.KV_NEWSFLOW_REVISIONS.$KV.NEWSFLOW_REVISIONS.x",
            "KV_NEWSFLOW_REVISIONS",
        ),
        (
            "ingest",
            Attempt::Request,
            "$JS.API.CONSUMER.CREATE.NEWSFLOW_SIGNATURES",
            "CONSUMER.CREATE.NEWSFLOW_SIGNATURES",
        ),
        (
            "segment",
            Attempt::Publish,
            "newsflow.articles.entities",
            "newsflow.articles.entities",
        ),
        (
            "feeder",
            Attempt::Publish,
            "newsflow.events.article",
            "newsflow.events.article",
        ),
        (
            "segment",
            Attempt::Subscribe,
            "_INBOX.newsflow-ingest.>",
            "_INBOX.newsflow-ingest",
        ),
        (
            "reader",
            Attempt::Subscribe,
            "_INBOX.newsflow-ingest.>",
            "_INBOX.newsflow-ingest",
        ),
        (
            "reader",
            Attempt::Request,
            "$JS.API.CONSUMER.MSG.NEXT.NEWSFLOW_INGESTED.segment",
            "CONSUMER.MSG.NEXT.NEWSFLOW_INGESTED.segment",
        ),
        // The import the mirror uses is not the reader's to make consumers in the chain with.
        (
            "reader",
            Attempt::Request,
            "$JS.newsflow.API.CONSUMER.CREATE.NEWSFLOW_EVENTS.pour.>",
            "$JS.newsflow.API.CONSUMER.CREATE",
        ),
        (
            "monitor",
            Attempt::Request,
            "$JS.API.CONSUMER.CREATE.NEWSFLOW_DLQ.pour",
            "CONSUMER.CREATE.NEWSFLOW_DLQ",
        ),
        (
            "monitor",
            Attempt::Request,
            "$JS.API.CONSUMER.CREATE.NEWSFLOW_EVENTS.pour",
            "CONSUMER.CREATE.NEWSFLOW_EVENTS",
        ),
    ];
    let mut allowed = Vec::new();
    for (user, attempt, subject, what) in attempts {
        let refused = refusal(&bus, user, attempt, subject).await;
        if !(refused.contains("Permissions Violation") && refused.contains(what)) {
            allowed.push(format!("{user} → {what}: {refused:?}"));
        }
    }
    assert!(
        allowed.is_empty(),
        "not refused as they should be: {allowed:#?}"
    );
}

/// The last sequence of the chain's stream `name`, read as the admin.
async fn last_sequence(bus: &Bus, name: &str) -> u64 {
    let (admin, _) = bus.client("admin").await;
    let mut stream = async_nats::jetstream::new(admin)
        .get_stream(name)
        .await
        .unwrap();
    stream.info().await.unwrap().state.last_sequence
}

/// `GET path` on 127.0.0.1:`port` (status line, headers and body), repeated until `done`
/// accepts the answer or 30 seconds pass.
fn http_until(port: u16, path: &str, done: impl Fn(&str) -> bool) -> String {
    use std::io::{Read as _, Write as _};
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let mut answer = String::new();
        if let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            let _ = write!(
                stream,
                "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
            );
            let _ = stream.read_to_string(&mut answer);
        }
        if done(&answer) || Instant::now() > deadline {
            return answer;
        }
        std::thread::sleep(Duration::from_millis(300));
    }
}

/// A site on a free port serving `/rss.xml`, one entry with its whole text, with an ETag; its
/// address.
async fn one_entry_feed() -> String {
    use axum::http::{HeaderMap, StatusCode, header};
    use axum::response::IntoResponse as _;
    const ETAG: &str = "\"v1\"";
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let rss = format!(
        "<rss version=\"2.0\"><channel><title>Town Crier</title><item><title>Bridge opens</title>\
         <link>{address}/bridge.html</link><description>The mayor opened the new bridge over the \
         river on Friday.</description></item></channel></rss>"
    );
    let app = axum::Router::new().route(
        "/rss.xml",
        axum::routing::get(move |headers: HeaderMap| async move {
            if headers
                .get(header::IF_NONE_MATCH)
                .is_some_and(|sent| sent == ETAG)
            {
                return StatusCode::NOT_MODIFIED.into_response();
            }
            ([(header::ETAG, ETAG)], rss).into_response()
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await });
    address
}
