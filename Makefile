# The two commands a newcomer needs. Both install what is missing first.
.PHONY: dev test build

## Run Tessera locally on http://127.0.0.1:3000 with a demo workspace (Ctrl-C stops it).
dev:
	@bash infra/scripts/dev.sh

## Format check, clippy, every test against a fresh local stack, template lint.
test:
	@bash infra/scripts/test.sh

## sam build: every function for arm64 in release (cargo-lambda, no Docker).
build:
	@bash infra/scripts/build.sh
