tessera_common::function_main!(
    delete_api_token::handle,
    tessera_common::lambda::Needs::Table
);
