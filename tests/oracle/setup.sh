#!/usr/bin/env bash
# Creates .venv/oracle (relative to the repository root) with the official Alibaba Cloud
# Python SDK pinned in tests/oracle/requirements.txt. Idempotent: does nothing when the venv
# was already built from the same requirements file and still imports.
#
# Environment: PYTHON  interpreter to build the venv with (default: python3.11, else python3)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="$root/.venv/oracle"
req="$here/requirements.txt"
stamp="$venv/.requirements.sha256"

want="$(sha256sum "$req" | cut -d' ' -f1)"

check_imports() {
  "$venv/bin/python" - <<'PY' >/dev/null 2>&1
import alibabacloud_tea_openapi.utils
import alibabacloud_openapi_util.client
import alibabacloud_devops20210625.client
PY
}

if [[ -x "$venv/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]] && check_imports; then
  echo "oracle venv up to date: $venv"
  exit 0
fi

if [[ -z "${PYTHON:-}" ]]; then
  if command -v python3.11 >/dev/null 2>&1; then PYTHON=python3.11; else PYTHON=python3; fi
fi
"$PYTHON" - <<'PY'
import sys
if sys.version_info < (3, 9):
    sys.exit(f"tests/oracle needs Python >= 3.9, found {sys.version.split()[0]}")
PY

echo "building oracle venv: $venv"
rm -f "$stamp"
if [[ ! -x "$venv/bin/python" ]]; then
  "$PYTHON" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r "$req"
check_imports || { echo "oracle venv: the SDK does not import after install" >&2; exit 1; }
echo "$want" > "$stamp"
"$venv/bin/python" -m pip list --disable-pip-version-check 2>/dev/null \
  | grep -iE '^alibabacloud[-_](tea[-_]openapi|openapi[-_]util|devops20210625) ' || true
