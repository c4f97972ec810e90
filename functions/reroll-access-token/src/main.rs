tessera_common::function_main!(
    reroll_access_token::FUNCTION,
    tessera_common::lambda::Needs::Table
);
