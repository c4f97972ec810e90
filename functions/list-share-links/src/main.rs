use tessera_common::lambda::{run, Needs};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    run(
        |state, req| Box::pin(list_share_links::handle(state, req)),
        Needs::Table,
    )
    .await
}
