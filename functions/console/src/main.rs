tessera_common::function_main!(console::FUNCTION, tessera_common::lambda::Needs::Nothing);
