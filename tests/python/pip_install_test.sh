#!/usr/bin/env bash
# The README's offline install: Debian's pip builds the package from the clone (no index, no
# build isolation) into a throwaway target, and the installed package works.
# Usage: pip_install_test.sh SOURCE_DIR PYTHON
set -euo pipefail
src=$1 python=$2
target=$(mktemp -d)
trap 'rm -rf "$target"' EXIT
cd "$src"
CMAKE_BUILD_PARALLEL_LEVEL=2 "$python" -m pip install --quiet --no-index --no-build-isolation --no-deps \
  --target "$target" . > "$target.log" 2>&1 || { cat "$target.log"; rm -f "$target.log"; exit 1; }
rm -f "$target.log"
cd "$target"
PYTHONPATH="$target" "$python" - <<'PY'
import rapport
with rapport.open(":memory:", default_region="CN") as db:
    c = db.create_customer("阿里巴巴网络技术有限公司", phones=["138 0013 8000"], tags=["vip"])
    assert db.search_customers("阿里")[0].id == c.id
    assert c.contact_points[0].value == "+8613800138000"
print("pip install: 1 passed, 0 failed")
PY
