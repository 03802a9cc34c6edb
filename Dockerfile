# One image for every recurate service (scorer, trainer, orchestrator): the cli and its class path.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
RUN ./mvnw -B -q -DskipTests package -pl cli -am

FROM eclipse-temurin:17-jre
WORKDIR /opt/recurate
COPY --from=build /src/cli/target/recurate-cli.jar /opt/recurate/
COPY --from=build /src/cli/target/lib /opt/recurate/lib
ENV RECURATE_HOME=/var/lib/recurate
ENTRYPOINT ["java", "-cp", "/opt/recurate/recurate-cli.jar:/opt/recurate/lib/*", "io.recurate.cli.Main"]
CMD ["--help"]
