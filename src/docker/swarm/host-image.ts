import type { ImageRecipe } from '../images.js';

/**
 * A stand-in for a separate machine in tests: Debian's Docker engine (docker.io, which brings
 * containerd, runc and tini for `--init`) plus iptables, which the inner engine needs for its own
 * bridge and overlay networks. Built from the base image like every store image.
 */
export const HOST_IMAGE: ImageRecipe = {
  store: 'host',
  dockerfile: [
    'ENV DEBIAN_FRONTEND=noninteractive',
    "RUN printf '#!/bin/sh\\nexit 101\\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d",
    'RUN apt-get update \\',
    ' && apt-get install -y --no-install-recommends docker.io iptables ca-certificates procps iproute2 \\',
    ' && rm -rf /var/lib/apt/lists/*',
    'CMD ["dockerd"]',
    '',
  ].join('\n'),
};
