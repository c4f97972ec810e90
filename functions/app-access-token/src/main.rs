tessera_common::function_main!(
    app_access_token::FUNCTION,
    tessera_common::lambda::Needs::SigningKey
);
