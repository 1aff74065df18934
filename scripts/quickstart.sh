#!/usr/bin/env bash
# The README's first command: install what is missing, build in Release, and
# generate text on the CPU with the bundled demo model.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
build="${SSMC_BUILD_DIR:-build}"
"$build/bin/ssmc" run models/demo.ssm --weights models/demo --prompt "In the beginning" -n 200 \
  --temperature 0.8 --seed 1
