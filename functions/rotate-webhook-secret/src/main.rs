tessera_webhooks::function_main!(rotate_webhook_secret::FUNCTION);
