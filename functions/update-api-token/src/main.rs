tessera_common::function_main!(
    update_api_token::FUNCTION,
    tessera_common::lambda::Needs::Table
);
