# syntax=docker/dockerfile:1.7
# One image per NestJS app: docker build -f infra/docker/service.Dockerfile --build-arg APP=catalog .
# turbo prune keeps only the app and the workspace packages it uses, so a change elsewhere in the
# monorepo does not invalidate this app's layers; the pnpm store is a BuildKit cache mount.
ARG NODE_IMAGE=node:20.19.4-bookworm-slim

FROM ${NODE_IMAGE} AS base
ENV PNPM_HOME=/pnpm PATH=/pnpm:$PATH CI=true
RUN npm install -g pnpm@12.4.2 turbo@2.11.11 && npm cache clean --force
WORKDIR /repo

# 1. The app's slice of the monorepo: out/json (package.json files + pruned lockfile), out/full (sources).
FROM base AS pruner
ARG APP
COPY . .
RUN turbo prune @sdp/${APP} --docker --out-dir /out

# 2. Every dependency (dev ones too: swc builds), then the build of the app and its workspace libs.
FROM base AS builder
ARG APP
COPY --from=pruner /out/json/ .
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store pnpm install --frozen-lockfile --store-dir /pnpm/store
COPY --from=pruner /out/full/ .
COPY tsconfig.base.json .swcrc ./
# The install above is fresh: without this, each package's `pnpm run build` checks its dependencies
# again, reinstalls, and the parallel reinstalls race on esbuild's postinstall (a failed image build).
ENV pnpm_config_verify_deps_before_run=false
RUN turbo run build --filter=@sdp/${APP}
# Only the build output travels on (dist/ of the app and of each workspace lib it uses).
RUN mkdir /built && find apps libs -path '*/node_modules' -prune -o -type d -name dist -print \
      | xargs -r -I{} cp -r --parents {} /built

# 3. Production dependencies only.
FROM base AS prod-deps
COPY --from=pruner /out/json/ .
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store \
    pnpm install --frozen-lockfile --prod --ignore-scripts --store-dir /pnpm/store

# 4. The runtime: node, production node_modules, dist/. No sources, no compilers, no secrets.
FROM ${NODE_IMAGE} AS runner
ARG APP
ENV NODE_ENV=production APP=${APP} HOST=0.0.0.0
WORKDIR /app
COPY --from=prod-deps --chown=node:node /repo/ ./
COPY --from=builder --chown=node:node /built/ ./
WORKDIR /app/apps/${APP}
USER node
# PORT comes from the environment (compose sets each service's topology port); /health is liveness.
# A bash probe rather than `node -e`: no second Node process per probe (CPU, and the memory limit).
HEALTHCHECK --interval=10s --timeout=10s --start-period=40s --retries=5 \
  CMD bash -c 'exec 3<>/dev/tcp/127.0.0.1/${PORT:-3000} && printf "GET /health HTTP/1.0\r\n\r\n" >&3 && head -c 12 <&3 | grep -q " 200"'
# Each replica names itself after its container (x-instance-id shows which replica answered).
CMD ["sh", "-c", "INSTANCE_ID=${INSTANCE_ID:-$APP-$(hostname)} exec node dist/main.js"]
