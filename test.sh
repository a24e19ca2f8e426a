#!/usr/bin/env bash
# Installs what the tests need (Debian's Chromium, PostgreSQL, bubblewrap and Go, when missing), then builds and runs every
# test project. Ends with one line: "N passed, N failed" (totals of all test projects).
set -uo pipefail
cd "$(dirname "$0")"

need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v bwrap >/dev/null 2>&1 || need+=(bubblewrap)
# Go is the one sandbox language the machine image lacks; with it every language's tests run, not just their 'install' message.
command -v go >/dev/null 2>&1 || need+=(golang-go)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 || need+=(postgresql)
if [ ${#need[@]} -gt 0 ]; then
  echo "Installing ${need[*]} (apt-get)..."
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null || {
    echo "Could not install ${need[*]}; install them by hand and run again." >&2
    exit 1
  }
fi

log=$(mktemp)
dotnet test MtlPortal.sln --nologo "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# One summary line per test project: "Passed!  - Failed:     0, Passed:    39, Skipped:     0, Total:    39, ..."
read -r passed failed < <(grep -E '^(Passed|Failed)! +- Failed: +[0-9]+, Passed: +[0-9]+' "$log" \
  | sed -E 's/.*Failed: +([0-9]+), Passed: +([0-9]+).*/\2 \1/' \
  | awk '{p += $1; f += $2} END {print p + 0, f + 0}')
rm -f "$log"

if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  # The build or a test host failed before reporting: count it, so the line never reads as green.
  failed=1
fi
echo "$passed passed, $failed failed"
exit "$status"
