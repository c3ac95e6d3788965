# Musaed container image (issue #21, "For operators"). Two stages: the build stage installs
# every dependency, compiles TypeScript to dist/, trains the understanding model once, bundles
# the app into dist/bot/server.cjs and saves its V8 code cache (npm run build; both stages use
# the same NODE_IMAGE, so the cache fits the runtime's Node), then drops the dev dependencies;
# the runtime stage gets package.json, the production node_modules and dist/ only, owned by
# root and run as the unprivileged `node` user. scripts/image-steps.sh runs these same steps without Docker (see README, "Operations").
#
# Node ≥ 20.18.1 (package.json "engines"). Pin the base by digest in your own registry:
#   docker build --build-arg NODE_IMAGE=node:20-bookworm-slim@sha256:… .
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY bot ./bot
COPY dialogs ./dialogs
COPY adapters ./adapters
COPY sim ./sim
COPY locales ./locales
COPY web ./web
# typescript survives the prune (i18next names it as an optional peer); the app never loads it.
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3978
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The app writes nothing to disk: the image's files stay root's, read-only to the process.
USER node
EXPOSE 3978
# Liveness only (/healthz needs no token); readiness (/readyz, with OPS_TOKEN) is for the
# orchestrator. start-period covers the start from dist (about a second, see README).
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3978)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
STOPSIGNAL SIGTERM
CMD ["node", "dist/bot/start.js"]
