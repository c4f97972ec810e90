#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    tessera_common::lambda::run(|state, req| Box::pin(delete_access_tokens::handle(state, req)))
        .await
}
