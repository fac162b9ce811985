# syntax=docker/dockerfile:1
# AI-Implement in one image: the built orchestrator and everything a session needs (git,
# bubblewrap, the agent CLI, the session bundle). Tag it with package.json's version, which is
# the image the runners look for by default:
#
#   docker build -t ai-implement:0.1.0 .
#   docker run -p 4000:4000 -v ai-implement-data:/data -e ADMIN_ACCESS_CODE=… ai-implement:0.1.0
#
# The orchestrator is the default command (`ai-implement serve`). A session is
# `node /app/dist/session/session.mjs`: the local container runner and Fly machines run that.
# compose.yaml runs it with PostgreSQL. No secret is built in: configuration comes at run time.

# Node 22: the agent CLI needs it (its engines say >=22); the orchestrator supports >=20.19.
ARG NODE_IMAGE=node:22.23.3-bookworm-slim

# --- build: scripts/image/build-steps.sh, which CI also runs on a host without docker ---
FROM ${NODE_IMAGE} AS build
# better-sqlite3 compiles from source when no prebuilt binary matches.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN sh scripts/image/build-steps.sh /out

# --- runtime ---
FROM ${NODE_IMAGE} AS runtime
# The agent CLI, at the version the workflow templates install (AI_IMPLEMENT_AGENT_CLI; a test
# keeps the two equal).
ARG CLAUDE_CODE_VERSION=2.1.328
RUN apt-get update \
 && apt-get install -y --no-install-recommends git bubblewrap ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && npm install --global --no-fund --no-audit "@anthropic-ai/claude-code@${CLAUDE_CODE_VERSION}" \
 && npm cache clean --force \
 && groupadd --gid 10001 ai-implement \
 && useradd --uid 10001 --gid 10001 --create-home --shell /usr/sbin/nologin ai-implement \
 && mkdir -p /data /workspace \
 && chown ai-implement:ai-implement /data /workspace \
 && chmod 0700 /data
# The packed package, its lockfile and production dependencies; owned by root, so the
# orchestrator and its sessions cannot change their own code.
COPY --from=build /out/app /app
RUN bin="/app/$(node -p "require('/app/package.json').bin['ai-implement']")" \
 && chmod 0755 "$bin" \
 && ln -s "$bin" /usr/local/bin/ai-implement \
 && test -f /app/dist/session/session.mjs

ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=4000 \
    DATA_DIR=/data \
    AI_IMPLEMENT_WORKSPACE_DIR=/workspace
USER 10001:10001
WORKDIR /home/ai-implement
VOLUME ["/data"]
EXPOSE 4000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["ai-implement", "serve"]
