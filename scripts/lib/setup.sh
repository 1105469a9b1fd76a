# Set-up steps shared by scripts/demo and scripts/test (sourced, not run). Each step checks first and
# does nothing when its work is done, so a second run goes straight to the demo or the tests.
#
#   setup_node    Node.js 22 first on PATH (scripts/with-node22 fetches it once from the npm registry)
#   setup_deps    npm ci when node_modules is missing or was installed from another package-lock.json
#   setup_build   tsc into dist/ when a source file changed since the last build by this script
#   setup_lint    eslint and prettier --check (npm run lint), every time (scripts/test only)
#   setup_cli_for_demo / setup_cli_for_tests
#                 the pinned Pulumi CLI (scripts/install-pulumi-cli) when no usable one is there
#   setup_sdk_checks
#                 the SDK generator and the Python environment the SDK suites use (scripts/sdks/)
#
# Figures in the messages were measured on this project's 2-core machine; README "Requirements" says how.

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cache_root="${VOLCENGINE_COPIED_IMAGE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/volcengine-copied-image}"
setup_name="${setup_name:-setup}"

say() { echo "$setup_name: $*" >&2; }
die() { say "error: $*"; exit 1; }

# Node.js 22 or newer first on PATH for the rest of this script.
setup_node() {
  local bin
  if [ "$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)" -ge 22 ]; then return 0; fi
  if ! command -v npm >/dev/null; then
    die "neither Node.js 22 nor npm is installed; install Node.js (any version with npm) first: https://nodejs.org"
  fi
  bin="$("$repo/scripts/with-node22" bash -c 'dirname "$(command -v node)"')" || die "could not get Node.js 22 (see above)"
  export PATH="$bin:$PATH"
}

# npm ci when needed; the stamp records package.json, package-lock.json and the Node version it ran with.
setup_deps() {
  local stamp="$repo/node_modules/.setup-stamp" want
  want="$(cat "$repo/package.json" "$repo/package-lock.json" | sha256sum | cut -d' ' -f1) node-$(node --version)"
  if [ -d "$repo/node_modules" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then return 0; fi
  say "installing the npm dependencies (npm ci: about 20 s, 257 packages)"
  (cd "$repo" && npm ci --no-audit --no-fund --loglevel=warn >&2) || die "npm ci failed (see above)"
  echo "$want" >"$stamp"
}

# The hash of everything tsc reads; a changed, added or removed file means a clean rebuild.
source_hash() {
  (cd "$repo" && {
    find provider emulator kit tests scripts examples -type f \( -name '*.ts' -o -name '*.json' \) \
      -not -path '*/node_modules/*' | LC_ALL=C sort | xargs sha256sum
    sha256sum tsconfig.json package.json package-lock.json
  } | sha256sum | cut -d' ' -f1)
}

setup_build() {
  local stamp="$repo/dist/.setup-stamp" want
  want="$(source_hash)"
  if [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then return 0; fi
  say "building (tsc into dist/, then type-checking the examples: about 15 s)"
  rm -rf "$repo/dist"
  (cd "$repo" && npm run --silent build >&2) || die "the build failed (see above)"
  echo "$want" >"$stamp"
}

# eslint and prettier --check over the sources (npm run lint); a finding stops the run.
setup_lint() {
  say "linting (eslint, prettier --check: about 15 s)"
  (cd "$repo" && npm run --silent lint >&2) || die "the lint failed (see above; npx prettier --write . fixes formatting)"
}

go_ok() { # Go >= 1.26.6 (the go line of pulumi/pkg v3.276.0's go.mod)
  local go="$1" v
  v="$("$go" env GOVERSION 2>/dev/null)" || return 1
  v="${v#go}"
  [ "$(printf '%s\n%s\n' 1.26.6 "${v%%[!0-9.]*}" | sort -V | head -1)" = 1.26.6 ]
}

# Builds the pinned CLI, trying twice (the Go module proxy can have a bad moment). The script's own
# progress lines show; everything (Go's "go: downloading" lines too) goes to a log, whose end is shown
# when a build fails.
build_cli() {
  local go log attempt
  go="${PULUMI_GO:-$(command -v go || true)}"
  if [ -z "$go" ] && [ -x /usr/local/go/bin/go ]; then go=/usr/local/go/bin/go; fi
  if [ -z "$go" ]; then
    say "error: Go is not installed; it is needed once, to build the Pulumi CLI (Go >= 1.26.6: https://go.dev/dl)"
    return 1
  fi
  if ! go_ok "$go"; then
    say "error: $("$go" version) is too old to build the Pulumi CLI: Go >= 1.26.6 is needed (https://go.dev/dl)"
    return 1
  fi
  mkdir -p "$cache_root"
  log="$cache_root/pulumi-cli-build.log"
  say "building the Pulumi CLI v3.276.0 and its YAML language host from Go modules; once per machine: about"
  say "  4 minutes on 2 cores and 128 s of CPU more for the YAML host, 1.9 GB of memory at peak, 4.4 GiB of Go"
  say "  module and build caches (log: $log)"
  for attempt in 1 2; do
    # stderr through the pipe, stdout (the bin dir) dropped; the script's own status decides.
    if PULUMI_GO="$go" "$repo/scripts/install-pulumi-cli" 2>&1 >/dev/null | tee "$log" |
      { grep --line-buffered '^install-pulumi-cli: ' || true; } | sed -u "s/^install-pulumi-cli: /$setup_name:   /" >&2
      [ "${PIPESTATUS[0]}" -eq 0 ]; then
      return 0
    fi
    grep -v "^install-pulumi-cli: " "$log" | tail -n 30 >&2
    if [ "$attempt" = 1 ]; then say "building the Pulumi CLI failed; trying once more"; fi
  done
  say "error: building the Pulumi CLI failed twice (the whole log: $log)"
  return 1
}

# The CLI the demo uses: the pinned build, else an official `pulumi` on PATH, else it builds the pinned one.
setup_cli_for_demo() {
  if "$repo/scripts/install-pulumi-cli" --check; then return 0; fi
  if command -v pulumi >/dev/null; then
    say "using $(command -v pulumi) (the pinned Pulumi CLI is not built; scripts/test builds it)"
    return 0
  fi
  build_cli || die "no Pulumi CLI for the demo; fix the above, or put an official Pulumi CLI on PATH (https://www.pulumi.com/docs/install/)"
}

# The CLI the tests use: always the pinned build (the end-to-end results must not depend on the CLI version).
setup_cli_for_tests() {
  if "$repo/scripts/install-pulumi-cli" --check; then return 0; fi
  build_cli || die "no Pulumi CLI for the end-to-end suite (see above)"
}

# What the SDK suites (tests/sdks) need besides Go and Node: the generator (a Go build on pulumi/pkg, once per
# change of scripts/sdks/generator) and the Python environment (pulumi and mypy from PyPI, once). Each
# script says what it sets up and does nothing when it is there.
setup_sdk_checks() {
  "$repo/scripts/sdks/generate" --build >/dev/null || die "building the SDK generator failed (see above)"
  "$repo/scripts/sdks/python-env" >/dev/null || die "setting up the Python environment for the SDK check failed (see above)"
}
