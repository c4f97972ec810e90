tessera_common::function_main!(
    delete_access_tokens::FUNCTION,
    tessera_common::lambda::Needs::Table
);
