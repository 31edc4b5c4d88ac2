//! The `newsflow` command. Everything lives in the library; see `newsflow --help`.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    newsflow_cli::main().await
}
