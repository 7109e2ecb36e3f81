#!/usr/bin/env bash
# Differential test: our Rust signer (examples/sign_request.rs) against the official Alibaba
# Cloud Python SDK. Arguments are passed to differential.py (e.g. --cases 1000 --seed 7).
# SIGN_REQUEST_BIN=/path/to/built/sign_request skips `cargo run`.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
"$here/setup.sh"
cd "$root"
exec "$root/.venv/oracle/bin/python" "$here/differential.py" "$@"
