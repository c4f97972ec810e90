#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    tessera_common::lambda::run(|state, req| Box::pin(create_access_token::handle(state, req)))
        .await
}
