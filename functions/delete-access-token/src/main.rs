tessera_common::function_main!(
    delete_access_token::FUNCTION,
    tessera_common::lambda::Needs::Table
);
