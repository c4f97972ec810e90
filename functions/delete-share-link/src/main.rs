tessera_common::function_main!(
    delete_share_link::FUNCTION,
    tessera_common::lambda::Needs::Table
);
