tessera_common::function_main!(
    external_link_access_token::FUNCTION,
    tessera_common::lambda::Needs::SigningKey
);
