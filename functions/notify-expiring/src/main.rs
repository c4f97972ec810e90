tessera_common::function_main!(
    notify_expiring::FUNCTION,
    tessera_common::lambda::Needs::Table
);
