tessera_common::function_main!(
    list_share_links::FUNCTION,
    tessera_common::lambda::Needs::Table
);
