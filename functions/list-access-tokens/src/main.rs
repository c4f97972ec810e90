tessera_common::function_main!(
    list_access_tokens::handle,
    tessera_common::lambda::Needs::Table
);
