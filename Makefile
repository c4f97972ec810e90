# The two commands a newcomer needs. Both install what is missing first.
.PHONY: dev test

## Run Tessera locally on http://127.0.0.1:3000 with a demo workspace (Ctrl-C stops it).
dev:
	@bash infra/scripts/dev.sh

## Format check, clippy, every test against a fresh local stack, template lint.
test:
	@bash infra/scripts/test.sh
