tessera_common::function_main!(
    secret_scanning::FUNCTION,
    tessera_common::lambda::Needs::Table
);
