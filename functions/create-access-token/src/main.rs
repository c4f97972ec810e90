tessera_common::function_main!(
    create_access_token::handle,
    tessera_common::lambda::Needs::Table
);
