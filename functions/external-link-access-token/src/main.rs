tessera_jwt::function_main!(external_link_access_token::FUNCTION);
