#!/usr/bin/env bash
# Runs every test tier on a fresh Debian/Ubuntu machine that has Node 20 and Java 17:
# installs what is missing (saying so), starts the project's own Postgres, Redis x4 and Kafka on
# loopback, runs typecheck, lint, unit, integration and e2e tests, and stops the servers again;
# last, the compose tier runs docker-compose.yml in real containers (podman).
# Set KEEP_INFRA=1 to leave the servers running afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."

PNPM_VERSION=12.4.2
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1 FORCE_COLOR=${FORCE_COLOR:-1}

step() { printf '\n\033[1;36m==> %s\033[0m\n' "$*"; }
have() { command -v "$1" >/dev/null 2>&1; }
postgres_bin() { have initdb || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; }
# Installs Debian packages (as root, or through sudo), saying which.
apt_install() {
  echo "Installing missing system packages: $*"
  local sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "$@"
}

step "Checking prerequisites"
node -e 'const [maj]=process.versions.node.split(".").map(Number); if (maj < 20) { console.error(`Node >= 20 required, found ${process.version}`); process.exit(1) }'
missing=()
postgres_bin || missing+=(postgresql)
have redis-server || missing+=(redis-server)
have java || missing+=(openjdk-17-jre-headless)
have mvn || missing+=(maven)
# nginx: the edge and the lb (pnpm stack, their integration tests); Debian installs it in /usr/sbin.
have nginx || [ -x /usr/sbin/nginx ] || missing+=(nginx)
# The storefront's browser test drives Debian's Chromium (playwright-core never downloads a browser).
[ -x /usr/bin/chromium ] || missing+=(chromium)
if ((${#missing[@]})); then apt_install "${missing[@]}"; fi
echo "node $(node -v), $(java -version 2>&1 | head -1), $(redis-server --version | cut -d' ' -f3)"

if ! have pnpm || [ "$(pnpm -v)" != "$PNPM_VERSION" ]; then
  echo "Installing pnpm $PNPM_VERSION with npm"
  npm install -g --silent "pnpm@$PNPM_VERSION"
fi

step "Installing dependencies (pnpm install --frozen-lockfile)"
pnpm install --frozen-lockfile

step "Building (turbo run build)"
pnpm build

step "Type-checking and linting"
pnpm typecheck
pnpm lint
pnpm format:check

step "Unit tests (turbo run test)"
pnpm test

step "Starting the local infrastructure (pnpm infra:up)"
if [ "${KEEP_INFRA:-0}" != 1 ]; then trap 'step "Stopping the local infrastructure"; pnpm infra:down || true' EXIT; fi
pnpm infra:up

step "Integration tests (real Postgres, Redis, Kafka)"
pnpm test:int

step "End-to-end tests (services as real processes over HTTP)"
pnpm test:e2e

step "Storefront in headless Chromium against a private full stack (edge, gateways, lb, services)"
pnpm test:storefront

step "docker compose up in real containers (podman + docker-compose v1, stand-in base images)"
# podman runs the containers (runc: crun fails on this kernel's hybrid cgroups) and serves the
# Docker API that Debian's docker-compose talks to; debootstrap makes the stand-ins' Debian base.
missing=()
for tool in podman runc docker-compose; do have "$tool" || missing+=("$tool"); done
have debootstrap || [ -x /usr/sbin/debootstrap ] || missing+=(debootstrap)
[ -x /usr/lib/podman/netavark ] || missing+=(netavark)
have iptables || [ -x /usr/sbin/iptables ] || missing+=(iptables) # netavark NATs with iptables
[ -x /usr/lib/podman/aardvark-dns ] || missing+=(aardvark-dns) # container DNS: services by name
if ((${#missing[@]})); then apt_install "${missing[@]}"; fi
pnpm test:compose

step "All tests passed"
