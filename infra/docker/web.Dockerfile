# syntax=docker/dockerfile:1.7
# The edge image: the official nginx image plus the storefront build (apps/web/dist) as its web root.
# Its config is mounted by docker-compose.yml (infra/compose/nginx, rendered from infra/nginx).
ARG NODE_IMAGE=node:20.19.4-bookworm-slim

FROM ${NODE_IMAGE} AS base
ENV PNPM_HOME=/pnpm PATH=/pnpm:$PATH CI=true
RUN npm install -g pnpm@12.4.2 turbo@2.11.11 && npm cache clean --force
WORKDIR /repo

FROM base AS pruner
COPY . .
RUN turbo prune @sdp/web --docker --out-dir /out

FROM base AS builder
COPY --from=pruner /out/json/ .
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store pnpm install --frozen-lockfile --store-dir /pnpm/store
COPY --from=pruner /out/full/ .
COPY tsconfig.base.json .swcrc ./
# The install above is fresh: without this, each package's `pnpm run build` checks its dependencies
# again, reinstalls, and the parallel reinstalls race on esbuild's postinstall (a failed image build).
ENV pnpm_config_verify_deps_before_run=false
RUN turbo run build --filter=@sdp/web

FROM nginx:1.28.0-alpine AS edge
COPY --from=builder /repo/apps/web/dist/ /usr/share/nginx/html/
# nginx creates its temp and cache directories but not their parents; the image's envsubst step
# writes the rendered config into /etc/nginx/sdp, which must exist and be writable.
RUN mkdir -p /var/cache/nginx/sdp-edge/temp /etc/nginx/sdp && chown -R nginx:nginx /var/cache/nginx/sdp-edge
HEALTHCHECK --interval=5s --timeout=3s --retries=10 \
  CMD wget -qO- http://127.0.0.1:8080/nginx-health > /dev/null || exit 1
