//! The `newsflow` command as a user runs it: `process` without a bus, argument and configuration
//! errors, and offsets on non-ASCII text.

use std::process::{Command, Output};

fn newsflow(args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_newsflow"))
        .args(args)
        .envs(env.iter().copied())
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("newsflow runs")
}

fn process(path: &str) -> serde_json::Value {
    let out = newsflow(&["process", path], &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("one JSON article event")
}

#[test]
fn help_lists_every_command() {
    let out = newsflow(&["--help"], &[]);
    let help = String::from_utf8(out.stdout).unwrap();
    for command in ["run", "up", "process", "feed", "tail", "status"] {
        assert!(
            help.contains(command),
            "{command} missing from --help:\n{help}"
        );
    }
}

#[test]
fn tail_feed_and_status_offer_only_the_settings_they_use() {
    let help = |command: &str| {
        let out = newsflow(&[command, "--help"], &[]);
        String::from_utf8(out.stdout).unwrap()
    };
    for command in ["tail", "feed", "status"] {
        let help = help(command);
        assert!(help.contains("--nats-url"), "{command}: {help}");
        for unused in [
            "Stage loop:",
            "Stream retention:",
            "Logging:",
            "--ack-wait",
            "--max-in-flight",
            "--events-max-age",
            "--log-format",
        ] {
            assert!(!help.contains(unused), "{command} offers {unused}:\n{help}");
        }
    }
    assert!(help("feed").contains("--max-bytes"));
    assert!(!help("tail").contains("--max-bytes"));
    // The feeder may be first on the bus and create the raw articles' stream.
    assert!(help("feed").contains("--replicas"));
    assert!(!help("tail").contains("--replicas"));
    let run = help("run");
    for group in [
        "Connection:",
        "Stage loop:",
        "Stream retention:",
        "Streams:",
        "--ack-wait",
    ] {
        assert!(run.contains(group), "run --help lacks {group}:\n{run}");
    }
}

#[test]
fn process_prints_the_reference_article_with_its_quotes_and_speakers() {
    let event = process("../../samples/kursk-troops.txt");
    assert_eq!(event["sentences"].as_array().unwrap().len(), 21);
    let quotes = event["quotes"].as_array().unwrap();
    let speakers: Vec<&str> = quotes
        .iter()
        .filter(|q| q["kind"] == "direct")
        .map(|q| q["speaker"].as_str().unwrap_or("-"))
        .collect();
    assert_eq!(speakers.len(), 5, "{quotes:#?}");
    assert_eq!(&speakers[..2], ["Antony J. Blinken", "Antony J. Blinken"]);
    assert_eq!(&speakers[3..], ["Cho Tae-yul", "Cho Tae-yul"]);
}

#[test]
fn process_groups_the_reference_articles_entities() {
    let event = process("../../samples/kursk-troops.txt");
    let groups = event["entities"].as_array().unwrap();
    let group = |name: &str| {
        groups
            .iter()
            .find(|g| g["name"] == name)
            .unwrap_or_else(|| panic!("no group {name:?} in {groups:#?}"))
    };
    let texts = |g: &serde_json::Value| -> Vec<String> {
        g["mentions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["text"].as_str().unwrap().to_string())
            .collect()
    };
    let blinken = group("Antony J. Blinken");
    assert_eq!(blinken["label"], "PERSON");
    assert_eq!(texts(blinken), ["Antony J. Blinken", "Blinken", "Blinken"]);
    assert_eq!(
        texts(group("Lloyd J. Austin III")),
        ["Lloyd J. Austin III", "Austin"]
    );
    let korea = texts(group("Democratic People’s Republic of Korea"));
    for alias in ["North Korea", "DPRK", "North"] {
        assert!(korea.iter().any(|t| t == alias), "{alias} in {korea:?}");
    }
    let biden = group("Biden");
    assert_eq!(biden["label"], "PERSON", "the Biden administration");
    assert_eq!(texts(biden).len(), 2);
    for (name, label) in [
        ("Oct. 31", "DATE"),
        ("some 10,000", "CARDINAL"),
        ("North Korean", "NORP"),
        ("Kursk", "LOC"),
        ("Cho Tae-yul", "PERSON"),
    ] {
        assert_eq!(group(name)["label"], label, "{name}");
    }
    let all: Vec<String> = groups.iter().flat_map(texts).collect();
    assert!(
        !all.iter()
            .any(|t| t.contains("UAV") || t.contains("administration")),
        "{all:?}"
    );
}

#[test]
fn offsets_are_utf8_byte_offsets_on_non_ascii_text() {
    let event = process("../../proto/examples/article.raw.v1.json");
    let text = event["text"].as_str().unwrap();
    let slice = |span: &serde_json::Value| -> &str {
        let (start, end) = (
            span["start"].as_u64().unwrap() as usize,
            span["end"].as_u64().unwrap() as usize,
        );
        text.get(start..end)
            .unwrap_or_else(|| panic!("{start}..{end} is off a character boundary"))
    };
    for sentence in event["sentences"].as_array().unwrap() {
        assert_eq!(slice(sentence), sentence["text"].as_str().unwrap());
    }
    for entity in event["entities"].as_array().unwrap() {
        for mention in entity["mentions"].as_array().unwrap() {
            assert_eq!(slice(mention), mention["text"].as_str().unwrap());
        }
    }
    let byte_offset = text.find("in Zürich").unwrap() + "in ".len();
    let zurich = event["entities"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|e| e["mentions"].as_array().unwrap())
        .find(|m| m["text"] == "Zürich" && m["start"] != 0)
        .expect("Zürich in the body is found");
    assert_eq!(
        zurich["start"].as_u64().unwrap() as usize,
        byte_offset,
        "a byte offset, not a character offset"
    );
    assert_ne!(
        byte_offset,
        text[..byte_offset].chars().count(),
        "the text before it has multi-byte characters"
    );
    let quote = event["quotes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["kind"] == "direct" && q["text"].as_str().unwrap().starts_with("We’re back"))
        .expect("the quote with curly marks and an emoji");
    assert_eq!(
        quote["text"],
        "We’re back, and the coffee is better than ever 🎉"
    );
    assert_eq!(
        slice(&quote["content"][0]),
        "We’re back, and the coffee is better than ever 🎉"
    );
    assert_eq!(quote["speaker"], "José Müller");
}

#[test]
fn process_reports_an_empty_article_and_fails() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.txt");
    std::fs::write(&path, "  \n\n").unwrap();
    let out = newsflow(&["process", path.to_str().unwrap()], &[]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("article body is empty"));
}

#[cfg(feature = "lab")]
#[test]
fn missing_training_data_names_the_option_that_points_to_it() {
    for (args, option) in [
        (
            &["train", "ner", "--train", "/nowhere/eng.train"][..],
            "--train",
        ),
        (
            &[
                "train",
                "word-classes",
                "--vectors",
                "/nowhere/glove.txt",
                "--labelled",
                "/nowhere/eng.train",
            ][..],
            "--labelled",
        ),
        (
            &["eval", "ner", "--data", "/nowhere/eng.testb"][..],
            "--data",
        ),
    ] {
        let out = newsflow(args, &[]);
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("/nowhere/") && err.contains(&format!("pass its location with {option}")),
            "{args:?}: {err}"
        );
    }
}

#[cfg(feature = "lab")]
#[test]
fn word_classes_refuse_a_labelled_file_without_names() {
    let dir = tempfile::tempdir().unwrap();
    let labelled = dir.path().join("lower.conll");
    std::fs::write(&labelled, "-DOCSTART- -X- O O\n\nthe DT B-NP O\n").unwrap();
    let vectors = dir.path().join("v.txt");
    std::fs::write(&vectors, "the 0.5 0.5\n").unwrap();
    let out_path = dir.path().join("classes.tsv");
    let out = newsflow(
        &[
            "train",
            "word-classes",
            "--vectors",
            vectors.to_str().unwrap(),
            "--labelled",
            labelled.to_str().unwrap(),
            "--out",
            out_path.to_str().unwrap(),
        ],
        &[],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no capitalised words in"), "{err}");
    assert!(!out_path.exists(), "no classes file is written");
}

#[test]
fn unknown_stage_names_the_valid_ones() {
    let out = newsflow(&["run", "summarise"], &[]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("ingest") && err.contains("events"), "{err}");
}

#[test]
fn invalid_configuration_stops_startup_naming_the_variable() {
    let out = newsflow(&["run", "segment"], &[("NEWSFLOW_ACK_WAIT", "soon")]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("NEWSFLOW_ACK_WAIT") && err.contains("30s"),
        "{err}"
    );
}

#[test]
fn feed_without_a_server_says_where_it_looked() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("nats://127.0.0.1:{port}");
    let out = newsflow(
        &["feed", "../../samples/kursk-troops.txt"],
        &[("NATS_URL", &url)],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&url) && err.contains("newsflow up"), "{err}");
}
