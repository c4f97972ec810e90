tessera_webhooks::function_main!(deliver_webhooks::FUNCTION);
