//! `POST /articles` on ingest's admin address, ingest and the chain as their own processes
//! against a real server: one JSON article, a JSON Lines batch and raw HTML or text, each
//! answered with what ingest decided; bad input answered with its reasons; the bearer token;
//! and an accepted article that comes out although ingest is killed right after answering.

use newsflow_e2e::{
    NatsServer, article_events, ensure_streams, http_post_as, json, start_chain_with_ingest_admin,
    status_and_json,
};
use std::time::{Duration, Instant};

const KURSK: &str = include_str!("../samples/kursk-troops.txt");
const NASA: &str = include_str!("../samples/wikinews-nasa.txt");

/// Posts `body` as `content_type` to `/articles` (plus `query`), once the port answers; the
/// status and JSON body of the answer.
fn post(
    port: u16,
    query: &str,
    content_type: &str,
    body: &[u8],
    headers: &[String],
) -> (u16, serde_json::Value) {
    status_and_json(&post_raw(port, query, content_type, body, headers))
}

/// [`post`], the whole answer.
fn post_raw(port: u16, query: &str, content_type: &str, body: &[u8], headers: &[String]) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "nothing answers on port {port}");
        std::thread::sleep(Duration::from_millis(50));
    }
    http_post_as(
        port,
        &format!("/articles{query}"),
        content_type,
        body,
        headers,
    )
}

fn article(id: &str, body: &str) -> String {
    serde_json::json!({ "id": id, "title": "A title", "body": body }).to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn articles_posted_one_by_one_in_batches_or_raw_are_answered_as_ingest_decides() {
    let server = NatsServer::start();
    ensure_streams(&server.url()).await.unwrap();
    let (_stages, port) = start_chain_with_ingest_admin(&server.url(), &[]);
    let client = server.client().await;

    // One JSON article: stored, revision 1, and it comes out.
    let (status, answer) = post(
        port,
        "",
        "application/json",
        article("h-one", KURSK).as_bytes(),
        &[],
    );
    assert_eq!(status, 202, "{answer}");
    assert_eq!(answer["status"], "accepted");
    assert_eq!(answer["article_id"], "h-one");
    assert_eq!(answer["revision"], 1);
    assert_eq!(
        article_events(&client, 1, Duration::from_secs(60))
            .await
            .len(),
        1
    );

    // The same again once ingest has it: a duplicate, nothing comes out.
    let (status, answer) = post(
        port,
        "",
        "application/json",
        article("h-one", KURSK).as_bytes(),
        &[],
    );
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["status"], "duplicate");
    assert_eq!(answer["revision"], 1);
    assert!(
        answer["reason"]
            .as_str()
            .unwrap()
            .contains("unchanged since revision 1"),
        "{answer}"
    );

    // Changed: revision 2.
    let changed = format!("{KURSK}\n\nThe ministry declined to comment.");
    let (status, answer) = post(
        port,
        "",
        "application/json",
        article("h-one", &changed).as_bytes(),
        &[],
    );
    assert_eq!(
        (status, answer["revision"].as_u64()),
        (202, Some(2)),
        "{answer}"
    );

    // A batch: each line answered in order, field by field when rejected.
    let batch = [
        article("h-two", NASA),
        String::new(),
        serde_json::json!({ "id": "h-three", "body": "Text.", "published_at": "yesterday" })
            .to_string(),
        "{not json".to_owned(),
        serde_json::json!({ "id": "bad id!", "body": "Text." }).to_string(),
    ]
    .join("\n");
    let (status, answer) = post(port, "", "application/x-ndjson", batch.as_bytes(), &[]);
    assert_eq!(status, 400, "the worst of its articles: {answer}");
    assert_eq!(
        (answer["accepted"].as_u64(), answer["rejected"].as_u64()),
        (Some(1), Some(3)),
        "{answer}"
    );
    let results = answer["results"].as_array().unwrap();
    let lines: Vec<u64> = results
        .iter()
        .map(|r| r["line"].as_u64().unwrap())
        .collect();
    assert_eq!(
        lines,
        [1, 3, 4, 5],
        "blank lines are skipped, the others keep their number"
    );
    assert_eq!(results[0]["status"], "accepted");
    assert_eq!(results[1]["errors"][0]["field"], "published_at", "{answer}");
    assert!(
        results[2]["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("not an article.raw.v1 JSON object")
    );
    assert_eq!(results[3]["errors"][0]["field"], "id", "{answer}");

    // Raw HTML with its metadata in the query, raw text with it in headers.
    let html = format!(
        "<html><head><title>Ignored</title></head><body><p>{}</p></body></html>",
        NASA.replace("\n\n", "</p><p>")
    );
    let (status, answer) = post(
        port,
        "?id=h-html&title=From%20the%20query",
        "text/html; charset=utf-8",
        html.as_bytes(),
        &[],
    );
    assert_eq!(
        (status, answer["article_id"].as_str()),
        (202, Some("h-html")),
        "{answer}"
    );
    let (status, answer) = post(
        port,
        "",
        "text/plain",
        KURSK.as_bytes(),
        &[
            "Article-Id: h-text".to_owned(),
            "Article-Published-At: 2024-10-31".to_owned(),
        ],
    );
    assert_eq!(
        (status, answer["article_id"].as_str()),
        (202, Some("h-text")),
        "{answer}"
    );
    let events = article_events(&client, 5, Duration::from_secs(60)).await;
    let by_id = |id: &str| {
        events
            .iter()
            .map(json)
            .find(|e| e["article_id"] == id)
            .unwrap_or_else(|| panic!("{id} did not come out"))
    };
    assert_eq!(by_id("h-html")["title"], "From the query");
    assert!(by_id("h-html")["text"].as_str().unwrap().contains("NASA"));
    assert!(
        by_id("h-text")["published_at"]
            .as_str()
            .unwrap()
            .starts_with("2024-10-31")
    );

    // Refused as a whole: not a body it reads, and raw bytes that are not UTF-8.
    let (status, answer) = post(port, "", "application/pdf", b"%PDF", &[]);
    assert_eq!(status, 415, "{answer}");
    let (status, answer) = post(port, "", "text/plain", b"caf\xe9", &[]);
    assert_eq!(
        (status, answer["status"].as_str()),
        (400, Some("rejected")),
        "{answer}"
    );
    let (status, answer) = post(port, "", "application/x-ndjson", b"\n\n", &[]);
    assert_eq!(status, 400, "{answer}");
    let (status, answer) = post(
        port,
        "",
        "text/html; charset=iso-8859-1",
        b"<p>caf\xe9</p>",
        &[],
    );
    assert_eq!(status, 415, "{answer}");
    let many = vec![article("x", "y"); 1_001].join("\n");
    let (status, answer) = post(port, "", "application/x-ndjson", many.as_bytes(), &[]);
    assert_eq!(status, 413, "{answer}");

    // Two versions of one article in one batch: each becomes a revision of its own, numbered
    // one after the other as they are answered.
    let versions = [
        article("h-versions", KURSK),
        article("h-versions", &format!("{KURSK}\n\nA later paragraph.")),
    ]
    .join("\n");
    let (status, answer) = post(port, "", "application/x-ndjson", versions.as_bytes(), &[]);
    assert_eq!(status, 202, "{answer}");
    assert_eq!(answer["results"][0]["revision"], 1, "{answer}");
    assert_eq!(answer["results"][1]["revision"], 2, "{answer}");
    let events = article_events(&client, 7, Duration::from_secs(60)).await;
    let mut revisions: Vec<u64> = events
        .iter()
        .map(json)
        .filter(|e| e["article_id"] == "h-versions")
        .map(|e| e["revision"].as_u64().unwrap())
        .collect();
    revisions.sort_unstable();
    assert_eq!(revisions, [1, 2]);

    // A browser's request from another site is refused before its body is read.
    let evil = ["Origin: http://evil.example".to_owned()];
    let (status, answer) = post(port, "", "text/plain", b"Injected.", &evil);
    assert_eq!(status, 403, "{answer}");
    let (status, _) = post(
        port,
        "",
        "text/plain",
        b"Injected.",
        &["Sec-Fetch-Site: cross-site".to_owned()],
    );
    assert_eq!(status, 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn too_big_is_413_and_with_a_token_set_only_its_bearer_gets_in() {
    let server = NatsServer::start();
    ensure_streams(&server.url()).await.unwrap();
    let (_stages, port) = start_chain_with_ingest_admin(
        &server.url(),
        &[
            ("NEWSFLOW_INGEST_MAX_BYTES", "20000"),
            ("NEWSFLOW_INGEST_TOKEN", "s3cret"),
        ],
    );
    let body = article("t-one", KURSK);
    let answer = post_raw(port, "", "application/json", body.as_bytes(), &[]);
    assert_eq!(status_and_json(&answer).0, 401, "{answer}");
    assert!(
        answer
            .to_ascii_lowercase()
            .contains("www-authenticate: bearer"),
        "{answer}"
    );
    let (status, _) = post(
        port,
        "",
        "application/json",
        body.as_bytes(),
        &["Authorization: bearer s3cret".to_owned()],
    );
    assert_eq!(status, 202, "the scheme in any case");
    let (status, _) = post(
        port,
        "",
        "application/json",
        body.as_bytes(),
        &["Authorization: Bearer nope".to_owned()],
    );
    assert_eq!(status, 401);
    let bearer = ["Authorization: Bearer s3cret".to_owned()];
    let (status, answer) = post(port, "", "application/json", body.as_bytes(), &bearer);
    assert_eq!(status, 200, "handed in again: {answer}");

    let big = article("t-big", &"A sentence of the article. ".repeat(1_000));
    let (status, answer) = post(port, "", "application/json", big.as_bytes(), &bearer);
    assert_eq!(status, 413, "{answer}");
    assert_eq!(answer["errors"][0]["field"], "body", "{answer}");
    assert!(
        answer["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("NEWSFLOW_INGEST_MAX_BYTES")
    );
    // A body beyond what a whole batch may hold is refused before it is read.
    let huge = vec![b'x'; 20_000 * 64 + 1];
    let (status, _) = post(port, "", "application/x-ndjson", &huge, &bearer);
    assert_eq!(status, 413);
}

/// The answer comes once the article is stored: ingest SIGKILLed right after answering loses
/// nothing, and the article comes out once a new ingest runs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_accepted_article_comes_out_though_ingest_dies_right_after_answering() {
    let server = NatsServer::start();
    ensure_streams(&server.url()).await.unwrap();
    let (mut stages, port) = start_chain_with_ingest_admin(&server.url(), &[]);
    let (status, answer) = post(
        port,
        "",
        "application/json",
        article("k-one", KURSK).as_bytes(),
        &[],
    );
    assert_eq!(status, 202, "{answer}");
    stages[0].kill();
    stages[0].restart();
    let client = server.client().await;
    let events = article_events(&client, 1, Duration::from_secs(60)).await;
    assert_eq!(json(&events[0])["article_id"], "k-one");
}

/// schemathesis drives `POST /articles` with requests made from `proto/openapi.yaml`, valid and
/// not: no answer is a server error or outside the document, and ingest is still running.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_made_from_the_openapi_document_get_no_server_error_and_no_crash() {
    let server = NatsServer::start();
    ensure_streams(&server.url()).await.unwrap();
    let (mut stages, port) = start_chain_with_ingest_admin(&server.url(), &[]);
    // Once it answers.
    let (status, _) = post(port, "", "text/plain", b"The mayor spoke.", &[]);
    assert_eq!(status, 202);
    let document = concat!(env!("CARGO_MANIFEST_DIR"), "/../proto/openapi.yaml");
    let scratch = tempfile::tempdir().unwrap();
    let run = newsflow_e2e::schemathesis()
        .args(["run", document, "--url", &format!("http://127.0.0.1:{port}")])
        .args([
            "--checks",
            "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
            "--max-examples",
            "100",
            "--seed",
            "1",
            "--generation-database",
            "none",
        ])
        .current_dir(scratch.path())
        .output()
        .expect("schemathesis runs");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(run.status.success(), "{said}");
    assert!(said.contains("passed"), "{said}");
    assert!(stages[0].is_running(), "ingest died");
}

/// Without a token, articles are taken from this host only: a client on another address of
/// the machine is refused. (Skipped, saying so, on a machine with no address but loopback.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_token_only_this_host_may_post() {
    // The address this machine would reach the outside from; nothing is sent.
    let local = std::net::UdpSocket::bind("0.0.0.0:0")
        .and_then(|socket| {
            socket.connect("192.0.2.1:9")?;
            socket.local_addr()
        })
        .map(|addr| addr.ip())
        .ok();
    let Some(ip) = local.filter(|ip| !ip.is_loopback() && !ip.is_unspecified()) else {
        eprintln!("skipped: this machine has no address but loopback");
        return;
    };
    let server = NatsServer::start();
    ensure_streams(&server.url()).await.unwrap();
    let port = newsflow_e2e::free_port();
    let _ingest = newsflow_e2e::StageProcess::start(
        "ingest",
        &server.url(),
        &[("NEWSFLOW_ADMIN_ADDR", &format!("0.0.0.0:{port}"))],
    );
    let (status, _) = post(port, "", "text/plain", b"From this host.", &[]);
    assert_eq!(status, 202);
    let mut stream =
        std::net::TcpStream::connect((ip, port)).expect("reachable on its own address");
    use std::io::{Read as _, Write as _};
    let body = "From elsewhere.";
    write!(
        stream,
        "POST /articles HTTP/1.1\r\nHost: {ip}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let (status, json) = status_and_json(&answer);
    assert_eq!(status, 403, "{answer}");
    assert!(
        json["error"]
            .as_str()
            .unwrap()
            .contains("NEWSFLOW_INGEST_TOKEN")
    );
}
