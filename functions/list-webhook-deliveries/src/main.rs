tessera_common::function_main!(
    list_webhook_deliveries::FUNCTION,
    tessera_common::lambda::Needs::Table
);
