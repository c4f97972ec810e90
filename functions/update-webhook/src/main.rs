tessera_common::function_main!(
    update_webhook::FUNCTION,
    tessera_common::lambda::Needs::Table
);
