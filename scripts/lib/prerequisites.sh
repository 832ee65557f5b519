# Sourced by test-all.sh and stack.sh: checks the machine and installs what is missing, saying so.
# Debian/Ubuntu with Node 20+ is assumed; system packages come from apt-get (with sudo when not root),
# pnpm from npm.

PNPM_VERSION=12.4.2
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1

step() { printf '\n\033[1;36m==> %s\033[0m\n' "$*"; }
have() { command -v "$1" >/dev/null 2>&1; }
postgres_bin() { have initdb || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; }

require_node() {
  node -e 'const [maj]=process.versions.node.split(".").map(Number); if (maj < 20) { console.error(`Node >= 20 required, found ${process.version}`); process.exit(1) }'
}

# ensure_system_packages [chromium] [containers]: the servers the project starts itself (Postgres,
# Redis, Kafka on Java, nginx) and Maven to fetch Kafka's jars; `chromium` adds the browser the
# storefront test drives; `containers` adds what `pnpm test:compose` runs docker-compose with
# (podman and its network helpers, Debian's docker-compose, debootstrap for the base images).
CONTAINER_PACKAGES=(podman runc netavark aardvark-dns iptables docker-compose debootstrap)
ensure_system_packages() {
  local missing=()
  postgres_bin || missing+=(postgresql)
  have redis-server || missing+=(redis-server)
  have java || missing+=(openjdk-17-jre-headless)
  have mvn || missing+=(maven)
  # nginx: the edge and the lb; Debian installs it in /usr/sbin, which is not on every user's PATH.
  have nginx || [ -x /usr/sbin/nginx ] || missing+=(nginx)
  # playwright-core never downloads a browser: the storefront test drives Debian's Chromium.
  local extra
  for extra in "$@"; do
    case "$extra" in
      chromium) [ -x /usr/bin/chromium ] || missing+=(chromium) ;;
      containers)
        local package
        for package in "${CONTAINER_PACKAGES[@]}"; do
          dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
        done
        ;;
    esac
  done
  if ((${#missing[@]})); then
    echo "Installing missing system packages: ${missing[*]}"
    local sudo_cmd=""
    [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
  echo "node $(node -v), $(java -version 2>&1 | head -1), $(redis-server --version | cut -d' ' -f3)"
}

# The pinned pnpm, installed globally with npm when missing or another version; npm's global bin is
# put on PATH for this script, since it need not be there already (e.g. a user-level npm prefix).
ensure_pnpm() {
  if ! have pnpm || [ "$(pnpm -v)" != "$PNPM_VERSION" ]; then
    echo "Installing pnpm $PNPM_VERSION with npm"
    npm install -g --silent "pnpm@$PNPM_VERSION"
    PATH="$(npm prefix -g)/bin:$PATH"
    hash -r
  fi
}
