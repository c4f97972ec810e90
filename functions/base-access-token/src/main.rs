tessera_jwt::function_main!(base_access_token::FUNCTION);
