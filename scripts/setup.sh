#!/bin/sh
# Gets a fresh machine with only Node and npm ready to run Nexa from this checkout:
# pnpm 10 (installed with npm; corepack cannot verify signatures everywhere),
# the workspace's dependencies, a build, and `nexa` on the PATH. Each step runs
# only when what it makes is out of date, so a second run with nothing changed
# costs a fraction of a second instead of a full install and build (~20 s).
set -eu
cd "$(dirname "$0")/.."
root=$PWD

major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 20 ]; then
  echo "nexa needs Node 20.19 or newer; this is $(node -v)" >&2
  exit 1
fi

need_pnpm() {
  case "$(pnpm --version 2>/dev/null || true)" in
    10.*) ;;
    *)
      echo "setup: installing pnpm 10 with npm" >&2
      npm install --global --no-fund --no-audit pnpm@10 >&2
      ;;
  esac
}

# The dependencies are out of date when anything pnpm installs from has changed
# since the last install: contents, not times, so a checkout that rewrites the
# same lockfile does not reinstall.
deps_stamp=node_modules/.nexa-setup-deps
deps_now=$(cat pnpm-lock.yaml pnpm-workspace.yaml package.json packages/*/package.json | cksum)
if [ ! -f "$deps_stamp" ] || [ "$(cat "$deps_stamp")" != "$deps_now" ]; then
  need_pnpm
  echo "setup: installing dependencies" >&2
  pnpm install --frozen-lockfile --reporter=silent >&2
  echo "$deps_now" >"$deps_stamp"
  rm -f node_modules/.nexa-setup-built
fi

# The build is out of date when a source, a tsconfig or the dependencies are
# newer than the last good build, or an output is gone (`pnpm clean`). A
# directory's time changes when a file in it is added or removed, so a deleted
# source counts too. tsc -b would find the same, but only after ~1 s of start-up.
build_stamp=node_modules/.nexa-setup-built
build_is_current() {
  [ -f "$build_stamp" ] || return 1
  [ -f packages/cli/oclif.manifest.json ] || return 1
  for package in packages/*/; do
    [ -f "${package}dist/.tsbuildinfo" ] || return 1
  done
  newer=$(find packages/*/src packages/*/tsconfig.json packages/*/package.json \
    packages/cli/scripts tsconfig.json tsconfig.base.json -newer "$build_stamp" -print 2>/dev/null | head -n 1)
  [ -z "$newer" ]
}
if ! build_is_current; then
  echo "setup: building" >&2
  # Stamped with the time the build started: a file saved during the build is built next time.
  touch "$build_stamp.next"
  # What running needs, without pnpm's start-up; `pnpm build` also type-checks the e2e
  # tests (~12 s), which `pnpm typecheck` and CI do and running nexa does not need.
  node node_modules/typescript/bin/tsc -b >&2
  node packages/cli/scripts/writeManifest.mjs >/dev/null
  mv "$build_stamp.next" "$build_stamp"
fi

# `nexa` on the PATH: a shim in npm's global bin directory (where `npm i -g`
# put pnpm, so it is on the PATH), running this checkout's CLI.
shim_mark='# nexa shim written by scripts/setup.sh'
cli="$root/packages/cli/bin/run.js"
current=$(command -v nexa 2>/dev/null || true)
# Quoted, as the shim writes it: /check/work/main/... must not pass for /work/main/...
if [ -n "$current" ] && grep -qF "\"$cli\"" "$current" 2>/dev/null; then
  : # already this checkout's
elif [ -n "$current" ] && ! grep -qF "$shim_mark" "$current" 2>/dev/null; then
  echo "setup: another nexa is on the PATH ($current); this checkout's runs as: node $cli" >&2
else
  bin_dir="$(npm prefix --global)/bin"
  if mkdir -p "$bin_dir" 2>/dev/null && [ -w "$bin_dir" ]; then
    printf '#!/bin/sh\n%s\nexec node "%s" "$@"\n' "$shim_mark" "$cli" >"$bin_dir/nexa"
    chmod 755 "$bin_dir/nexa"
    echo "setup: put nexa on the PATH ($bin_dir/nexa)" >&2
    case ":$PATH:" in
      *":$bin_dir:"*) ;;
      *) echo "setup: $bin_dir is not on your PATH; add it: export PATH=\"$bin_dir:\$PATH\"" >&2 ;;
    esac
  else
    echo "setup: cannot write to $bin_dir; to run plain \`nexa\`: alias nexa='node $cli'" >&2
  fi
fi
