# The skill as a container: a static binary on distroless, run as non-root.
#
#   docker build -t voicepay-skill .
#   docker run --rm voicepay-skill version
#
# Build stage: CGO off, so the binary links nothing from the image it runs on.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -buildvcs=auto -ldflags="-s -w" -o /out/skill ./cmd/skill

# Run stage: no shell, no package manager; uid 65532 (nonroot).
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/skill /skill
# serve needs SKILL_ID, SKILL_CATALOG (mount your catalog), SKILL_PUBLIC_URL
# and the keys: see deploy/compose.yaml and deploy/k8s/skill.yaml.
ENV SKILL_ADDR=:8080 \
    SKILL_OPS_ADDR=:9090 \
    SKILL_DATA=/data \
    SKILL_LOG_FORMAT=json
USER nonroot:nonroot
VOLUME ["/data"]
# 8080: the platform and phones (put TLS in front, or set SKILL_TLS_CERT);
# 9090: /metrics, /healthz, /readyz, /debug/pprof, the admin API (keep it private).
EXPOSE 8080 9090
ENTRYPOINT ["/skill"]
CMD ["serve"]
