tessera_common::function_main!(
    base_access_token::handle,
    tessera_common::lambda::Needs::SigningKey
);
