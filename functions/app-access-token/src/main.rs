tessera_common::function_main!(
    app_access_token::handle,
    tessera_common::lambda::Needs::SigningKey
);
