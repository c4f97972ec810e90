tessera_common::function_main!(
    create_api_token::handle,
    tessera_common::lambda::Needs::Table
);
