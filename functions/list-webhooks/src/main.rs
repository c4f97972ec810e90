tessera_common::function_main!(
    list_webhooks::FUNCTION,
    tessera_common::lambda::Needs::Table
);
