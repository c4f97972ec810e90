tessera_common::function_main!(authorizer::FUNCTION, tessera_common::lambda::Needs::Table);
