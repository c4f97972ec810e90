tessera_common::function_main!(workspace::FUNCTION, tessera_common::lambda::Needs::Table);
