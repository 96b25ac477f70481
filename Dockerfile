# webcall in a container: built from this repository, run as a non-root user on a Java 17 runtime.
#   docker build -t webcall . && docker run -p 3000:3000 -p 3478:3478/udp webcall
# With coturn beside it: deploy/compose.yaml.

# --- Build: Maven and npm (the build pins the browser libraries with frontend/package-lock.json) ---
FROM maven:3.9-eclipse-temurin-17 AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends nodejs npm \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pom.xml ./
COPY frontend/package.json frontend/package-lock.json frontend/
COPY src/main src/main
# No tests (they need Chromium, coturn and more; CI runs them) and no Debian package: only the jar.
RUN mvn -B -q -Dmaven.test.skip=true -Ddeb.skip=true package

# --- Run: the JRE only ---
FROM eclipse-temurin:17-jre
RUN useradd --system --uid 10001 --user-group --home-dir /var/lib/webcall --create-home webcall
COPY --from=build /src/target/webcall.jar /opt/webcall/webcall.jar
# Listen on every interface of the container; the self-signed certificate (if any) is kept in the volume.
ENV WEBCALL_HOST=0.0.0.0 \
    WEBCALL_PORT=3000 \
    WEBCALL_DATA_DIR=/var/lib/webcall
VOLUME /var/lib/webcall
USER webcall
# 3000: pages, Socket.IO and PeerJS; 3478/udp: the built-in STUN responder.
EXPOSE 3000 3478/udp
# The image has bash but maybe no curl: a plain HTTP request over bash's /dev/tcp. With TLS on (WEBCALL_TLS_*) the
# plain request is redirected (308), which still shows that the server answers.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${WEBCALL_PORT} && printf 'GET /healthz HTTP/1.0\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -qE ' (200|308) '"]
ENTRYPOINT ["java", "-jar", "/opt/webcall/webcall.jar"]
