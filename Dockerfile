# Elämäni peli online in a container: the server with the browser client
# inside, one static binary on a minimal base, run as a non-root user.
#
#   docker build -t elamanipeli --build-arg VERSION=v1.2.0 --build-arg COMMIT=$(git rev-parse HEAD) .
#   docker run -d --name elamanipeli -p 127.0.0.1:8080:8080 -v elamanipeli:/data \
#       -e PUBLIC_URL=https://peli.example.org --stop-timeout 30 elamanipeli -trust-proxy
#
# The build downloads Go modules and nothing else. Rooms are kept in the
# volume /data (the rooms in /data/rooms, the key that seals them in
# /data/rooms.key, beside it). On `docker stop` the server gets SIGTERM
# itself (it is PID 1, started without a shell) and writes every room down
# within about 20 s: give it 30 (--stop-timeout 30, or stop_grace_period in
# Compose).

FROM golang:1.26 AS build
# The image pins its own Go (GOTOOLCHAIN=local); should it be older than
# go.mod's go line, fetch that toolchain, itself a Go module, rather than fail.
ENV GOTOOLCHAIN=auto
WORKDIR /src
# The modules first, so that a change to the source reuses their layer.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
ARG COMMIT=
# The release test (internal/e2e/release_test.go) runs this same command.
RUN go run ./internal/release -server-only -o /out -version "$VERSION" -commit "$COMMIT"
# The volume's folder, owned by the user the server runs as (nonroot, 65532).
RUN mkdir /data && chown 65532:65532 /data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/elamanipeli-server /elamanipeli-server
COPY --from=build --chown=65532:65532 /data /data
USER 65532:65532
ENV PORT=8080
EXPOSE 8080
VOLUME ["/data"]
# A minimal image has no curl: the server asks itself, on $PORT.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 CMD ["/elamanipeli-server", "-health"]
# With a memory limit on the container (docker run --memory, Kubernetes'
# limits), the collector lets the heap grow to half of it (README, "Memory").
ENTRYPOINT ["/elamanipeli-server", "-data", "/data/rooms", "-memory-limit", "auto"]
