tessera_common::function_main!(
    list_share_links::handle,
    tessera_common::lambda::Needs::Table
);
