# netpulse container: build on Debian 12, then run netpulsed as the unprivileged
# user netpulse with its database on a volume (README.md, "Run it in a container").
#
#   podman build -t netpulse .            (or docker build)
#   podman run -d --name netpulse --network host -v netpulse-db:/var/lib/netpulse
#       -v "$PWD/netpulse.yaml:/etc/netpulse/netpulse.yaml:ro" netpulse   (one line)
#   podman exec netpulse netpulse status
#   podman logs -f netpulse               (the daemon's log and its alerts: stderr)
#   podman kill --signal HUP netpulse     (re-read the configuration)
#
# --network host: the local source watches the host's interfaces (without it, the container's
# own). The volume keeps the database. The configuration is conf/container.yaml unless a file
# is mounted over /etc/netpulse/netpulse.yaml (start from a copy of conf/container.yaml;
# readable by the user netpulse, read-only is fine). Alerts go to the container's log
# (stderr), next to the daemon's own lines.

FROM debian:bookworm-slim AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
	build-essential cmake pkg-config \
	libevent-dev libcurl4-openssl-dev libssh2-1-dev libyaml-dev libsqlite3-dev \
	libjansson-dev libssl-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# The two programs only: the tests run on the host with `make test` (the same Debian 12, with
# the peers they need: openssl, sshd, rsyslogd, namespaces), which also builds this image and
# runs it (tests/integration/test_container.sh).
RUN cmake -S . -B /build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX=/usr \
	-DNP_TESTS=OFF \
 && cmake --build /build -j"$(nproc)" --target netpulsed netpulse_cli
RUN DESTDIR=/out cmake --install /build --strip

FROM debian:bookworm-slim
# Runtime libraries only; tzdata because reports take --tz ZONE (IANA names).
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
	libevent-2.1-7 libevent-openssl-2.1-7 libcurl4 libssh2-1 libyaml-0-2 libsqlite3-0 libjansson4 \
	ca-certificates tzdata \
 && rm -rf /var/lib/apt/lists/*
RUN useradd --system --user-group --home-dir /var/lib/netpulse --no-create-home \
	--shell /usr/sbin/nologin netpulse \
 && install -d -o netpulse -g netpulse -m 0750 /var/lib/netpulse
COPY --from=build /out/usr/sbin/netpulsed /usr/sbin/netpulsed
COPY --from=build /out/usr/bin/netpulse /usr/bin/netpulse
# conf/container.yaml, not the host's default (journald): alerts go to stderr, the container's log.
COPY conf/container.yaml /etc/netpulse/netpulse.yaml
VOLUME /var/lib/netpulse
USER netpulse
WORKDIR /var/lib/netpulse
# Unhealthy when every source is failing or an alert has waited undelivered over 15m.
HEALTHCHECK --interval=60s --timeout=10s --start-period=30s \
	CMD ["/usr/bin/netpulse", "-c", "/etc/netpulse/netpulse.yaml", "health"]
ENTRYPOINT ["/usr/sbin/netpulsed", "--foreground", "-c", "/etc/netpulse/netpulse.yaml"]
