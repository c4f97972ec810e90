tessera_common::function_main!(
    list_access_tokens::FUNCTION,
    tessera_common::lambda::Needs::Table
);
