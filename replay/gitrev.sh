#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# gitrev.sh OUT: write the git revision as a C header, touching OUT only when
# it changes (ninja's restat then skips rebuilding what includes it).
rev=$(git describe --always --dirty --abbrev=12 2>/dev/null || echo unknown)
new="#define ZPB_GIT_REVISION \"$rev\""
[ -f "$1" ] && [ "$(cat "$1")" = "$new" ] && exit 0
printf '%s\n' "$new" > "$1"
