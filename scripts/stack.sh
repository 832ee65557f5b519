#!/usr/bin/env bash
# One command on a fresh Debian/Ubuntu machine with Node 20 and Java 17: installs what is missing
# (system packages, pnpm, the workspace's dependencies), saying so, then runs `pnpm stack` with the
# arguments given (e.g. ./scripts/stack.sh --logs orders). Ctrl-C stops the stack.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/prerequisites.sh

step "Checking prerequisites"
require_node
ensure_system_packages
ensure_pnpm

step "Installing dependencies (pnpm install --frozen-lockfile)"
pnpm install --frozen-lockfile

step "Starting the stack (pnpm stack)"
exec pnpm stack "$@"
