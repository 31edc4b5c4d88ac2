//! `newsflow up --demo`, the README's first command, as a new user runs it: with nothing
//! answering at NATS_URL it starts a nats-server of its own, puts the bundled samples through the
//! chain and says how to see them again once that server has stopped; with a server answering,
//! it says which server it uses before it creates anything there.

use newsflow_e2e::{NatsServer, newsflow_bin, server_binary};
use std::process::{Command, Output};

fn demo(dir: &std::path::Path, url: &str) -> (Output, String) {
    let output = Command::new(newsflow_bin())
        .args(["up", "--demo"])
        .current_dir(dir)
        .env("NATS_URL", url)
        .env("NATS_SERVER_BIN", server_binary())
        .env("NEWSFLOW_ADMIN_ADDR", "off")
        .env("RUST_LOG", "warn,async_nats=error")
        .output()
        .expect("newsflow runs");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output, said)
}

#[test]
fn the_demo_says_which_server_it_used_and_how_to_see_the_events_again() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("nats://127.0.0.1:{}", newsflow_e2e::free_port());

    let (output, said) = demo(dir.path(), &url);
    assert!(output.status.success(), "{said}");
    assert!(said.contains("starting a local nats-server"), "{said}");
    assert!(said.contains("Done: every sample came out."), "{said}");
    // Its server stops with it: the hint says how to start it again before tailing.
    assert!(
        said.contains("run `newsflow up` to start it and the pipeline again"),
        "{said}"
    );

    let server = NatsServer::start();
    let (output, said) = demo(dir.path(), &server.url());
    assert!(output.status.success(), "{said}");
    assert!(
        said.contains("Using the nats-server 2.") && said.contains(&server.url()),
        "{said}"
    );
    assert!(said.contains("Done: every sample came out."), "{said}");
    assert!(
        said.contains("`newsflow tail --from-start` replays the events"),
        "{said}"
    );

    // Again on the same server: nothing new to process, and it says so and where the events are.
    let (output, said) = demo(dir.path(), &server.url());
    assert!(output.status.success(), "{said}");
    assert!(
        said.contains("0 new, 0 new revision(s), 25 unchanged, 0 duplicate(s), 0 rejected"),
        "{said}"
    );
    assert!(said.contains("Nothing new to process"), "{said}");
}
