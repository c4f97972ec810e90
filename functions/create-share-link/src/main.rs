tessera_common::function_main!(
    create_share_link::handle,
    tessera_common::lambda::Needs::Table
);
