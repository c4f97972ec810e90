tessera_common::function_main!(
    delete_access_tokens::handle,
    tessera_common::lambda::Needs::Table
);
