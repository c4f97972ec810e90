tessera_common::function_main!(
    temp_api_token::handle,
    tessera_common::lambda::Needs::SigningKey
);
