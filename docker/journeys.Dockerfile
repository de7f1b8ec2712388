# The journey runner: `standin journeys` (Playwright 1.64.1 driving Debian's
# Chromium 156, the build it targets) against an app and a hub named by URL.
# In docker-compose.test.yml it checks the composed reference target.
#
#   docker build -f docker/journeys.Dockerfile -t standin/journeys .
#   docker run --rm standin/journeys --profile my-app.json --hub http://hub:4700 --target http://app:8080
#
# The exit code is the verdict; reports are written under /src/reports/journeys.
ARG NODE_IMAGE=node:20-bookworm-slim
FROM ${NODE_IMAGE}
WORKDIR /src
# The same first layers as the hub's build stage, so the two builds share the npm install.
COPY package.json package-lock.json ./
RUN npm install --no-audit --no-fund --ignore-scripts
# Playwright's own browser download is not reachable everywhere; Debian's chromium is.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium fonts-liberation \
 && rm -rf /var/lib/apt/lists/*
ENV STANDIN_CHROMIUM=/usr/bin/chromium CI=true
COPY . .
RUN mkdir -p reports test-results && chown -R node:node reports test-results
USER node
ENTRYPOINT ["node", "bin/standin.js", "journeys"]
CMD ["--profile", "scenarios/target/profiles/reference-target.json"]
