//! The connection to NATS and JetStream, and the one place an outgoing message is built: every
//! stage output, dead letter and fed article goes through [`Bus::send`] with its newsflow
//! headers (`Nats-Msg-Id`, `Newsflow-Schema`, `Newsflow-Article-Id`, `traceparent` or, on events,
//! `ce-traceparent`).

use crate::config::Connection;
use crate::metrics::{LABEL_STAGE, PUBLISHED, PUBLISHED_BYTES};
use anyhow::Context as _;
use async_nats::jetstream::context::{PublishAckFuture, PublishErrorKind};
use async_nats::jetstream::{self, message::PublishMessage};
use newsflow_proto::{Envelope, headers};
use std::time::Duration;

/// The `stage` label of what feeders publish.
const FEEDER: &str = "feed";
/// How long a feeder's publish waits for the stream of its subject to appear on the server it
/// talks to (on a cluster, a moment after the stream is created elsewhere).
const STREAM_APPEARS: Duration = Duration::from_secs(2);
/// Times a feeder's publish is sent again after its ack did not come in time.
const PUBLISH_TIMEOUTS: u32 = 3;
/// `NATS/1.0\r\n` and the blank line that end a message's headers.
const HEADER_FRAME: usize = 12;
/// `: ` and `\r\n` around each header.
const HEADER_LINE: usize = 4;

/// What to do when nothing answers at the configured URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectMode {
    /// Keep trying in the background (long-running stages: the server may start later).
    Retry,
    /// Fail at once with a clear error (commands a person is waiting on).
    FailFast,
}

/// What the server said about one publish.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PublishOutcome {
    /// Stored.
    Accepted,
    /// A message with the same id was stored inside the duplicate window; not stored again.
    Duplicate,
}

/// A connection to NATS with JetStream. Cheap to clone; the client reconnects by itself for as
/// long as the process runs.
#[derive(Clone)]
pub struct Bus {
    client: async_nats::Client,
    js: jetstream::Context,
}

impl std::fmt::Debug for Bus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bus").finish_non_exhaustive()
    }
}

impl Bus {
    /// Connects as `name` (the stage or command name, shown by `nats server report
    /// connections`), with the configured credentials and TLS.
    ///
    /// # Errors
    /// In [`ConnectMode::FailFast`], when the server cannot be reached or refuses the
    /// credentials; the message names the URL.
    pub async fn connect(
        connection: &Connection,
        name: &str,
        mode: ConnectMode,
    ) -> anyhow::Result<Self> {
        let mut options = async_nats::ConnectOptions::new()
            .name(name)
            // Replies to this client come under its own prefix, so a server's permissions can
            // give each user its own replies only (see deploy/nats/permissions.conf).
            .custom_inbox_prefix(format!("_INBOX.{name}"))
            .connection_timeout(Duration::from_secs(5))
            .max_reconnects(None)
            .event_callback(|event| async move {
                match event {
                    async_nats::Event::Connected => tracing::info!("Connected to NATS."),
                    async_nats::Event::Disconnected => {
                        tracing::warn!("Disconnected from NATS; reconnecting.")
                    }
                    async_nats::Event::ServerError(async_nats::ServerError::Other(message))
                        if is_permission_refusal(&message) =>
                    {
                        tracing::error!(refusal = %message, "Permission denied by the NATS server: this user may not do that (see deploy/nats/permissions.conf).");
                        *LAST_REFUSAL.lock().unwrap_or_else(std::sync::PoisonError::into_inner) =
                            Some((std::time::Instant::now(), message));
                    }
                    async_nats::Event::ServerError(err) => {
                        tracing::warn!(error = %err, "The NATS server reported an error.")
                    }
                    other => tracing::debug!(event = %other, "NATS client event."),
                }
            });
        let servers = server_addrs(&connection.nats_url)?;
        options = authenticate(options, connection, &servers).await?;
        if let Some(ca) = &connection.nats_tls_ca {
            options = options.add_root_certificates(ca.clone()).require_tls(true);
        }
        if let (Some(cert), Some(key)) = (&connection.nats_tls_cert, &connection.nats_tls_key) {
            options = options
                .add_client_certificate(cert.clone(), key.clone())
                .require_tls(true);
        }
        if connection.nats_tls_required {
            options = options.require_tls(true);
        }
        if mode == ConnectMode::Retry {
            options = options.retry_on_initial_connect();
        }
        let client = options.connect(servers.as_slice()).await.map_err(|err| {
            use async_nats::ConnectErrorKind::{Authentication, AuthorizationViolation};
            let hint = match err.kind() {
                Authentication | AuthorizationViolation => {
                    "the server refused the credentials: give them with NATS_USER and \
                     NATS_PASSWORD, NATS_TOKEN, NATS_NKEY or NATS_CREDS, or in NATS_URL \
                     (nats://user:password@host:4222)"
                }
                _ => "set NATS_URL, or start a server with `newsflow up` or `nats-server -js`",
            };
            anyhow::Error::new(err).context(format!(
                "connecting to NATS at {} ({hint})",
                without_passwords(&connection.nats_url)
            ))
        })?;
        Ok(Self {
            js: jetstream::new(client.clone()),
            client,
        })
    }

    /// The NATS client, for libraries that take one (`newsflow_client::subscribe`).
    pub fn nats(&self) -> &async_nats::Client {
        &self.client
    }

    pub(crate) fn jetstream(&self) -> &jetstream::Context {
        &self.js
    }

    pub(crate) fn is_connected(&self) -> bool {
        self.client.connection_state() == async_nats::connection::State::Connected
    }

    /// Publishes `envelope` with its headers and `traceparent` for `who` (a stage, or `feed`),
    /// returning the future of the stream's ack so that several publishes can be in flight at
    /// once.
    pub(crate) async fn send(
        &self,
        who: &'static str,
        envelope: Envelope,
        traceparent: &str,
    ) -> anyhow::Result<PublishAckFuture> {
        let Envelope {
            subject,
            schema,
            msg_id,
            article_id,
            headers: extra,
            payload,
        } = envelope;
        let (msg_id_len, payload_len) = (msg_id.len(), payload.len());
        let trace_header = headers::trace_header(&subject);
        let mut message = PublishMessage::build()
            .payload(payload.into())
            .message_id(msg_id)
            .header(headers::SCHEMA, schema)
            .header(trace_header, traceparent);
        let mut header_bytes = HEADER_FRAME
            + HEADER_LINE * 3
            + headers::MSG_ID.len()
            + headers::SCHEMA.len()
            + trace_header.len()
            + msg_id_len
            + schema.len()
            + traceparent.len();
        if let Some(id) = &article_id {
            message = message.header(headers::ARTICLE_ID, id.as_str());
            header_bytes += HEADER_LINE + headers::ARTICLE_ID.len() + id.len();
        }
        for (name, value) in &extra {
            message = message.header(*name, value.as_str());
            header_bytes += HEADER_LINE + name.len() + value.len();
        }
        metrics::counter!(PUBLISHED, LABEL_STAGE => who).increment(1);
        metrics::counter!(PUBLISHED_BYTES, LABEL_STAGE => who)
            .increment(u64::try_from(payload_len + header_bytes).unwrap_or(u64::MAX));
        self.js
            .send_publish(subject.clone(), message)
            .await
            .with_context(|| format!("publishing to {subject}"))
    }

    /// The largest message the server takes, headers included.
    pub(crate) fn max_payload(&self) -> usize {
        self.client.server_info().max_payload
    }

    /// Publishes `envelope` from outside a stage (a feeder) with a new `traceparent`, and waits
    /// until the stream has stored it.
    ///
    /// # Errors
    /// When no stream takes the subject (for 2 s) or the server does not answer in time (four
    /// times).
    pub async fn publish(&self, envelope: Envelope) -> anyhow::Result<PublishOutcome> {
        let subject = envelope.subject.clone();
        let traceparent = crate::new_traceparent();
        let deadline = std::time::Instant::now() + STREAM_APPEARS;
        let mut timeouts = 0;
        loop {
            let stored = self
                .send(FEEDER, envelope.clone(), &traceparent)
                .await?
                .await;
            match stored {
                // After a timeout the first try may have been stored: its repeat is not a
                // duplicate the feeder sent.
                Ok(ack) if ack.duplicate && timeouts == 0 => return Ok(PublishOutcome::Duplicate),
                Ok(_) => return Ok(PublishOutcome::Accepted),
                // On a cluster a stream just created reaches the other servers a moment later.
                Err(err)
                    if err.kind() == PublishErrorKind::StreamNotFound
                        && std::time::Instant::now() < deadline =>
                {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                // A stream changing leader (a server lost, replicas changed) answers late; the
                // repeat carries the same de-duplication id, so it is stored once.
                Err(err)
                    if err.kind() == PublishErrorKind::TimedOut && timeouts < PUBLISH_TIMEOUTS =>
                {
                    timeouts += 1;
                    tracing::warn!(%subject, "No ack in time; publishing again (de-duplicated).");
                }
                Err(err) => {
                    return Err(err).with_context(|| {
                        format!("waiting for the stream to store the message on {subject}")
                    });
                }
            }
        }
    }

    /// Waits until everything published has reached the server.
    ///
    /// # Errors
    /// When the connection is gone.
    pub async fn flush(&self) -> anyhow::Result<()> {
        self.client.flush().await.context("flushing NATS")
    }

    /// Flushes, stops every subscription and closes the connection.
    ///
    /// # Errors
    /// When the connection is already closed.
    pub async fn drain(&self) -> anyhow::Result<()> {
        self.client.drain().await.context("draining NATS")
    }
}

/// The last operation the server refused this process for lack of permission, and when.
static LAST_REFUSAL: std::sync::Mutex<Option<(std::time::Instant, String)>> =
    std::sync::Mutex::new(None);

/// How long a refusal may explain a failure: a request the server refuses times out after a
/// few seconds; an older refusal is about something else.
const REFUSAL_EXPLAINS: Duration = Duration::from_secs(30);

/// The permission refusal the server sent this process in the last half minute, if any: the
/// server answers a forbidden request with an error of its own and no reply, so the request
/// itself only times out; this says why.
pub fn last_refusal() -> Option<String> {
    LAST_REFUSAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .as_ref()
        .filter(|(at, _)| at.elapsed() < REFUSAL_EXPLAINS)
        .map(|(_, refusal)| refusal.clone())
}

fn is_permission_refusal(message: &str) -> bool {
    message
        .to_ascii_lowercase()
        .contains("permissions violation")
}

/// The connection's credentials: a credentials file, an NKey seed file, a user and password or a
/// token, from the settings or else from the first URL that carries them (the client itself
/// ignores those in URLs).
async fn authenticate(
    options: async_nats::ConnectOptions,
    connection: &Connection,
    servers: &[async_nats::ServerAddr],
) -> anyhow::Result<async_nats::ConnectOptions> {
    let in_url = servers.iter().find(|s| s.has_user_pass());
    let url_too = |setting: &str| {
        anyhow::ensure!(
            in_url.is_none(),
            "NATS_URL carries credentials and {setting} is set too: use one"
        );
        Ok(())
    };
    if let Some(creds) = &connection.nats_creds {
        url_too("NATS_CREDS")?;
        return options.credentials_file(creds).await.with_context(|| {
            format!(
                "reading NATS credentials file {} (NATS_CREDS)",
                creds.display()
            )
        });
    }
    if let Some(path) = &connection.nats_nkey {
        url_too("NATS_NKEY")?;
        let seed = std::fs::read_to_string(path).with_context(|| {
            format!("reading the NKey seed file {} (NATS_NKEY)", path.display())
        })?;
        let seed = seed
            .lines()
            .map(str::trim)
            .find(|line| line.starts_with("SU"))
            .with_context(|| {
                format!(
                    "{} (NATS_NKEY) holds no user NKey seed (a line starting with SU)",
                    path.display()
                )
            })?;
        return Ok(options.nkey(seed.to_owned()));
    }
    if let (Some(user), Some(password)) = (&connection.nats_user, &connection.nats_password) {
        url_too("NATS_USER")?;
        return Ok(options.user_and_password(user.clone(), password.0.clone()));
    }
    if let Some(token) = &connection.nats_token {
        url_too("NATS_TOKEN")?;
        return Ok(options.token(token.0.clone()));
    }
    // URLs percent-encode what they carry (`p%40ss` for `p@ss`).
    let decoded = |s: &str| {
        percent_encoding::percent_decode_str(s)
            .decode_utf8_lossy()
            .into_owned()
    };
    Ok(
        match in_url.and_then(|s| Some((s.username()?, s.password()))) {
            Some((user, Some(password))) => {
                options.user_and_password(decoded(user), decoded(password))
            }
            Some((token, None)) => options.token(decoded(token)),
            None => options,
        },
    )
}

/// The servers of `NATS_URL`: one URL, or several separated by commas (the servers of a
/// cluster; the client picks one and fails over to the others).
fn server_addrs(urls: &str) -> anyhow::Result<Vec<async_nats::ServerAddr>> {
    let servers = urls
        .split(',')
        .map(str::trim)
        .filter(|url| !url.is_empty())
        .map(|url| {
            url.parse::<async_nats::ServerAddr>().map_err(|err| {
                anyhow::anyhow!(
                    "NATS_URL: {} is not a server URL ({err}); expected nats://host:port, several separated by commas",
                    without_passwords(url)
                )
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    anyhow::ensure!(!servers.is_empty(), "NATS_URL is empty");
    Ok(servers)
}

/// `urls` with any password or token replaced by `***`, for messages and logs.
pub fn without_passwords(urls: &str) -> String {
    urls.split(',')
        .map(|url| {
            let start = url.find("://").map_or(0, |scheme| scheme + 3);
            match url.rfind('@') {
                Some(at) if at >= start => {
                    let (head, userinfo) = (&url[..start], &url[start..at]);
                    match userinfo.split_once(':') {
                        Some((user, _)) => format!("{head}{user}:***{}", &url[at..]),
                        // A token alone is the secret.
                        None => format!("{head}***{}", &url[at..]),
                    }
                }
                _ => url.to_owned(),
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nats_url_takes_several_servers() {
        let servers = server_addrs("nats://a:4222, nats://b:4223,nats://c:4224").unwrap();
        let ports: Vec<u16> = servers.iter().map(async_nats::ServerAddr::port).collect();
        assert_eq!(ports, [4222, 4223, 4224]);
        assert_eq!(server_addrs("nats://a:4222").unwrap().len(), 1);
    }

    #[test]
    fn a_bad_nats_url_is_named_without_its_password() {
        let err = server_addrs("nats://a:4222,nats://user:hunter2@b:notaport")
            .unwrap_err()
            .to_string();
        assert!(err.contains("nats://user:***@b:notaport"), "{err}");
        assert!(!err.contains("hunter2"), "{err}");
        assert!(server_addrs(" , ").is_err());
        assert_eq!(without_passwords("nats://s3cret@a:1"), "nats://***@a:1");
        assert_eq!(without_passwords("u:pw@a:4222,a:1"), "u:***@a:4222,a:1");
    }
}
