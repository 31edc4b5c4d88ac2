//! Prints every quote of one speaker, old and new, through a durable consumer that resumes
//! where it stopped: `cargo run -p newsflow-client --example quotes -- "Antony J. Blinken"`.

use newsflow_client::{Event, Filter, Start, subscribe};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let speaker = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "Antony J. Blinken".to_owned());
    let url = std::env::var("NATS_URL").unwrap_or_else(|_| "nats://127.0.0.1:4222".to_owned());
    let client = async_nats::connect(&url).await?;
    let filter = Filter {
        speaker: Some(speaker.clone()),
        ..Filter::default()
    };
    let name = format!("example-{}", newsflow_proto::slug(&speaker));
    let mut quotes = subscribe(&client, &filter, Start::First, Some(&name)).await?;
    while let Some(delivery) = quotes.next().await {
        let delivery = delivery?;
        if let Event::Quote(event) = &delivery.event {
            println!(
                "[{}] {}: “{}”",
                event.article_id,
                event.quote.speaker.as_deref().unwrap_or("?"),
                event.quote.text
            );
        }
        delivery.ack().await?;
    }
    Ok(())
}
