tessera_common::function_main!(
    base_access_token::FUNCTION,
    tessera_common::lambda::Needs::SigningKey
);
