//! The `newsflow` command: run a stage (`run`), the whole pipeline on one machine (`up`), the
//! whole chain in-process on a file (`process`), the feeder, subscriber and operator tools
//! (`feed`, `tail`, `status`, `dead-letters`), and, with the `lab` feature (on by default; deployed images leave
//! it out), the lab's `eval`, `bench` and `train`. The stages come from
//! the table in `newsflow_pipeline`; everything on the bus goes through `newsflow_runtime` and
//! `newsflow_client`.

pub mod articles;
pub mod dead_letters;
pub mod feed;
pub mod setup;
pub mod status;
pub mod tail;
pub mod up;
pub mod web;

use anyhow::Context as _;
use clap::{CommandFactory as _, Parser, Subcommand};
use newsflow_pipeline::{Chain, STAGES, Settings};
use newsflow_proto::{EventArticle, schema, subjects};
use newsflow_runtime::{Bus, Config, ConnectMode, Connection, Replication, StageError, streams};
use std::io::IsTerminal as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// newsflow turns news articles into structured events — sentences, people, places,
/// organisations, dates, numbers, and every quote with who said it — over NATS JetStream.
#[derive(Debug, Parser)]
#[command(name = "newsflow", version, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run one stage as its own process: consume its subject, publish the next, until Ctrl-C.
    /// Start more copies of a stage to scale it out; they share one durable consumer.
    Run {
        /// The stage to run.
        #[arg(value_parser = clap::builder::PossibleValuesParser::new(newsflow_pipeline::names()))]
        stage: String,
        /// Forward every input unchanged instead of doing the stage's work: the bare bus that
        /// `newsflow bench pipeline` measures the chain against.
        #[arg(long, hide = true)]
        pass_through: bool,
        /// Takes articles on `POST /articles` (ingest and `up`, on the admin address) only from
        /// requests that carry this as `Authorization: Bearer <token>`; without it, from anyone
        /// who reaches the address.
        #[arg(long, env = "NEWSFLOW_INGEST_TOKEN", hide_env_values = true)]
        ingest_token: Option<String>,
        #[command(flatten)]
        settings: Settings,
        #[command(flatten)]
        config: Config,
    },
    /// Run every stage in one process against NATS_URL. When nothing answers there (and the URL
    /// is local), start and manage a nats-server with JetStream, storing under ./.newsflow/.
    Up {
        /// Also feed the bundled sample articles, print what comes out, and stop when done.
        #[arg(long)]
        demo: bool,
        /// Allows replaying dead letters from the web console (served at / on the admin
        /// address) to whoever gives this token; without it the console is read-only.
        #[arg(long, env = "NEWSFLOW_CONSOLE_TOKEN", hide_env_values = true)]
        console_token: Option<String>,
        /// Takes articles on `POST /articles` (ingest and `up`, on the admin address) only from
        /// requests that carry this as `Authorization: Bearer <token>`; without it, from anyone
        /// who reaches the address.
        #[arg(long, env = "NEWSFLOW_INGEST_TOKEN", hide_env_values = true)]
        ingest_token: Option<String>,
        #[command(flatten)]
        settings: Settings,
        #[command(flatten)]
        config: Config,
    },
    /// The web console for any deployment: the chain live (each stage with its copies,
    /// backlog, in flight, rate, p50/p99), the latest articles with entities and quotes marked,
    /// search by speaker, entity and text, following one live, and the dead letters. It only
    /// reads the bus (it makes no consumer; as a user, the monitor of
    /// deploy/nats/permissions.conf will do) unless a token allows replaying dead letters, which
    /// then takes a user that may publish their subjects. `newsflow up` serves the same at / on
    /// its admin address.
    Web {
        /// Where to serve it.
        #[arg(long, env = "NEWSFLOW_CONSOLE_ADDR", default_value = "127.0.0.1:9200")]
        addr: std::net::SocketAddr,
        /// Allows replaying dead letters to whoever gives this token (Authorization: Bearer);
        /// without it the console is read-only.
        #[arg(long, env = "NEWSFLOW_CONSOLE_TOKEN", hide_env_values = true)]
        token: Option<String>,
        #[command(flatten)]
        connection: Connection,
    },
    /// Run the whole chain in-process on a file (or `-` for stdin), no bus: prints each
    /// article event as JSON (pretty on a terminal, one line per article when piped).
    Process {
        /// A .txt, .html, .json or .jsonl file, or `-`.
        path: PathBuf,
        /// One line per article even on a terminal.
        #[arg(long)]
        compact: bool,
    },
    /// Put articles on newsflow.articles.raw: .txt, .html, .json, .jsonl files, folders
    /// (recursively) or `-` for stdin. Says what ingest will do with each, as it decides: new,
    /// a new revision, unchanged (nothing comes out), just fed (on its way), or rejected.
    Feed {
        /// Files, folders or `-`.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Articles over ingest's size limit are rejected here, before they reach the bus.
        #[command(flatten)]
        settings: Settings,
        #[command(flatten)]
        connection: Connection,
        /// When `feed` is the first to use the bus, it creates the raw articles' stream.
        #[command(flatten)]
        replication: Replication,
    },
    /// Follow RSS, Atom and JSON feeds listed in a file and put their articles on the bus
    ///
    /// Polls each feed at its interval until Ctrl-C (or once, with --once) and puts each new
    /// entry on newsflow.articles.raw; an entry holding only a summary brings its page. Polite:
    /// robots.txt obeyed (token `newsflow`), one request per host at a time with
    /// `per_host_delay` (or the host's Crawl-delay) between them, conditional GETs. What was
    /// handed in is remembered in the bucket NEWSFLOW_FEEDS: a restart neither feeds an entry
    /// again nor loses one. Each poll prints a line per feed: entries new, new revisions,
    /// unchanged, seen before, given up (with why) and left for the next poll.
    ///
    /// FILE is TOML, or YAML (a `feeds:` list) when its name ends in .yaml or .yml. Every
    /// field but `url` may be left out; the values under [defaults] are the defaults:
    ///
    ///   [defaults]
    ///   every = "15m"            # time between polls of a feed
    ///   per_host_delay = "1s"    # least time between two requests to one host
    ///   pages = "auto"           # fetch the linked page: auto (entry under min_words), always, never
    ///   min_words = 150
    ///   user_agent = "newsflow/<version> (feeds; robots.txt token newsflow)"
    ///   # language = "en"        # every feed's, unless it says (else ingest detects it)
    ///
    ///   [[feed]]
    ///   url = "https://example.org/news/rss.xml"
    ///   every = "5m"             # and pages, min_words, language, as in [defaults]
    ///   source = "Example News"  # the articles' source; the feed's own title when left out
    #[command(verbatim_doc_comment)]
    Feeds {
        /// The feeds file.
        file: PathBuf,
        /// Poll each feed once and stop (for cron); exits 1 when a feed could not be read.
        #[arg(long)]
        once: bool,
        /// Articles over ingest's size limit are rejected here, before they reach the bus.
        #[command(flatten)]
        settings: Settings,
        #[command(flatten)]
        connection: Connection,
        /// When `feeds` is the first to use the bus, it creates the raw articles' stream and its
        /// own bucket.
        #[command(flatten)]
        replication: Replication,
    },
    /// Print events as JSON Lines: new ones as they are published, or replayed from the start, a
    /// time or a sequence; filtered on the server by kind, speaker, entity type and name.
    Tail {
        #[command(flatten)]
        filter: tail::FilterArgs,
        #[command(flatten)]
        start: tail::StartArgs,
        /// Read through a durable consumer of this name, acknowledging each event, so the next
        /// `tail --durable NAME` resumes after the last one printed.
        #[arg(long)]
        durable: Option<String>,
        /// Stop after this many events.
        #[arg(long)]
        limit: Option<usize>,
        #[command(flatten)]
        connection: Connection,
    },
    /// Accuracy of a text stage on labelled data (../shared/data; see --help of each).
    #[cfg(feature = "lab")]
    #[command(subcommand)]
    Eval(newsflow_lab::commands::Eval),
    /// Speed of a text stage on one core, beside the reference tool, in the same run.
    #[cfg(feature = "lab")]
    #[command(subcommand)]
    Bench(newsflow_lab::commands::Bench),
    /// Rebuild a shipped model from the labelled data.
    #[cfg(feature = "lab")]
    #[command(subcommand)]
    Train(newsflow_lab::commands::Train),
    /// Create the streams, the revisions bucket and every stage's durable consumer, as a user
    /// allowed to (an admin). Needed once before stages run as users that may not create them
    /// (deploy/nats/permissions.conf); stages that may, create what is missing themselves.
    Setup {
        /// Set up a readers' account instead: log in as its admin and this creates, in that
        /// account, NEWSFLOW_EVENTS as a mirror of the chain's events, which the chain's account
        /// exports for it. Subscribers there read their copy and can reach nothing of the
        /// chain's (deploy/README.md, "Users and permissions").
        #[arg(long)]
        readers: bool,
        #[command(flatten)]
        config: Config,
    },
    /// The messages the stages gave up on (NEWSFLOW_DLQ), oldest first: stage, when, article,
    /// deliveries and why. Once the cause is fixed, `--replay` puts a message back on the
    /// subject it came from (as it was, with a de-duplication id of its own) and removes its
    /// letter; replaying takes a user that may publish there (an admin).
    #[command(visible_alias = "dlq")]
    DeadLetters {
        /// Only this stage's dead letters.
        #[arg(long, value_parser = clap::builder::PossibleValuesParser::new(newsflow_pipeline::names()))]
        stage: Option<String>,
        /// Show at most this many.
        #[arg(long, default_value_t = 1000)]
        limit: usize,
        /// One JSON object per letter (with its payload and `sequence`) instead of a table.
        #[arg(long)]
        json: bool,
        /// Replay the letters with these sequence numbers (the SEQ column).
        #[arg(long, value_name = "SEQ", num_args = 1.., conflicts_with = "replay_all")]
        replay: Vec<u64>,
        /// Replay every letter shown (all, or those of --stage, up to --limit).
        #[arg(long)]
        replay_all: bool,
        #[command(flatten)]
        connection: Connection,
    },
    /// A row per stage: pending, ack pending, redelivered, what its work stream holds and how
    /// much of it is stuck (out of deliveries), settled, dead letters, recent rate.
    Status {
        /// How long to sample the rate over (each copy of a stage reports every second: a
        /// shorter interval may hear from fewer of them).
        #[arg(long, default_value = "1500ms", value_parser = newsflow_runtime::config::parse_duration)]
        interval: Duration,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
        /// Keep going: a fresh table every --interval (the screen cleared on a terminal), or one
        /// JSON array per line with --json, until Ctrl-C.
        #[arg(long)]
        watch: bool,
        #[command(flatten)]
        connection: Connection,
    },
}

/// Parses the command line and runs it; errors are printed with their causes.
pub async fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) if err.use_stderr() => {
            let message = newsflow_runtime::config::explain_error(&err, &Cli::command());
            if message.starts_with("invalid configuration") {
                eprintln!("error: {message}");
                return ExitCode::from(2);
            }
            err.exit()
        }
        Err(err) => err.exit(),
    };
    let ran = run(cli).await;
    // The spans of the last messages, when they are exported.
    tokio::task::spawn_blocking(newsflow_runtime::telemetry::shutdown)
        .await
        .ok();
    match ran {
        Ok(code) => code,
        Err(err) => {
            let message = format!("{err:#}");
            eprintln!("error: {message}");
            if let Some(refusal) = newsflow_runtime::last_refusal()
                && !message.contains("permission denied")
            {
                eprintln!(
                    "  permission denied: the NATS server refused this user ({refusal}); \
                     see deploy/nats/permissions.conf for what each user may do"
                );
            }
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Run {
            stage,
            pass_through,
            ingest_token,
            settings,
            config,
        } => {
            newsflow_runtime::telemetry::init(config.log_format)?;
            check_token(ingest_token.as_deref())?;
            let row = newsflow_pipeline::find(&stage).expect("clap checked the stage name");
            let (stage, intake) = if pass_through {
                (row.pass_through(), None)
            } else if row.name == "ingest" {
                let limits = settings.ingest_limits();
                let intake = newsflow_runtime::ExtraRoutes {
                    said: |addr| format!("POST http://{addr}/articles takes articles"),
                    make: Box::new(move |bus, _| {
                        newsflow_intake::http::router(
                            newsflow_intake::Intake::new(bus.clone(), limits),
                            ingest_token,
                        )
                    }),
                };
                (row.stage(&settings), Some(intake))
            } else {
                (row.stage(&settings), None)
            };
            let port = stage.default_admin_port;
            newsflow_runtime::run_serving(
                vec![stage],
                config,
                port,
                intake,
                newsflow_runtime::shutdown_signal(),
            )
            .await?;
        }
        Command::Up {
            demo,
            console_token,
            ingest_token,
            settings,
            config,
        } => {
            newsflow_runtime::telemetry::init(config.log_format)?;
            check_token(ingest_token.as_deref())?;
            let console = newsflow_console::Options {
                replay_token: console_token,
            };
            up::up(config, demo, settings, console, ingest_token).await?;
        }
        Command::Web {
            addr,
            token,
            connection,
        } => {
            newsflow_runtime::telemetry::init(newsflow_runtime::LogFormat::Pretty)?;
            web::serve(
                &connection,
                addr,
                newsflow_console::Options {
                    replay_token: token,
                },
            )
            .await?;
        }
        Command::Process { path, compact } => return process(&path, compact),
        #[cfg(feature = "lab")]
        Command::Eval(what) => newsflow_lab::commands::eval(what)?,
        #[cfg(feature = "lab")]
        Command::Bench(what) => newsflow_lab::commands::bench(what)?,
        #[cfg(feature = "lab")]
        Command::Train(what) => newsflow_lab::commands::train(what)?,
        Command::Feed {
            paths,
            settings,
            connection,
            replication,
        } => {
            let files = articles::expand(&paths)?;
            let loaded: Vec<_> = files.iter().flat_map(|f| articles::read(f)).collect();
            anyhow::ensure!(
                !loaded.is_empty(),
                "no articles found in {}",
                display_paths(&paths)
            );
            let bus = Bus::connect(&connection, "newsflow-feed", ConnectMode::FailFast).await?;
            streams::ensure_work_stream(&bus, subjects::ARTICLES_RAW, replication).await?;
            let intake = newsflow_intake::Intake::new(bus.clone(), settings.ingest_limits());
            let summary = feed::feed(&intake, loaded, true).await;
            bus.flush().await?;
            eprint!("{}", summary.render());
            if !summary.rejected.is_empty() {
                return Ok(ExitCode::from(2));
            }
        }
        Command::Feeds {
            file,
            once,
            settings,
            connection,
            replication,
        } => {
            let file = newsflow_feeds::FeedsFile::read(&file)?;
            let bus = Bus::connect(&connection, "newsflow-feeds", ConnectMode::FailFast).await?;
            streams::ensure_work_stream(&bus, subjects::ARTICLES_RAW, replication).await?;
            let seen = newsflow_feeds::Seen::new(
                streams::ensure_feeds_bucket(&bus, replication)
                    .await
                    .context(
                        "newsflow feeds remembers what it handed in in the bucket NEWSFLOW_FEEDS; \
                         for a user that may not create it, run `newsflow setup` as an admin first",
                    )?,
            );
            let fetcher = newsflow_feeds::Fetcher::new(&file.user_agent, file.per_host_delay)?;
            let intake = newsflow_intake::Intake::new(bus.clone(), settings.ingest_limits());
            let follower = newsflow_feeds::Follower::new(fetcher, seen, intake);
            eprintln!(
                "Following {} feed(s){}.",
                file.feeds.len(),
                if once { ", each once" } else { " until Ctrl-C" }
            );
            let say = |feed: &newsflow_feeds::Feed,
                       report: &anyhow::Result<newsflow_feeds::Report>| {
                match report {
                    Ok(report) => eprint!("{}", report.render(&feed.url)),
                    Err(err) => eprintln!(
                        "{}: not read ({err:#}); tried again {}",
                        feed.url,
                        if once {
                            "at the next run".to_owned()
                        } else {
                            format!("in {}", humantime::format_duration(feed.every))
                        }
                    ),
                }
            };
            let failed = tokio::select! {
                failed = newsflow_feeds::follow(&follower, &file.feeds, once, say) => failed,
                _ = tokio::signal::ctrl_c() => 0,
            };
            bus.flush().await?;
            if failed > 0 {
                return Ok(ExitCode::from(1));
            }
        }
        Command::Tail {
            filter,
            start,
            durable,
            limit,
            connection,
        } => {
            tail::tail(&connection, filter, &start, durable.as_deref(), limit).await?;
        }
        Command::Setup { readers, config } => {
            let bus =
                Bus::connect(&config.connection, "newsflow-setup", ConnectMode::FailFast).await?;
            if readers {
                print!("{}", setup::readers(&bus, &config).await?);
            } else {
                print!("{}", setup::setup(&bus, &config).await?);
            }
            bus.flush().await?;
        }
        Command::DeadLetters {
            stage,
            limit,
            json,
            replay,
            replay_all,
            connection,
        } => {
            let bus =
                Bus::connect(&connection, "newsflow-dead-letters", ConnectMode::FailFast).await?;
            let letters =
                newsflow_runtime::dead_letters::list(&bus, stage.as_deref(), limit).await?;
            let sequences: Vec<u64> = if replay_all {
                letters.iter().map(|stored| stored.sequence).collect()
            } else {
                replay
            };
            if sequences.is_empty() {
                if json {
                    print!("{}", dead_letters::json_lines(&letters)?);
                } else {
                    print!("{}", dead_letters::render(&letters));
                }
                return Ok(ExitCode::SUCCESS);
            }
            let mut failed = 0;
            for sequence in &sequences {
                let inputs: Vec<_> = STAGES.iter().map(|s| (s.name, s.input)).collect();
                match newsflow_runtime::dead_letters::replay(&bus, *sequence, &inputs).await {
                    Ok(done) => println!(
                        "Replayed {}: {} back on {}.",
                        done.sequence,
                        done.article_id.as_deref().unwrap_or("the message"),
                        done.subject
                    ),
                    Err(err) => {
                        eprintln!("error: {err:#}");
                        failed += 1;
                    }
                }
            }
            bus.flush().await?;
            println!(
                "{} of {} replayed.",
                sequences.len() - failed,
                sequences.len()
            );
            if failed > 0 {
                return Ok(ExitCode::FAILURE);
            }
        }
        Command::Status {
            interval,
            json,
            watch,
            connection,
        } => {
            let bus = Bus::connect(&connection, "newsflow-status", ConnectMode::FailFast).await?;
            let stages: Vec<_> = STAGES.iter().map(|s| (s.name, s.input)).collect();
            // A watch samples over at least a moment, so its rate means something.
            let interval = if watch {
                interval.max(Duration::from_millis(100))
            } else {
                interval
            };
            let clear = watch && !json && std::io::stdout().is_terminal();
            let copies = newsflow_runtime::report::Copies::listen(&bus).await?;
            loop {
                let rows = newsflow_runtime::status::read(&bus, &stages, interval, &copies).await?;
                match (json, watch) {
                    (true, true) => println!("{}", serde_json::to_string(&rows)?),
                    (true, false) => println!("{}", serde_json::to_string_pretty(&rows)?),
                    (false, _) => {
                        if clear {
                            // Clear the screen and go home: one table in place, not a scroll.
                            print!("\x1b[2J\x1b[H");
                        }
                        if watch {
                            println!(
                                "{}  (every {}; Ctrl-C stops)",
                                newsflow_runtime::now_rfc3339(),
                                humantime::format_duration(interval)
                            );
                        }
                        print!("{}", status::render(&rows));
                    }
                }
                if let Some(missing) = status::never_started(&rows) {
                    std::io::Write::flush(&mut std::io::stdout())?;
                    anyhow::bail!("{missing}");
                }
                if !watch {
                    break;
                }
                std::io::Write::flush(&mut std::io::stdout())?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn display_paths(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn process(path: &std::path::Path, compact: bool) -> anyhow::Result<ExitCode> {
    let loaded = articles::read(path);
    let pretty = !compact && std::io::stdout().is_terminal();
    // No bus, so no message to keep small: any size goes.
    let chain = Chain::new(&Settings {
        max_bytes: usize::MAX,
    });
    let mut failed = false;
    for item in loaded {
        let article = item.article.and_then(|payload| {
            let events = chain.process(&payload).map_err(|err| reason(&err))?;
            events
                .into_iter()
                .find(|event| event.schema == schema::EVENT_ARTICLE)
                .map(|event| event.payload)
                .ok_or_else(|| "the chain published no article event".to_owned())
        });
        match article {
            Ok(json) if pretty => {
                let event: EventArticle = serde_json::from_slice(&json)?;
                println!("{}", serde_json::to_string_pretty(&event)?);
            }
            Ok(json) => println!("{}", String::from_utf8(json)?),
            Err(reason) => {
                eprintln!("error: {}: {reason}", item.origin);
                failed = true;
            }
        }
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// What a stage said of an article it rejected, in its own words.
fn reason(err: &StageError) -> String {
    match err {
        StageError::Decode(reason) | StageError::Invalid(reason) => reason.clone(),
        StageError::Transient(err) => format!("{err:#}"),
    }
}

/// An empty `NEWSFLOW_INGEST_TOKEN` (a secret that did not arrive) would take articles from
/// anyone: refuse it.
fn check_token(token: Option<&str>) -> anyhow::Result<()> {
    anyhow::ensure!(
        token.is_none_or(|t| !t.trim().is_empty()),
        "NEWSFLOW_INGEST_TOKEN is set but empty: set it to the token feeders give, or unset it \
         (then only this host may post articles)"
    );
    Ok(())
}
