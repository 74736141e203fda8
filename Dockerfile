# The image `probe --l7` runs in every node group: this tool's own `dial` (NATS + JetStream,
# Prometheus readiness + query, etcd health), as a non-root user under Pod Security "restricted";
# and the image deploy/monitor runs (`dynamo-netcheck monitor --live …`).
#   docker build -t dynamo-netcheck .
#   dynamo-netcheck probe <snapshot> --l7 --image <registry>/dynamo-netcheck:<tag>
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
