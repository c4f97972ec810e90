tessera_common::function_main!(
    verify_access_token::FUNCTION,
    tessera_common::lambda::Needs::Table
);
