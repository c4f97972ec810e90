tessera_common::function_main!(
    list_api_tokens::FUNCTION,
    tessera_common::lambda::Needs::Table
);
