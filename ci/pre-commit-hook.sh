#!/bin/sh
# The pre-commit hook (.pre-commit-hooks.yaml, language: script). pre-commit runs it from its own
# clone of cors-gen at the rev the user pinned; the first run installs and builds cors-gen there
# with npm ci (the lock file's exact versions, from the npm registry), later runs reuse that build.
# Not language: node: pre-commit (Debian's 3.0.4) takes all of `npm pack`'s output as the tarball's name,
# and npm prints the banner of the prepare script (the build) there too.
set -eu
here=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)
if [ ! -f "$here/dist/cli.cjs" ]; then
  echo "cors-gen: first run: installing and building in $here" >&2
  if ! (cd "$here" && npm ci --no-audit --no-fund --loglevel=error >&2); then
    echo "cors-gen: npm ci failed in $here" >&2
    exit 2
  fi
fi
exec node "$here/bin/cors-gen.js" "$@"
