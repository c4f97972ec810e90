tessera_common::function_main!(
    access_token_usage::FUNCTION,
    tessera_common::lambda::Needs::Table
);
