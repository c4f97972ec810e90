tessera_common::function_main!(
    update_access_token::FUNCTION,
    tessera_common::lambda::Needs::Table
);
