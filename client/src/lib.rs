//! newsflow-client: subscribe to newsflow's events from Rust.
//!
//! Events live in the JetStream stream `NEWSFLOW_EVENTS` under `newsflow.events.>`:
//! `newsflow.events.article`, `newsflow.events.quote.<speaker slug>` and
//! `newsflow.events.entity.<type>.<name slug>`. A [`Filter`] becomes one subject filter the
//! server applies; [`subscribe`] opens either an ephemeral ordered consumer (nothing kept on the
//! server) or a named durable one that remembers what was acknowledged, so a subscriber that
//! restarts resumes where it stopped. Each [`Delivery`] carries the typed [`Event`], the raw
//! JSON and the stream sequence; durable deliveries must be [`Delivery::ack`]ed.
//!
//! ```no_run
//! # async fn example() -> anyhow::Result<()> {
//! use newsflow_client::{Event, Filter, Start, subscribe};
//! let client = async_nats::connect("nats://127.0.0.1:4222").await?;
//! let filter = Filter { speaker: Some("Antony J. Blinken".into()), ..Filter::default() };
//! let mut quotes = subscribe(&client, &filter, Start::First, Some("blinken-watch")).await?;
//! while let Some(delivery) = quotes.next().await {
//!     let delivery = delivery?;
//!     if let Event::Quote(quote) = &delivery.event {
//!         println!("{}: {}", quote.quote.speaker.as_deref().unwrap_or("?"), quote.quote.text);
//!     }
//!     delivery.ack().await?;
//! }
//! # Ok(())
//! # }
//! ```
//! A runnable version: `cargo run -p newsflow-client --example quotes -- "Antony J. Blinken"`.
#![warn(missing_docs)]

mod filter;
mod names;
mod subscription;

pub use filter::{ENTITY_TYPES, Filter, FilterError, Kind};
pub use names::subjects_named;
pub use subscription::{Delivery, Event, Start, Subscription, subscribe};
