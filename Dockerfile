# This tool's own image: `dynamo-netcheck monitor --live …` as deploy/monitor runs it, and
# `probe --dial-image` (`probe --l7` needs none: it speaks the same protocols with the stock busybox
# image) — `dial` (NATS + JetStream through the official client, Prometheus readiness, etcd
# health). A non-root user under Pod Security "restricted".
#   docker build -t dynamo-netcheck .
#   dynamo-netcheck probe <snapshot> --dial-image <registry>/dynamo-netcheck:<tag>
FROM node:22-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM node:22-bookworm-slim
ENV NODE_ENV=production NO_COLOR=1
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY bin ./bin
COPY src ./src
# The probe pod's command is `dynamo-netcheck dial …`.
RUN ln -s /app/bin/dynamo-netcheck /usr/local/bin/dynamo-netcheck
# 65534 (nobody), the uid the probe pod's securityContext asks for.
USER 65534:65534
ENTRYPOINT ["dynamo-netcheck"]
CMD ["--help"]
