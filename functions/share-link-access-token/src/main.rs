tessera_common::function_main!(
    share_link_access_token::handle,
    tessera_common::lambda::Needs::SigningKey
);
