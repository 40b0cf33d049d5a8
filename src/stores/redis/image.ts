import type { ImageRecipe } from '../../docker/images.js';

/**
 * The Redis image: Debian bookworm's redis-server 7.0 and redis-sentinel, plus iptables for the
 * network nemesis. Servers are not started by the image: the store starts them with exec, so a
 * killed server can be restarted inside the same container with the same data directory.
 */
export const REDIS_IMAGE: ImageRecipe = {
  store: 'redis',
  dockerfile: [
    'ENV DEBIAN_FRONTEND=noninteractive',
    // Package scripts must not try to start services in an image build.
    "RUN printf '#!/bin/sh\\nexit 101\\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d",
    'RUN apt-get update \\',
    ' && apt-get install -y --no-install-recommends redis-server redis-sentinel redis-tools iptables procps iproute2 \\',
    ' && rm -rf /var/lib/apt/lists/* \\',
    ' && mkdir -p /var/lib/redis /var/log/redis /run/redis /etc/dscheck \\',
    ' && chown -R redis:redis /var/lib/redis /var/log/redis /run/redis',
    'CMD ["sleep", "infinity"]',
    '',
  ].join('\n'),
};
