tessera_common::function_main!(
    update_api_token::handle,
    tessera_common::lambda::Needs::Table
);
