# The tailstream image: docker build -t tailstream .   (deploy/k8s expects it as `tailstream`)
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -ntp dependency:go-offline
COPY src src
COPY examples examples
RUN mvn -B -ntp package -DskipTests

FROM eclipse-temurin:17-jre
# Non-root, numeric (runAsNonRoot checks the number); the root filesystem can be read-only:
# state goes to /var/lib/tailstream, RocksDB unpacks its native library into /tmp.
RUN groupadd --system --gid 10001 tailstream \
    && useradd --system --uid 10001 --gid 10001 --no-create-home tailstream \
    && mkdir -p /var/lib/tailstream /etc/tailstream \
    && chown 10001:10001 /var/lib/tailstream
# The runtime jar only: no broker, no Scala, no tools (those are in tailstream-tools.jar).
COPY --from=build /src/target/tailstream.jar /opt/tailstream/tailstream.jar
USER 10001:10001
EXPOSE 8080
ENTRYPOINT ["java", "-jar", "/opt/tailstream/tailstream.jar"]
CMD ["run", "--config", "/etc/tailstream/tailstream.yaml"]
