use tessera_common::lambda::{run, Needs};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    run(
        |state, req| Box::pin(base_access_token::handle(state, req)),
        Needs::SigningKey,
    )
    .await
}
