tessera_webhooks::function_main!(create_webhook::FUNCTION);
