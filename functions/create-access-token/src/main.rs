tessera_common::function_main!(
    create_access_token::FUNCTION,
    tessera_common::lambda::Needs::Table
);
