tessera_common::function_main!(audit_log::FUNCTION, tessera_common::lambda::Needs::Table);
