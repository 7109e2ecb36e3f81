# The two commands of the README: `make demo` and `make test`. Each installs what it needs
# (scripts/setup.sh), skipping what is already there.
SHELL := /bin/bash
export PATH := $(CURDIR)/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
export CHROMEDRIVER ?= /usr/bin/chromedriver
# A fixed loopback port for the wasm-bindgen tests' emulator (they cannot be told a port).
WASM_TEST_EMULATOR_PORT := 18091

.PHONY: setup toolchain build test test-core test-lint test-oracle test-emulator test-node test-cli test-types \
        test-wasm test-wasm-node test-wasm-browser test-fuzz test-demo test-xbrowser test-faults test-node-versions soak bench fuzz demo clean

setup:
	scripts/setup.sh browser

# The wasm toolchain and npm tools alone (the wasm target for clippy's wasm pass; a fresh
# machine has none of it before `build`).
toolchain:
	scripts/setup.sh

build:
	scripts/build.sh

FUZZ_SECONDS ?= 600

test: test-core test-lint test-oracle test-emulator build test-node test-faults test-cli test-node-versions test-types test-wasm test-demo test-xbrowser test-fuzz
	@echo "make test: all suites passed"

test-core:
	cargo test --workspace --all-targets

test-lint: toolchain
	cargo fmt --check
	cargo clippy --workspace --all-targets -- -D warnings
	cargo clippy --workspace --lib --target wasm32-unknown-unknown -- -D warnings

test-oracle:
	tests/oracle/run.sh

test-emulator:
	node --test tests/emulator/

test-node: build
	node --test tests/node/

# The fault matrix, raw TCP faults, secrets and hostile data, and a short soak.
test-faults: build
	node --test tests/faults/

# 2,000 concurrent calls x 10 rounds; memory must stay flat.
soak: build
	node tests/faults/soak.mjs

test-cli: build
	node --test tests/cli/

# Node's supported release lines besides the machine's own (which runs every suite): the
# package's Node-facing suites again on each, with binaries from npm (scripts/setup.sh).
NODE_VERSIONS := 22.23.5 24.22.3 26.12.1

# `node --test` takes no directory from Node 22 on: the files are listed.
NODE_VERSIONS_SUITES := tests/node/*.test.mjs tests/node/*.test.cjs tests/cli/*.test.mjs tests/faults/*.test.mjs

test-node-versions: build
	scripts/setup.sh node-versions $(NODE_VERSIONS)
	for version in $(NODE_VERSIONS); do \
	  echo "== Node $$version"; \
	  PATH="$(CURDIR)/target/node-versions/$$version/bin:$$PATH" node --test --test-reporter=tap \
	    $(NODE_VERSIONS_SUITES) || exit 1; \
	done

# The declarations are found the way an app finds them: through pkg/package.json's exports.
# Two TypeScripts, each by its path (both packages install a `tsc`): 5.9, and 7 (the Go port,
# npm's latest), which apps now compile with.
TSC5 := node_modules/typescript/bin/tsc
TSC7 := node_modules/typescript7/bin/tsc

test-types: build
	mkdir -p tests/types/node_modules
	ln -sfn ../../../pkg tests/types/node_modules/yunxiao-pipeline-jobs
	$(TSC5) -p tests/types/tsconfig.json
	# A Node-only program: no "dom" lib, @types/node instead.
	$(TSC5) -p tests/types/tsconfig.node.json
	# The older resolution ("node10"), which ignores "exports".
	$(TSC5) -p tests/types/tsconfig.node10.json
	# Neither the "dom" lib nor @types/node.
	$(TSC5) -p tests/types/tsconfig.bare.json
	# TypeScript 7: not node10, which it no longer has, nor the Node-only program (the pinned
	# @types/node 20 does not compile under it).
	$(TSC7) -p tests/types/tsconfig.json
	$(TSC7) -p tests/types/tsconfig.bare.json

test-wasm: test-wasm-node test-wasm-browser

test-wasm-node test-wasm-browser: setup
	scripts/with-emulator.sh $(WASM_TEST_EMULATOR_PORT) \
	  wasm-pack test --release --mode no-install $(if $(findstring browser,$@),--headless --chrome,--node) \
	  -- --test $(if $(findstring browser,$@),wasm_browser,wasm_boundary) 2>&1 | tee target/$@.log
	@grep -Eq "test result: ok\. [1-9][0-9]* passed" target/$@.log || { echo "$@: no wasm tests ran"; exit 1; }

# Benchmarks (issue 6): size, cold start, per-call overhead, big answers, memory, side by side
# with a minimal hand-written client (the floor) and the official client. Informational: a
# missed goal never fails. QUICK=1 scales it down (~15 s) so CI keeps the script from rotting.
bench: build
	scripts/setup.sh node-versions $(NODE_VERSIONS)
	node bench/run.mjs $(if $(QUICK),--quick)

# A 30-second smoke in `make test`; `make fuzz` runs 10 minutes (FUZZ_SECONDS=...).
test-fuzz:
	scripts/fuzz.sh 30

fuzz:
	scripts/fuzz.sh $(FUZZ_SECONDS)

# The main job: the demo page on http://127.0.0.1:8080 (PORT=...), against the bundled emulator.
demo: build
	node scripts/demo-server.mjs

# The demo page, the signing proxy and the Vite app in headless Chromium.
test-demo: build setup
	node --test tests/e2e/

# The demo page and the browser build in Chromium, Firefox ESR (headless) and WebKitGTK (under Xvfb).
test-xbrowser: setup build
	scripts/setup.sh xbrowser
	node --test tests/xbrowser/

clean:
	rm -rf pkg target/js-stage target/wasm-nodejs target/wasm-web test-output
