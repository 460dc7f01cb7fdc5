#!/bin/sh
# Gets a fresh machine with only Node and npm ready to run Nexa from this checkout:
# pnpm 10 (installed with npm; corepack cannot verify signatures everywhere),
# the workspace's dependencies, and a build. Quick when everything is in place.
set -eu
cd "$(dirname "$0")/.."

major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 20 ]; then
  echo "nexa needs Node 20.19 or newer; this is $(node -v)" >&2
  exit 1
fi

case "$(pnpm --version 2>/dev/null || true)" in
  10.*) ;;
  *)
    echo "setup: installing pnpm 10 with npm" >&2
    npm install --global --no-fund --no-audit pnpm@10 >&2
    ;;
esac

echo "setup: installing dependencies" >&2
pnpm install --frozen-lockfile --reporter=silent >&2
echo "setup: building" >&2
pnpm run --silent build >&2
