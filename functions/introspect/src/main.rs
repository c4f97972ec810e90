tessera_common::function_main!(
    introspect::FUNCTION,
    tessera_common::lambda::Needs::SigningKey
);
