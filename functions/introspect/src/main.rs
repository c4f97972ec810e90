tessera_jwt::function_main!(introspect::FUNCTION);
