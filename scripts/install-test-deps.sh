#!/usr/bin/env bash
# Real Prometheus, nginx and Caddy (the stand-in for Traefik ForwardAuth) from Debian for the end-to-end suites, Go (golang-go: the
# tests compile test/support/go-parsers to ask Go's own parsers) and git. Idempotent: does nothing when
# all are installed. Waits for other apt/dpkg runs (and for a parallel run of itself) instead of
# failing. Installs no system service: the tests start their own instances.
set -euo pipefail

lock_timeout=${APT_LOCK_TIMEOUT_SECONDS:-300}

missing_packages() {
  local missing=()
  { command -v prometheus && command -v promtool; } >/dev/null || missing+=(prometheus)
  [ -x /usr/sbin/nginx ] || command -v nginx >/dev/null || missing+=(nginx)
  command -v caddy >/dev/null || missing+=(caddy)
  command -v go >/dev/null || [ -x /usr/lib/go/bin/go ] || missing+=(golang-go)
  command -v git >/dev/null || missing+=(git)
  echo "${missing[*]}"
}

missing=$(missing_packages)
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
  # Not fatal here: the suites skip loudly, or fail when CI is set.
  echo "install-test-deps: $missing missing and not root: install with apt-get install $missing" >&2
  exit 0
fi

# Two test runs at once must not race each other into apt; the second re-checks after waiting.
exec 9>/var/lock/cdk8s-grafana-analytics-test-deps.lock
flock -w "$lock_timeout" 9
missing=$(missing_packages)
[ -z "$missing" ] && exit 0

# Keep the packages from starting system services (an nginx or Caddy on :80, a Prometheus on :9090).
# An existing policy-rc.d is set aside and restored, whatever it says.
policy=/usr/sbin/policy-rc.d
backup="$policy.install-test-deps.$$"
[ -e "$policy" ] && mv "$policy" "$backup"
restore_policy() { rm -f "$policy"; if [ -e "$backup" ]; then mv "$backup" "$policy"; fi; }
trap restore_policy EXIT
printf '#!/bin/sh\nexit 101\n' > "$policy"
chmod +x "$policy"

export DEBIAN_FRONTEND=noninteractive
apt_opts=(-o "DPkg::Lock::Timeout=$lock_timeout")

# DPkg::Lock::Timeout covers dpkg's locks (install), not the lists lock of `apt-get update`
# (apt 2.6 fails at once with "Could not get lock /var/lib/apt/lists/lock"): retry that ourselves.
deadline=$((SECONDS + lock_timeout))
until out=$(apt-get "${apt_opts[@]}" update -qq 2>&1); do
  if ! grep -qE 'Could not get lock|Unable to lock' <<<"$out" || [ "$SECONDS" -ge "$deadline" ]; then
    echo "$out" >&2
    exit 1
  fi
  echo "install-test-deps: waiting for another apt run to release its lock" >&2
  sleep 2
done

# shellcheck disable=SC2086 # word splitting of the package list is intended
apt-get "${apt_opts[@]}" install -y -qq --no-install-recommends $missing >/dev/null

missing=$(missing_packages)
if [ -n "$missing" ]; then
  echo "install-test-deps: still missing after apt-get install: $missing" >&2
  exit 1
fi
