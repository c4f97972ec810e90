tessera_common::function_main!(
    create_share_link::FUNCTION,
    tessera_common::lambda::Needs::Table
);
