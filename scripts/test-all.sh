#!/usr/bin/env bash
# Runs every test tier on a fresh Debian/Ubuntu machine that has Node 20 and Java 17:
# installs what is missing (saying so), starts the project's own Postgres, Redis x4 and Kafka on
# loopback, runs typecheck, lint, unit, integration and e2e tests, and stops the servers again.
# Set KEEP_INFRA=1 to leave the servers running afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/lib/prerequisites.sh
export FORCE_COLOR=${FORCE_COLOR:-1}

step "Checking prerequisites"
require_node
ensure_system_packages chromium containers
ensure_pnpm

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

step "Hostile input: generated requests from the OpenAPI document against a private full stack (no 5xx, no write on a 4xx)"
pnpm test:fuzz

step "The README's run commands as written: pnpm stack (Ctrl-C), ./scripts/stack.sh without pnpm, infra:*, every table row"
pnpm test:commands

step "docker compose up in real containers: every image built, the project's compose file as written, checked through the edge port"
pnpm test:compose

step "All tests passed"
