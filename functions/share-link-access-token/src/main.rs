tessera_common::function_main!(
    share_link_access_token::FUNCTION,
    tessera_common::lambda::Needs::SigningKey
);
