# The standin hub: every provider simulator on its port and the control plane +
# dashboard, as compiled JavaScript on Node 20, run as the unprivileged `node` user.
#
#   docker build -f docker/hub.Dockerfile -t standin/hub .
#   docker run --rm -p 4700-4706:4700-4706 -e STANDIN_CONTROL_TOKEN=secret standin/hub
#
# Every setting is a STANDIN_* variable (README "The hub and its CLI"): ports
# (STANDIN_PORT, STANDIN_TWILIO_PORT, …), seed, time scale, webhooks, presets.
# Bound to 0.0.0.0 in a container, the control plane requires STANDIN_CONTROL_TOKEN.
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
# Scripts off: the compiler needs none of the dev packages' install steps (esbuild, msw).
RUN npm install --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY bin bin
COPY scripts scripts
COPY simulators simulators
COPY scenarios scenarios
COPY reference-target reference-target
COPY fixtures fixtures
RUN bash scripts/build.sh && npm prune --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    STANDIN_HOST=0.0.0.0 \
    STANDIN_PORT=4700 \
    STANDIN_PRESETS_DIR=/app/scenarios/presets
WORKDIR /app
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules node_modules
COPY --from=build /src/dist dist
COPY --from=build /src/bin bin
COPY scenarios/presets scenarios/presets
COPY docker/healthcheck.mjs /app/healthcheck.mjs
USER node
# The defaults; each moves with its STANDIN_*_PORT variable.
EXPOSE 4700 4701 4702 4703 4704 4705 4706
HEALTHCHECK --interval=5s --timeout=4s --start-period=20s --retries=3 CMD ["node", "/app/healthcheck.mjs"]
ENTRYPOINT ["node", "/app/bin/standin.js"]
CMD ["up"]
