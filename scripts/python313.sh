#!/usr/bin/env bash
# Prints the path of a Python 3.13 interpreter (the Lambda runtime's version), or explains how
# to get one. Tried in order: $PYTHON313, python3.13 on PATH, pyenv's versions, uv's.
set -euo pipefail
works() { "$1" -c 'import sys; assert sys.version_info[:2] == (3, 13)' >/dev/null 2>&1; }
for candidate in "${PYTHON313:-}" "$(command -v python3.13 || true)"; do
  if [ -n "$candidate" ] && works "$candidate"; then echo "$candidate"; exit 0; fi
done
roots=()
if command -v pyenv >/dev/null 2>&1; then roots+=("$(pyenv root)/versions"); fi
roots+=("$HOME/.pyenv/versions" "$HOME/.local/share/uv/python")
for root in "${roots[@]}"; do
  for candidate in "$root"/3.13*/bin/python3.13 "$root"/cpython-3.13*/bin/python3.13; do
    if [ -x "$candidate" ] && works "$candidate"; then echo "$candidate"; exit 0; fi
  done
done
echo "orgdns needs Python 3.13 (the Lambda runtime). Install it (e.g. 'pyenv install 3.13'" \
     "or 'uv python install 3.13') or set PYTHON313=/path/to/python3.13." >&2
exit 1
