tessera_common::function_main!(
    create_api_token::FUNCTION,
    tessera_common::lambda::Needs::Table
);
