tessera_common::function_main!(
    delete_share_link::handle,
    tessera_common::lambda::Needs::Table
);
