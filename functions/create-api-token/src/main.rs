use tessera_common::lambda::{run, Needs};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    run(
        |state, req| Box::pin(create_api_token::handle(state, req)),
        Needs::Table,
    )
    .await
}
