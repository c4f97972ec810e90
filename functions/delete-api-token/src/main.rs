tessera_common::function_main!(
    delete_api_token::FUNCTION,
    tessera_common::lambda::Needs::Table
);
