tessera_common::function_main!(test_webhook::FUNCTION, tessera_common::lambda::Needs::Table);
