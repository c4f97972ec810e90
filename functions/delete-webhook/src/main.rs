tessera_common::function_main!(
    delete_webhook::FUNCTION,
    tessera_common::lambda::Needs::Table
);
