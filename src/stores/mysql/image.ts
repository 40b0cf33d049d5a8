import type { ImageRecipe } from '../../docker/images.js';
import { FAKETIME_PACKAGE } from '../faketime.js';

/** The account replication, state transfers and the failover tool use; created at image build. */
export const ADMIN_USER = 'dscheck';
/**
 * The account the workload's clients use. It lacks READ_ONLY ADMIN (which ALL PRIVILEGES carries
 * since MariaDB 10.11), so `read_only=1` on a replica refuses its writes, as it would refuse an
 * application's.
 */
export const CLIENT_USER = 'client';
/** Both accounts' password: the servers are reachable only on the run's private network. */
export const PASSWORD = 'dscheck';
/** The database holding each run's tables. */
export const DATABASE = 'dscheck';

/**
 * SQL run once at image build, against the freshly initialised data directory: an account that
 * may connect from anywhere (the host's bridge address for clients, the peers for replication
 * and Galera's state transfers). It is written before any binary log exists, so it is part of
 * every node's initial state and never replicated.
 */
const SETUP_SQL = [
  `CREATE USER '${ADMIN_USER}'@'%' IDENTIFIED BY '${PASSWORD}';`,
  `GRANT ALL PRIVILEGES ON *.* TO '${ADMIN_USER}'@'%' WITH GRANT OPTION;`,
  `CREATE USER '${CLIENT_USER}'@'%' IDENTIFIED BY '${PASSWORD}';`,
  `GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, DROP ON ${DATABASE}.* TO '${CLIENT_USER}'@'%';`,
  `CREATE DATABASE ${DATABASE};`,
  'FLUSH PRIVILEGES;',
].join(' ');

/**
 * The MariaDB image: Debian bookworm's mariadb-server 10.11 with galera-4 and rsync (Galera's
 * state transfer), plus iptables for the network nemesis and libfaketime for the clock nemesis. The data directory is initialised here
 * (mariadb-install-db), so a run starts servers, not installations. Servers are started by the
 * store with exec, so a killed server restarts in the same container with the same data.
 */
export const MYSQL_IMAGE: ImageRecipe = {
  store: 'mysql',
  dockerfile: [
    'ENV DEBIAN_FRONTEND=noninteractive',
    // Package scripts must not try to start services in an image build.
    "RUN printf '#!/bin/sh\\nexit 101\\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d",
    'RUN apt-get update \\',
    ` && apt-get install -y --no-install-recommends mariadb-server mariadb-client galera-4 rsync lsof iptables procps iproute2 ${FAKETIME_PACKAGE} \\`,
    ' && rm -rf /var/lib/apt/lists/* /var/lib/mysql/* \\',
    ' && mkdir -p /etc/dscheck /var/log/mysql /run/mysqld \\',
    ' && chown -R mysql:mysql /var/lib/mysql /var/log/mysql /run/mysqld',
    // A small redo log: Galera's rsync state transfer copies it to every joining node.
    'RUN mariadb-install-db --user=mysql --datadir=/var/lib/mysql --skip-test-db --innodb-log-file-size=16M > /dev/null \\',
    ' && (mariadbd --user=mysql --datadir=/var/lib/mysql --skip-networking --innodb-log-file-size=16M --socket=/run/mysqld/mysqld.sock &) \\',
    ' && for i in $(seq 1 60); do mariadb-admin --socket=/run/mysqld/mysqld.sock ping > /dev/null 2>&1 && break; sleep 0.5; done \\',
    ` && mariadb --socket=/run/mysqld/mysqld.sock -e "${SETUP_SQL}" \\`,
    ' && mariadb-admin --socket=/run/mysqld/mysqld.sock shutdown \\',
    ' && rm -f /var/lib/mysql/*.pid',
    'CMD ["sleep", "infinity"]',
    '',
  ].join('\n'),
};
