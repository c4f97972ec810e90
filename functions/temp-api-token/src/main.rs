tessera_jwt::function_main!(temp_api_token::FUNCTION);
