tessera_common::function_main!(
    list_api_tokens::handle,
    tessera_common::lambda::Needs::Table
);
