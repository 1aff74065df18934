#!/usr/bin/env bash
# The README's first command: install what is missing, build in Release, and
# run the main job on the bundled demo model.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
build="${SSMC_BUILD_DIR:-build}"
"$build/bin/ssmc" check models/demo.ssm
