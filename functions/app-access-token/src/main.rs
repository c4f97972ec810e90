tessera_jwt::function_main!(app_access_token::FUNCTION);
