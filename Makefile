# The two commands a newcomer needs. Both install what is missing first.
.PHONY: dev sam-local test build fuzz-api fuzz bench clean-builds

## Run Tessera locally on http://127.0.0.1:3000 with a demo workspace (Ctrl-C stops it).
dev:
	@bash infra/scripts/dev.sh

## The same, served by SAM's own emulation: sam build, then sam local start-api on 127.0.0.1:3000,
## one Docker container per function (installs docker.io and starts dockerd if need be).
sam-local:
	@TESSERA_SERVER=sam-local bash infra/scripts/dev.sh

## Format check, clippy, every test against a fresh local stack, template lint.
test:
	@bash infra/scripts/test.sh

## sam build: every function for arm64 in release (cargo-lambda, no Docker).
build:
	@bash infra/scripts/build.sh

## Property-based API tests, longer than make test's: 2000 examples per operation.
fuzz-api:
	@bash infra/scripts/install.sh
	@cargo build --quiet -p tessera-admin -p tessera-local-api
	@bash infra/scripts/api-fuzz.sh 2000

## Fuzz the parsers with cargo fuzz (nightly), 300 s per target (make test runs 20 s each).
fuzz:
	@bash infra/scripts/install.sh
	@bash infra/scripts/fuzz.sh 300

## Measure every function, a hello-world Rust Lambda and a Python + boto3 peer side by side
## (cold start, CPU, memory, AWS calls, cost), and the local API under load. Prints Markdown.
bench:
	@bash infra/scripts/bench.sh

## Remove what only the long runs build (cargo fuzz, make bench's release, make build's arm64),
## keeping target/debug, which make dev and make test reuse.
clean-builds:
	@rm -rf fuzz/target target/release target/lambda target/aarch64-unknown-linux-gnu .aws-sam target/bench
	@echo "removed the fuzz, bench and release builds; target/ now holds $$(du -sh target 2>/dev/null | cut -f1)"
