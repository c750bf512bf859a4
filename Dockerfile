# Build: docker build -t yunying .   (docker compose up uses this file)
FROM rust:1-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin yunying

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home-dir /app yunying
COPY --from=build /src/target/release/yunying /usr/local/bin/yunying
USER yunying
WORKDIR /app
ENV YUNYING_BIND=0.0.0.0:8080 RUST_LOG=info
EXPOSE 8080
ENTRYPOINT ["yunying"]
CMD ["serve"]
