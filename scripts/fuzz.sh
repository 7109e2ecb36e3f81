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
  cargo install --locked cargo-fuzz --version 0.13.2
fi
targets=(normalize classify)
# At least a second each: libFuzzer reads -max_total_time=0 as no limit at all.
per_target=$(( seconds / ${#targets[@]} ))
(( per_target >= 1 )) || per_target=1
export RUSTC_BOOTSTRAP=1
cd fuzz
mkdir -p target # (ignored) for the logs below
for target in "${targets[@]}"; do
  mkdir -p "corpus/$target"
  rm -rf "artifacts/$target"
  # The seeds the corpus lacks (`cp -n` exits 1 on skipped files with some coreutils).
  for seed in "seeds/$target/"*; do
    [[ -e "corpus/$target/$(basename "$seed")" ]] || cp "$seed" "corpus/$target/"
  done
  echo "[fuzz] $target for ${per_target}s" >&2
  # Built first, on its own: a target that no longer compiles must fail the run, not pass it
  # silently (the run below is filtered, and a crash exits non-zero too).
  if ! cargo fuzz build -O "$target" >"target/fuzz-$target-build.log" 2>&1; then
    tail -n 30 "target/fuzz-$target-build.log" >&2
    echo "[fuzz] $target does not build" >&2
    exit 1
  fi
  log="target/fuzz-$target-run.log"
  cargo fuzz run -O "$target" "corpus/$target" -- \
    -max_total_time="$per_target" -max_len=65536 -print_final_stats=1 >"$log" 2>&1 || true
  grep -E "^(Done|stat::number_of_executed_units|==|SUMMARY|.*panicked)" "$log" || true
  # A crash, timeout or out-of-memory leaves an artifact: that is the verdict.
  if compgen -G "artifacts/$target/*" >/dev/null; then
    echo "[fuzz] $target crashed: see fuzz/artifacts/$target/" >&2
    exit 1
  fi
  # And a run that never got going (libFuzzer's closing "Done N runs" line missing) is no pass.
  if ! grep -qE "^Done [0-9]+ runs" "$log"; then
    tail -n 30 "$log" >&2
    echo "[fuzz] $target did not run" >&2
    exit 1
  fi
done
