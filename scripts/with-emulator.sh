#!/usr/bin/env bash
# Runs a command with the emulator listening on 127.0.0.1:PORT, then stops the emulator.
#   scripts/with-emulator.sh PORT command args...
set -euo pipefail
port=$1; shift
cd "$(dirname "$0")/.."
node emulator/server.mjs --port "$port" > "target/emulator-$port.log" 2>&1 &
emulator_pid=$!
trap 'kill $emulator_pid 2>/dev/null || true' EXIT
# Up to 30 s: on a loaded machine Node alone can take seconds to start (5 s was once too few).
for _ in $(seq 1 300); do
  grep -q "emulator listening" "target/emulator-$port.log" 2>/dev/null && break
  sleep 0.1
done
grep -q "emulator listening" "target/emulator-$port.log" || {
  echo "with-emulator.sh: the emulator did not start on port $port within 30 s; its output:"
  cat "target/emulator-$port.log"
  exit 1
}
"$@"
