# itk-router: multi-stage build. No Docker engine runs on the project's CI machines, so this file
# is kept simple and checked by reading; see README.md.

# ---- build: compile TypeScript and the native SQLite module ----
FROM node:20-bookworm-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts \
 && npm rebuild better-sqlite3
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY bench ./bench
RUN npm run build \
 && npm prune --omit=dev --ignore-scripts

# ---- runtime: dist/, schemas/, config/, routes/, migrations/ only; non-root ----
FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY schemas ./schemas
COPY config ./config
COPY routes ./routes
COPY migrations ./migrations
COPY assets ./assets
RUN mkdir -p /app/var && chown node:node /app/var
USER node
ENV ITK_ROUTER_HTTP_PORT=8080
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:8080/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["node", "bin/itk-router.js"]
CMD ["start", "--config", "config/router.yaml"]
