tessera_common::function_main!(
    rotate_signing_key::FUNCTION,
    tessera_common::lambda::Needs::Nothing
);
