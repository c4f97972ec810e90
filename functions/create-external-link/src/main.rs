tessera_common::function_main!(
    create_external_link::FUNCTION,
    tessera_common::lambda::Needs::Table
);
