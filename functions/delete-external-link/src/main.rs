tessera_common::function_main!(
    delete_external_link::FUNCTION,
    tessera_common::lambda::Needs::Table
);
