//! Configuration of a stage process, read once at startup from flags and the environment.
//! Every setting has a default; an invalid value stops startup naming the variable.

use clap::{Args, CommandFactory, FromArgMatches, Parser};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Where the NATS server is and how to reach it: what every command that talks to the bus takes.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Connection")]
pub struct Connection {
    /// NATS server URL(s), comma-separated.
    #[arg(long, env = "NATS_URL", default_value = "nats://127.0.0.1:4222")]
    pub nats_url: String,
    /// NATS credentials file (JWT + NKey), for servers with decentralised authorisation.
    #[arg(long, env = "NATS_CREDS", conflicts_with_all = ["nats_user", "nats_token", "nats_nkey"])]
    pub nats_creds: Option<PathBuf>,
    /// User name, for servers with user/password authorisation (with NATS_PASSWORD). A URL can
    /// carry both instead: nats://user:password@host:4222.
    #[arg(long, env = "NATS_USER", requires = "nats_password", conflicts_with_all = ["nats_token", "nats_nkey"])]
    pub nats_user: Option<String>,
    /// Password of NATS_USER (never printed).
    #[arg(
        long,
        env = "NATS_PASSWORD",
        requires = "nats_user",
        hide_env_values = true
    )]
    pub nats_password: Option<Secret>,
    /// Token, for servers with token authorisation (never printed). A URL can carry it instead:
    /// nats://token@host:4222.
    #[arg(
        long,
        env = "NATS_TOKEN",
        hide_env_values = true,
        conflicts_with = "nats_nkey"
    )]
    pub nats_token: Option<Secret>,
    /// File holding an NKey seed (`SU…`), for servers with NKey authorisation.
    #[arg(long, env = "NATS_NKEY")]
    pub nats_nkey: Option<PathBuf>,
    /// CA certificate (PEM) to verify the NATS server; implies TLS.
    #[arg(long, env = "NATS_TLS_CA")]
    pub nats_tls_ca: Option<PathBuf>,
    /// Client certificate (PEM) for mutual TLS; needs NATS_TLS_KEY.
    #[arg(long, env = "NATS_TLS_CERT", requires = "nats_tls_key")]
    pub nats_tls_cert: Option<PathBuf>,
    /// Client private key (PEM) for mutual TLS; needs NATS_TLS_CERT.
    #[arg(long, env = "NATS_TLS_KEY", requires = "nats_tls_cert")]
    pub nats_tls_key: Option<PathBuf>,
    /// Refuse to talk to the server without TLS.
    #[arg(long, env = "NATS_TLS_REQUIRED", default_value_t = false)]
    pub nats_tls_required: bool,
}

/// A password or token: shown as `***` wherever the configuration is printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

impl std::str::FromStr for Secret {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self(s.to_owned()))
    }
}

/// How one copy of a stage consumes, retries and stops: what `newsflow run` and `up` take.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Stage loop")]
pub struct StageLoop {
    /// Messages one replica processes at once (1–500).
    #[arg(long, env = "NEWSFLOW_MAX_IN_FLIGHT", default_value_t = 16, value_parser = clap::value_parser!(u16).range(1..=500))]
    pub max_in_flight: u16,
    /// How long the server waits for an ack before redelivering, e.g. `30s`.
    #[arg(long, env = "NEWSFLOW_ACK_WAIT", default_value = "30s", value_parser = parse_duration)]
    pub ack_wait: Duration,
    /// Deliveries of one message before it is dead-lettered.
    #[arg(long, env = "NEWSFLOW_MAX_DELIVER", default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..1000))]
    pub max_deliver: u32,
    /// Longest the text work on one message may take, e.g. `2m`. Until then the server is told
    /// the message is in progress (no redelivery, so no second copy worked on at once); past
    /// it the message is dead-lettered with the reason.
    #[arg(long, env = "NEWSFLOW_WORK_BUDGET", default_value = "2m", value_parser = parse_duration)]
    pub work_budget: Duration,
    /// First redelivery delay after a transient failure; doubles per attempt, capped at 1 minute.
    #[arg(long, env = "NEWSFLOW_RETRY_BACKOFF", default_value = "1s", value_parser = parse_duration)]
    pub retry_backoff: Duration,
    /// How long a stopping process may take to finish in-flight messages.
    #[arg(long, env = "NEWSFLOW_SHUTDOWN_TIMEOUT", default_value = "30s", value_parser = parse_duration)]
    pub shutdown_timeout: Duration,
    /// Where `/healthz`, `/readyz` and `/metrics` are served; `off` serves nothing.
    /// Default: 127.0.0.1 on the stage's own port (ingest 9101 … events 9105; `up` 9100), or,
    /// when another process (a second copy of the stage) holds that port, a free one, logged.
    #[arg(long, env = "NEWSFLOW_ADMIN_ADDR", value_parser = parse_admin_addr)]
    pub admin_addr: Option<AdminAddr>,
}

/// How long the streams keep what they hold. Applied when a stream or the revisions bucket is
/// created (by the first process that needs it); changing them later changes nothing.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Stream retention")]
pub struct Retention {
    /// How long the events stream keeps events, e.g. `7d`.
    #[arg(long, env = "NEWSFLOW_EVENTS_MAX_AGE", default_value = "7d", value_parser = parse_duration)]
    pub events_max_age: Duration,
    /// Most bytes the events stream keeps; the oldest events go first. `-1` for no limit.
    #[arg(long, env = "NEWSFLOW_EVENTS_MAX_BYTES", default_value_t = 1 << 30, allow_negative_numbers = true)]
    pub events_max_bytes: i64,
    /// How long dead letters are kept, e.g. `30d`.
    #[arg(long, env = "NEWSFLOW_DLQ_MAX_AGE", default_value = "30d", value_parser = parse_duration)]
    pub dlq_max_age: Duration,
    /// How long ingest remembers an article's latest revision, e.g. `90d`; `0s` (the default)
    /// forever. An article fed again after its entry expired is its first revision again.
    /// Applied when the bucket `NEWSFLOW_REVISIONS` is created.
    #[arg(long, env = "NEWSFLOW_REVISIONS_MAX_AGE", default_value = "0s", value_parser = parse_duration)]
    pub revisions_max_age: Duration,
    /// How many servers keep each stream.
    #[command(flatten)]
    pub replication: Replication,
}

/// How `ingest` finds an article that repeats an earlier one under another id (the same wire
/// story from another outlet): processed all the same, marked `duplicate_of` the earlier one.
#[derive(Debug, Clone, Copy, Args)]
#[command(next_help_heading = "Near-duplicates (ingest)")]
pub struct NearDuplicates {
    /// How far back to look for the earlier article, e.g. `48h`; `0s` turns the check off.
    /// Applied to the stream NEWSFLOW_SIGNATURES when it is created.
    #[arg(long = "near-duplicates-window", env = "NEWSFLOW_NEAR_DUPLICATES_WINDOW", default_value = "48h", value_parser = parse_duration)]
    pub window: Duration,
    /// Estimated share of their five-word sequences two articles must have in common (0.3 to
    /// 1; distinct stories share almost none, a republished one with its own headline and a
    /// paragraph cut 0.8 or more, an updated one with paragraphs added 0.6 or more).
    #[arg(long = "near-duplicates-similarity", env = "NEWSFLOW_NEAR_DUPLICATES_SIMILARITY", default_value_t = 0.6, value_parser = parse_similarity)]
    pub similarity: f64,
    /// Most articles kept in each copy's memory to compare with (about 600 bytes each); the
    /// oldest go first.
    #[arg(long = "near-duplicates-max", env = "NEWSFLOW_NEAR_DUPLICATES_MAX", default_value_t = 20_000, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_articles: u32,
}

fn parse_similarity(value: &str) -> Result<f64, String> {
    match value.trim().parse::<f64>() {
        Ok(share) if (0.3..=1.0).contains(&share) => Ok(share),
        _ => Err("expected a share between 0.3 and 1, such as 0.6".to_owned()),
    }
}

/// How many servers of a cluster keep a copy of each stream: what every process that may create
/// a stream takes (the stages, `up`, and `feed` for the raw articles' stream).
#[derive(Debug, Clone, Copy, Default, Args)]
#[command(next_help_heading = "Streams")]
pub struct Replication {
    /// Servers that keep a copy of each stream and of the revisions bucket: 1 on a single
    /// server; 3 (or 5) on a cluster, so the chain keeps its articles and keeps running when a
    /// server is lost. Unset, new streams get 1 and existing ones keep theirs; set, new streams
    /// get it and existing ones are changed to it.
    #[arg(long, env = "NEWSFLOW_REPLICAS", value_parser = clap::value_parser!(u8).range(1..=5))]
    pub replicas: Option<u8>,
}

impl Replication {
    /// Replicas of a stream created now.
    pub fn for_new_streams(self) -> usize {
        self.replicas.map_or(1, usize::from)
    }
}

/// Everything a stage process reads at start: the connection, its loop, the streams' retention
/// and its log format.
#[derive(Debug, Clone, Args)]
pub struct Config {
    /// Where NATS is.
    #[command(flatten)]
    pub connection: Connection,
    /// How the stage loop consumes.
    #[command(flatten)]
    pub stage_loop: StageLoop,
    /// How long the streams keep what they hold.
    #[command(flatten)]
    pub retention: Retention,
    /// How `ingest` tells an article that repeats an earlier one.
    #[command(flatten)]
    pub near: NearDuplicates,
    /// Log format: `pretty` for people, `json` for collectors.
    #[arg(
        long,
        env = "LOG_FORMAT",
        default_value = "pretty",
        value_enum,
        help_heading = "Logging"
    )]
    pub log_format: LogFormat,
}

/// The admin listener setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminAddr {
    /// Serve on this address.
    At(SocketAddr),
    /// Serve nothing.
    Off,
}

/// Where to serve the admin endpoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminSocket {
    /// `NEWSFLOW_ADMIN_ADDR`: this address or nothing.
    Given(SocketAddr),
    /// The stage's own port, unless another process holds it.
    Default(SocketAddr),
}

/// How logs are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Pretty,
    /// One JSON object per line.
    Json,
}

/// Parses `500ms`, `30s`, `5m`, `7d`.
///
/// # Errors
/// A message saying what a duration looks like.
pub fn parse_duration(value: &str) -> Result<Duration, String> {
    humantime::parse_duration(value.trim())
        .map_err(|err| format!("{err}; expected a duration such as `500ms`, `30s` or `7d`"))
}

fn parse_admin_addr(value: &str) -> Result<AdminAddr, String> {
    if value.eq_ignore_ascii_case("off") {
        return Ok(AdminAddr::Off);
    }
    value
        .parse()
        .map(AdminAddr::At)
        .map_err(|err| format!("{err}; expected host:port such as `127.0.0.1:9102`, or `off`"))
}

#[derive(Parser)]
#[command(name = "newsflow")]
struct EnvOnly {
    #[command(flatten)]
    config: Config,
}

impl Config {
    /// Reads the configuration from the environment alone (no flags).
    ///
    /// # Errors
    /// When a variable holds an invalid value; the message names the variable.
    pub fn from_env() -> anyhow::Result<Self> {
        let matches = EnvOnly::command()
            .no_binary_name(true)
            .try_get_matches_from(Vec::<String>::new())
            .map_err(|err| anyhow::anyhow!(explain_error(&err, &EnvOnly::command())))?;
        Ok(EnvOnly::from_arg_matches(&matches)
            .map_err(|err| anyhow::anyhow!(explain_error(&err, &EnvOnly::command())))?
            .config)
    }

    /// The defaults, talking to `nats_url`, with no admin listener. For tests and embedding.
    pub fn with_url(nats_url: impl Into<String>) -> Self {
        let matches = EnvOnly::command()
            .no_binary_name(true)
            .try_get_matches_from(["--nats-url", &nats_url.into(), "--admin-addr", "off"])
            .expect("the defaults and a plain URL always parse");
        EnvOnly::from_arg_matches(&matches)
            .expect("matches came from the same command")
            .config
    }
}

impl Connection {
    /// Connecting to `nats_url` with no credentials and no TLS.
    pub fn with_url(nats_url: impl Into<String>) -> Self {
        Self {
            nats_url: nats_url.into(),
            nats_creds: None,
            nats_user: None,
            nats_password: None,
            nats_token: None,
            nats_nkey: None,
            nats_tls_ca: None,
            nats_tls_cert: None,
            nats_tls_key: None,
            nats_tls_required: false,
        }
    }
}

impl StageLoop {
    /// The address to serve admin endpoints on, given the stage's default port.
    pub fn admin_socket(&self, default_port: u16) -> Option<AdminSocket> {
        match self.admin_addr {
            Some(AdminAddr::At(addr)) => Some(AdminSocket::Given(addr)),
            Some(AdminAddr::Off) => None,
            None => Some(AdminSocket::Default(SocketAddr::from((
                [127, 0, 0, 1],
                default_port,
            )))),
        }
    }
}

/// Rewrites clap's message for a bad value so it names the environment variable too, since
/// services are configured through the environment: `invalid configuration: --ack-wait /
/// NEWSFLOW_ACK_WAIT: invalid value 'soon' …`. Other errors come back as clap wrote them.
pub fn explain_error(err: &clap::Error, command: &clap::Command) -> String {
    use clap::error::{ContextKind, ContextValue};
    let arg = match err.get(ContextKind::InvalidArg) {
        Some(ContextValue::String(arg)) => arg.clone(),
        _ => return err.to_string(),
    };
    let long = arg
        .trim_start_matches("--")
        .split([' ', '='])
        .next()
        .unwrap_or_default()
        .to_owned();
    match find_env(command, &long) {
        Some(env) => {
            let message = err.to_string();
            let first = message
                .lines()
                .next()
                .unwrap_or_default()
                .trim_start_matches("error: ")
                .to_owned();
            format!("invalid configuration: --{long} / {env}: {first}")
        }
        None => err.to_string(),
    }
}

fn find_env(command: &clap::Command, long: &str) -> Option<String> {
    command
        .get_arguments()
        .find(|a| a.get_long() == Some(long))
        .and_then(|a| a.get_env().map(|e| e.to_string_lossy().into_owned()))
        .or_else(|| {
            command
                .get_subcommands()
                .find_map(|sub| find_env(sub, long))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_people_write_them() {
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("7d"), Ok(Duration::from_secs(7 * 86_400)));
        assert!(parse_duration("soon").unwrap_err().contains("`30s`"));
    }

    #[test]
    fn defaults_are_documented_values() {
        let config = Config::with_url("nats://example:4222");
        assert_eq!(config.connection.nats_url, "nats://example:4222");
        assert_eq!(config.stage_loop.ack_wait, Duration::from_secs(30));
        assert_eq!(config.stage_loop.max_in_flight, 16);
        assert_eq!(config.retention.revisions_max_age, Duration::ZERO);
        assert_eq!(config.retention.replication.replicas, None);
        assert_eq!(config.retention.replication.for_new_streams(), 1);
        assert_eq!(config.stage_loop.admin_socket(9102), None);
    }

    /// What startup says of `args`, which must be refused.
    fn refusal(args: &[&str]) -> String {
        let err = EnvOnly::command()
            .no_binary_name(true)
            .try_get_matches_from(args)
            .unwrap_err();
        explain_error(&err, &EnvOnly::command())
    }

    #[test]
    fn a_bad_value_names_its_variable() {
        let message = refusal(&["--ack-wait", "soon"]);
        assert!(
            message.starts_with(
                "invalid configuration: --ack-wait / NEWSFLOW_ACK_WAIT: invalid value 'soon'"
            ),
            "{message}"
        );
    }

    #[test]
    fn replicas_are_one_to_five() {
        let message = refusal(&["--replicas", "7"]);
        assert!(
            message.starts_with(
                "invalid configuration: --replicas / NEWSFLOW_REPLICAS: invalid value '7'"
            ),
            "{message}"
        );
    }

    #[test]
    fn admin_addr_off_serves_nothing() {
        assert_eq!(parse_admin_addr("off"), Ok(AdminAddr::Off));
        assert!(parse_admin_addr("nowhere").is_err());
    }
}
