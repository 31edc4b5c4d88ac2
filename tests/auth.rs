//! Servers that require credentials: a user and password (in NATS_URL or in NATS_USER and
//! NATS_PASSWORD), a token, an NKey seed file. `newsflow feed` gets through with the right
//! ones; with a wrong password it fails saying why, and never prints the password.

use newsflow_e2e::{newsflow_bin, server_binary};
use newsflow_runtime::server::{LocalServer, Options};
use std::process::Output;

fn server(dir: &std::path::Path, authorization: &str) -> LocalServer {
    let options = Options {
        port: None,
        store: dir.join("store"),
        log: None,
        monitor: false,
        env: Vec::new(),
        config: format!("authorization {{ {authorization} }}"),
    };
    LocalServer::start(&server_binary(), &options).unwrap_or_else(|err| panic!("{err:#}"))
}

/// `newsflow feed` of one article with `env`.
fn feed(dir: &std::path::Path, env: &[(&str, &str)]) -> Output {
    let article = dir.join("article.txt");
    std::fs::write(
        &article,
        "The council met on Monday and approved the budget.\n",
    )
    .unwrap();
    std::process::Command::new(newsflow_bin())
        .arg("feed")
        .arg(&article)
        .env_remove("NATS_URL")
        .envs(env.iter().copied())
        .output()
        .expect("newsflow runs")
}

fn said(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
fn a_user_and_password_in_the_url_or_the_settings_get_in_and_a_wrong_one_is_named_not_printed() {
    let dir = tempfile::tempdir().unwrap();
    let server = server(
        dir.path(),
        r#"users = [ { user: "feeder", password: "pa@ss-w0rd" } ]"#,
    );
    let port = server.port();

    let in_url = format!("nats://feeder:pa%40ss-w0rd@127.0.0.1:{port}");
    let output = feed(dir.path(), &[("NATS_URL", &in_url)]);
    assert!(output.status.success(), "{}", said(&output));
    assert!(said(&output).contains("1 new"), "{}", said(&output));

    let url = format!("nats://127.0.0.1:{port}");
    let settings = [
        ("NATS_URL", url.as_str()),
        ("NATS_USER", "feeder"),
        ("NATS_PASSWORD", "pa@ss-w0rd"),
    ];
    let output = feed(dir.path(), &settings);
    assert!(output.status.success(), "{}", said(&output));

    let wrong = [
        ("NATS_URL", url.as_str()),
        ("NATS_USER", "feeder"),
        ("NATS_PASSWORD", "not-the-password"),
    ];
    let output = feed(dir.path(), &wrong);
    assert!(!output.status.success());
    let message = said(&output);
    assert!(message.contains("authorization"), "{message}");
    assert!(!message.contains("not-the-password"), "{message}");

    let wrong_in_url = format!("nats://feeder:not-the-password@127.0.0.1:{port}");
    let output = feed(dir.path(), &[("NATS_URL", &wrong_in_url)]);
    let message = said(&output);
    assert!(!output.status.success());
    assert!(message.contains("feeder:***@"), "{message}");
    assert!(!message.contains("not-the-password"), "{message}");

    let output = feed(
        dir.path(),
        &[
            ("NATS_URL", &in_url),
            ("NATS_USER", "x"),
            ("NATS_PASSWORD", "y"),
        ],
    );
    assert!(!output.status.success());
    assert!(
        said(&output).contains("NATS_URL carries credentials and NATS_USER is set too"),
        "{}",
        said(&output)
    );
}

#[test]
fn a_token_in_the_url_or_the_settings_gets_in() {
    let dir = tempfile::tempdir().unwrap();
    let server = server(dir.path(), r#"token: "s3cret-token""#);
    let port = server.port();
    let in_url = format!("nats://s3cret-token@127.0.0.1:{port}");
    let output = feed(dir.path(), &[("NATS_URL", &in_url)]);
    assert!(output.status.success(), "{}", said(&output));
    let url = format!("nats://127.0.0.1:{port}");
    let output = feed(
        dir.path(),
        &[("NATS_URL", &url), ("NATS_TOKEN", "s3cret-token")],
    );
    assert!(output.status.success(), "{}", said(&output));
    let output = feed(dir.path(), &[("NATS_URL", &url)]);
    assert!(!output.status.success(), "no token, no entry");
}

#[test]
fn an_nkey_seed_file_gets_in() {
    let dir = tempfile::tempdir().unwrap();
    let user = nkeys::KeyPair::new_user();
    let server = server(
        dir.path(),
        &format!(r#"users = [ {{ nkey: "{}" }} ]"#, user.public_key()),
    );
    let seed = dir.path().join("feeder.nk");
    std::fs::write(&seed, format!("{}\n", user.seed().unwrap())).unwrap();
    let url = format!("nats://127.0.0.1:{}", server.port());
    let output = feed(
        dir.path(),
        &[("NATS_URL", &url), ("NATS_NKEY", seed.to_str().unwrap())],
    );
    assert!(output.status.success(), "{}", said(&output));

    let other = dir.path().join("other.nk");
    std::fs::write(&other, nkeys::KeyPair::new_user().seed().unwrap()).unwrap();
    let output = feed(
        dir.path(),
        &[("NATS_URL", &url), ("NATS_NKEY", other.to_str().unwrap())],
    );
    assert!(!output.status.success(), "another key is refused");
    std::fs::write(&other, "not a seed").unwrap();
    let output = feed(
        dir.path(),
        &[("NATS_URL", &url), ("NATS_NKEY", other.to_str().unwrap())],
    );
    assert!(
        said(&output).contains("holds no user NKey seed"),
        "{}",
        said(&output)
    );
}
