tessera_common::function_main!(whoami::FUNCTION, tessera_common::lambda::Needs::Nothing);
