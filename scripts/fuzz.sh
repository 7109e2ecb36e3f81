#!/usr/bin/env bash
# Fuzzes the response normaliser and the error path natively with libFuzzer (cargo fuzz).
#   scripts/fuzz.sh SECONDS   (split between the targets; any crash fails)
# cargo-fuzz needs nightly flags; RUSTC_BOOTSTRAP=1 lets the machine's stable rustc accept
# them (only for this fuzz build, never for the package). Seeds live in fuzz/seeds/ (committed);
# fuzz/corpus/ grows locally and is not committed.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
if ! command -v cargo-fuzz >/dev/null; then
  echo "[fuzz] installing cargo-fuzz (about two minutes)" >&2
  cargo install cargo-fuzz --version 0.13.2
fi
targets=(normalize classify)
per_target=$(( seconds / ${#targets[@]} ))
export RUSTC_BOOTSTRAP=1
cd fuzz
for target in "${targets[@]}"; do
  mkdir -p "corpus/$target"
  rm -rf "artifacts/$target"
  cp -n "seeds/$target/"* "corpus/$target/"
  echo "[fuzz] $target for ${per_target}s" >&2
  cargo fuzz run -O "$target" "corpus/$target" -- \
    -max_total_time="$per_target" -max_len=65536 -print_final_stats=1 2>&1 | grep -E "^(Done|stat::number_of_executed_units|==|SUMMARY|.*panicked)" || true
  # A crash, timeout or out-of-memory leaves an artifact: that is the verdict.
  if compgen -G "artifacts/$target/*" >/dev/null; then
    echo "[fuzz] $target crashed: see fuzz/artifacts/$target/" >&2
    exit 1
  fi
done
