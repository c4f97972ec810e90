tessera_common::function_main!(
    temp_api_token::FUNCTION,
    tessera_common::lambda::Needs::SigningKey
);
