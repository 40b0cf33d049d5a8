import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ArchiveFile } from '../../docker/archive.js';
import type { ImageRecipe } from '../../docker/images.js';
import { CASSANDRA_VERSION, JVM_OPTIONS, PATHS } from './config.js';

/**
 * The Cassandra image. Debian has no Cassandra package, so a build stage resolves
 * `org.apache.cassandra:cassandra-all` and its dependencies from Maven Central with Debian's
 * Maven (Maven Central is reachable from containers through Docker's NAT, as Debian's mirror
 * is); the final stage holds only Debian's Java 17 runtime, the jars and our start script. Users
 * need nothing but Docker. The server is not started by the image: the store starts it with
 * exec, so a killed node restarts in the same container with its data.
 */

/** Just enough of a project for `mvn dependency:copy-dependencies` to fetch the server's jars. */
const POM = `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dscheck</groupId>
  <artifactId>cassandra-server</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.apache.cassandra</groupId>
      <artifactId>cassandra-all</artifactId>
      <version>${CASSANDRA_VERSION}</version>
    </dependency>
  </dependencies>
  <build>
    <plugins>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-dependency-plugin</artifactId>
        <version>3.8.1</version>
      </plugin>
    </plugins>
  </build>
</project>
`;

/**
 * Log files the report collects: system.log (INFO and up), debug.log (DEBUG for Cassandra's own
 * classes) and, from the JVM flags, gc.log. Smaller and simpler than the release's logback.xml:
 * no rolling (a run lasts minutes), no console appender (the output goes to a file anyway).
 */
const LOGBACK = `<configuration scan="false">
  <appender name="SYSTEMLOG" class="ch.qos.logback.core.FileAppender">
    <file>${PATHS.logDir}/system.log</file>
    <filter class="ch.qos.logback.classic.filter.ThresholdFilter"><level>INFO</level></filter>
    <encoder><pattern>%-5level [%thread] %date{ISO8601} %F:%L - %msg%n</pattern></encoder>
  </appender>
  <appender name="DEBUGLOG" class="ch.qos.logback.core.FileAppender">
    <file>${PATHS.logDir}/debug.log</file>
    <encoder><pattern>%-5level [%thread] %date{ISO8601} %F:%L - %msg%n</pattern></encoder>
  </appender>
  <root level="INFO">
    <appender-ref ref="SYSTEMLOG" />
    <appender-ref ref="DEBUGLOG" />
  </root>
  <logger name="org.apache.cassandra" level="DEBUG" />
</configuration>
`;

/**
 * Starts the daemon in the background (the exec that runs this returns at once) with the flags
 * of jvm.options, the jamm agent found among the jars, and our config files; writes its pid.
 */
const START_SCRIPT = `#!/bin/sh
set -eu
jamm=$(ls ${PATHS.libDir}/jamm-*.jar)
flags=$(grep '^-' ${PATHS.jvmOptions})
cd ${PATHS.dataDir}
# shellcheck disable=SC2086 # one flag per word is what we want
java $flags -javaagent:"$jamm" \\
  -Dcassandra.config=file://${PATHS.config} \\
  -Dlogback.configurationFile=${PATHS.logback} \\
  -Dcassandra.logdir=${PATHS.logDir} -Dcassandra.storagedir=${PATHS.dataDir} \\
  -cp "${PATHS.confDir}:${PATHS.libDir}/*" org.apache.cassandra.service.CassandraDaemon \\
  >>${PATHS.logDir}/output.log 2>&1 </dev/null &
echo $! >${PATHS.pid}
`;

/** Where Debian keeps the certificate authorities an administrator added. */
const LOCAL_CA_DIR = '/usr/local/share/ca-certificates';

/**
 * Behind a TLS-intercepting proxy Maven Central answers with the proxy's certificate, which the
 * host trusts and a fresh container does not. The CAs the host's administrator added are
 * therefore trusted in the build stage, and only there: the final image never sees them.
 */
function hostAddedCas(): ArchiveFile[] {
  let names: string[];
  try {
    names = readdirSync(LOCAL_CA_DIR).filter((name) => name.endsWith('.crt'));
  } catch {
    return [];
  }
  return names
    .sort()
    .map((name) => ({ path: `extra-ca/${name}`, content: readFileSync(join(LOCAL_CA_DIR, name)) }));
}

let recipe: ImageRecipe | undefined;

/** The recipe, read once: it depends on the host's added CAs (see hostAddedCas). */
export function cassandraImage(): ImageRecipe {
  recipe ??= {
    store: 'cassandra',
    dockerfile: [
      'FROM base AS jars',
      'ENV DEBIAN_FRONTEND=noninteractive',
      'RUN apt-get update \\',
      ' && apt-get install -y --no-install-recommends maven openjdk-17-jdk-headless ca-certificates-java \\',
      ' && rm -rf /var/lib/apt/lists/*',
      'COPY extra-ca/ /usr/local/share/ca-certificates/',
      'RUN update-ca-certificates',
      'COPY pom.xml /build/pom.xml',
      // -B -ntp: one line per artifact instead of a progress bar, so the build's output shows progress.
      'RUN cd /build && mvn -B -ntp dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory=/build/lib',
      'FROM base',
      'ENV DEBIAN_FRONTEND=noninteractive',
      "RUN printf '#!/bin/sh\\nexit 101\\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d",
      'RUN apt-get update \\',
      ' && apt-get install -y --no-install-recommends openjdk-17-jre-headless iptables procps iproute2 \\',
      ' && rm -rf /var/lib/apt/lists/*',
      `COPY --from=jars /build/lib ${PATHS.libDir}`,
      `COPY jvm.options logback.xml ${PATHS.confDir}/`,
      'COPY cassandra-start /usr/local/bin/cassandra-start',
      `RUN mkdir -p ${PATHS.dataDir} ${PATHS.logDir} && ls ${PATHS.libDir} | grep -q '^jamm-' && java -version`,
      'CMD ["sleep", "infinity"]',
      '',
    ].join('\n'),
    files: [
      { path: 'pom.xml', content: POM },
      { path: 'jvm.options', content: `${JVM_OPTIONS.join('\n')}\n` },
      { path: 'logback.xml', content: LOGBACK },
      { path: 'cassandra-start', content: START_SCRIPT, mode: 0o755 },
      // COPY needs the folder to exist even when the host added no CA.
      { path: 'extra-ca/README', content: 'CAs the host added, trusted while the jars are fetched.\n' },
      ...hostAddedCas(),
    ],
  };
  return recipe;
}
