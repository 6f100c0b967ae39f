# One image for order-api, order-worker, websocket-notifier and the migrate/seed tools; the command picks one.
#   docker build -t seckill .
#   docker run --rm seckill                                     (order-api, the default)
#   docker run --rm seckill node dist/apps/order-worker/src/main.js
# NODE_ENV=production: the apps then refuse default secrets and guest credentials (docker-compose.yml sets
# development values for the local stack).

# ---- build: full dependencies, compile with tsc (scripts/build.mjs), then drop dev dependencies -------------
FROM node:20-bookworm-slim AS build
WORKDIR /app
# Dependencies first so this layer stays cached while only sources change.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
# Compile (the browser pages land in dist/web/, where order-api serves them from), drop the compiled tests
# and what only the compiler reads (declarations, build info), then the dev dependencies.
RUN node scripts/build.mjs \
  && find dist \( -name '*.spec.js' -o -name '*.spec.js.map' -o -name '*.d.ts' -o -name '*.d.ts.map' -o -name '*.tsbuildinfo' \) -delete \
  && rm -rf dist/e2e \
  && npm prune --omit=dev --no-audit --no-fund

# ---- runtime: only what `node dist/...` needs ----------------------------------------------------------------
FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./package.json
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
USER node
EXPOSE 3000 3001 8085
# Node as PID 1 gets SIGTERM from `docker stop` directly; the apps shut down gracefully on it.
CMD ["node", "dist/apps/order-api/src/main.js"]
