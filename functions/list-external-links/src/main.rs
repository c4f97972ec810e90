tessera_common::function_main!(
    list_external_links::FUNCTION,
    tessera_common::lambda::Needs::Table
);
