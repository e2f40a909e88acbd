#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# ci-extra.sh: the CI steps after the tests (.ci/run runs this when it
# exists), each a short section: add yours as its own block. Runs from the
# top of the tree, after './configure' has written build/.
set -eu

# Short, bounded fuzzing of both trace readers (20 s each; 'ninja fuzz' runs
# them for 10 minutes). Skips itself when clang's libFuzzer is missing.
echo "== fuzz-short: the binary and text trace readers"
ninja fuzz-short
