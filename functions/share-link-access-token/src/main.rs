tessera_jwt::function_main!(share_link_access_token::FUNCTION);
