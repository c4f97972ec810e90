tessera_common::function_main!(
    publish_events::FUNCTION,
    tessera_common::lambda::Needs::Nothing
);
