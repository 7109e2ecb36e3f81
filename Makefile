test:
	cargo test --all-targets
.PHONY: test
