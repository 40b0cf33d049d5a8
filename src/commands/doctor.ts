import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { connectDocker, engineAddress, unreachableAdvice } from '../docker/client.js';
import { startThrowaway } from '../docker/containers.js';
import { execIn } from '../docker/exec.js';
import { baseImageTag, imageExists, imageTag, listImages } from '../docker/images.js';
import { LABEL, runLabels } from '../docker/labels.js';
import { errorText } from '../docker/log.js';
import { type SwarmFinding, swarmCheck } from '../docker/swarm/check.js';
import { type Engine, engineAt, parseEndpoints } from '../docker/swarm/endpoints.js';
import { imagesOnHosts } from '../docker/swarm/images.js';
import { createOverlayNetwork } from '../docker/swarm/overlay.js';
import { EXIT, ExitError } from '../errors.js';
import { HOSTS_OPTION } from '../run/options.js';
import { recipesOf } from './images.js';

export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface DoctorCheck {
  name: string;
  status: CheckStatus;
  detail: string;
  /** What to do about it, when it is not ok. */
  fix?: string;
}

export interface DoctorOptions {
  json?: boolean;
  /** The engines of a Swarm to check as well (`--hosts`), as the user wrote them. */
  hosts?: string;
}

/** `dscheck doctor`: is this machine ready to run dscheck, and if not, what to do. Exit 1 on a failure. */
export async function doctor(
  options: DoctorOptions,
  out: NodeJS.WritableStream = process.stdout,
): Promise<void> {
  const hosts = HOSTS_OPTION.read(options.hosts);
  const checks = [...(await runChecks()), ...(hosts === undefined ? [] : await hostsChecks(hosts))];
  if (options.json) {
    out.write(`${JSON.stringify(checks)}\n`);
  } else {
    for (const c of checks) {
      out.write(`${c.status.toUpperCase().padEnd(4)}  ${c.name}: ${c.detail}\n`);
      if (c.fix) out.write(`      fix: ${c.fix}\n`);
    }
  }
  const failed = checks.filter((c) => c.status === 'fail').length;
  if (failed > 0) throw new ExitError(EXIT.invalid, `${failed} check(s) failed`);
}

export async function runChecks(): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [await socketCheck()];
  let version: string;
  try {
    const docker = await connectDocker();
    version = (await docker.version()).Version;
    checks.push({ name: 'Docker engine', status: 'ok', detail: `${version} at ${engineAddress()}` });
  } catch (err) {
    checks.push({ name: 'Docker engine', status: 'fail', detail: 'not reachable', fix: errorText(err) });
    checks.push(await debootstrapCheck(false));
    return checks;
  }
  const baseThere = await imageExists(baseImageTag());
  checks.push(...(await imageChecks()), await iptablesCheck(), await debootstrapCheck(baseThere));
  return checks;
}

/**
 * Each engine of `--hosts`: reachable, in one Swarm with a manager, same engine version, the
 * current images present, iptables inside a container, and an overlay network creatable.
 */
export async function hostsChecks(hosts: string): Promise<DoctorCheck[]> {
  const engines = parseEndpoints(hosts).map((endpoint) => engineAt(endpoint));
  const tags = recipesOf().map(imageTag);
  const reachable = (await swarmCheck(engines)).filter((f) => f.check === 'reachable' && f.ok);
  const answering = engines.filter((e) => reachable.some((f) => f.host === e.name));
  const states = await imagesOnHosts(answering, tags);
  // iptables is tried with a store image every answering host already has (they all bring iptables).
  const probeImage = tags.find((tag) => states.every((s) => s.present.includes(tag)));
  const findings = await swarmCheck(engines, { probeImage });
  const checks: DoctorCheck[] = findings.map(hostCheck);
  if (probeImage === undefined) {
    checks.push({
      name: 'hosts: iptables in a container',
      status: 'warn',
      detail: 'skipped: no store image is on every host yet',
      fix: `dscheck images build --hosts ${hosts}`,
    });
  }
  checks.push(
    ...states.map(
      (state): DoctorCheck =>
        state.missing.length === 0
          ? { name: `${state.host}: images`, status: 'ok', detail: `all ${tags.length} current` }
          : {
              name: `${state.host}: images`,
              status: 'warn',
              detail: `lacks ${state.missing.join(', ')}`,
              fix: `dscheck images build --hosts ${hosts} (dscheck run also copies them, but the run then waits)`,
            },
    ),
  );
  if (findings.every((f) => f.ok)) checks.push(await overlayCheck(engines, findings));
  return checks;
}

function hostCheck(finding: SwarmFinding): DoctorCheck {
  return {
    name: `${finding.host}: ${finding.check}`,
    status: finding.ok ? 'ok' : 'fail',
    detail: finding.detail,
    ...(finding.ok ? {} : { fix: SWARM_FIXES[finding.check] }),
  };
}

const SWARM_FIXES: Record<SwarmFinding['check'], string> = {
  reachable:
    'start the engine, or check the endpoint (ssh key in the agent, DOCKER_CERT_PATH for tcp with TLS)',
  swarm: "join every host to one Swarm: 'docker swarm init' on one, 'docker swarm join' on the others",
  manager: "list at least one manager of the Swarm in --hosts ('docker node ls' on a manager shows them)",
  version: 'run the same Docker engine major version on every host',
  iptables: 'the host kernel needs netfilter with the statistic match, and containers need NET_ADMIN',
};

/** Creates and removes an attachable overlay through the manager, as a run does. */
async function overlayCheck(
  engines: readonly Engine[],
  findings: readonly SwarmFinding[],
): Promise<DoctorCheck> {
  const name = 'hosts: overlay network';
  const managerName = findings.find((f) => f.check === 'manager' && f.ok)?.host;
  const manager = engines.find((e) => e.name === managerName) ?? engines[0];
  const runId = `doctor-${process.pid}-${Date.now().toString(36)}`;
  try {
    const network = await createOverlayNetwork(runId, runLabels(runId), manager, engines);
    await network.remove();
    return { name, status: 'ok', detail: `an attachable overlay can be created through ${manager.name}` };
  } catch (err) {
    return {
      name,
      status: 'fail',
      detail: errorText(err),
      fix: 'the hosts must reach each other on 2377/tcp, 7946/tcp+udp and 4789/udp (Swarm overlay traffic)',
    };
  }
}

async function socketCheck(): Promise<DoctorCheck> {
  const address = engineAddress();
  const path = address.startsWith('unix://') ? address.slice('unix://'.length) : address;
  if (!path.startsWith('/'))
    return { name: 'Docker socket', status: 'ok', detail: `remote engine ${address}` };
  try {
    await access(path, constants.R_OK | constants.W_OK);
    return { name: 'Docker socket', status: 'ok', detail: `${path} is readable and writable` };
  } catch (err) {
    return {
      name: 'Docker socket',
      status: 'fail',
      detail: `${path}: ${errorText(err)}`,
      fix: unreachableAdvice(err),
    };
  }
}

async function imageChecks(): Promise<DoctorCheck[]> {
  const existing = await listImages();
  return Promise.all(
    recipesOf().map(async (recipe): Promise<DoctorCheck> => {
      const tag = imageTag(recipe);
      const name = `image ${recipe.store}`;
      if (await imageExists(tag)) return { name, status: 'ok', detail: `${tag} is current` };
      const stale = existing.find((i) => i.store === recipe.store);
      return {
        name,
        status: 'warn',
        detail: stale ? `only ${stale.tag}, built from an older recipe` : `${tag} not built yet`,
        fix: `dscheck images build --store ${recipe.store} (dscheck run also builds it, but the run then waits)`,
      };
    }),
  );
}

/** iptables rules like the nemesis's, in a throwaway container with NET_ADMIN. */
async function iptablesCheck(): Promise<DoctorCheck> {
  const name = 'iptables in a container';
  const image = (await listImages()).find((i) => i.store !== 'base');
  if (!image) {
    return {
      name,
      status: 'warn',
      detail: 'skipped: no store image yet',
      fix: 'dscheck images build, then doctor again',
    };
  }
  try {
    await using probe = await startThrowaway(image.tag, {
      ...runLabels(`doctor-${process.pid}`),
      [LABEL.store]: 'doctor',
    });
    const rules = [
      ['iptables', '-w', '-A', 'INPUT', '-s', '192.0.2.1', '-j', 'DROP'],
      [
        'iptables',
        '-w',
        '-A',
        'INPUT',
        '-m',
        'statistic',
        '--mode',
        'random',
        '--probability',
        '0.5',
        '-j',
        'DROP',
      ],
      ['iptables', '-w', '-F', 'INPUT'],
    ];
    for (const argv of rules) {
      const result = await execIn(probe.container, argv, { timeoutMs: 10_000 });
      if (result.exitCode !== 0) {
        return {
          name,
          status: 'fail',
          detail: `'${argv.join(' ')}' failed: ${result.stderr.trim()}`,
          fix: 'the host kernel needs netfilter (nf_tables or ip_tables) with the statistic match, and containers need NET_ADMIN',
        };
      }
    }
    return { name, status: 'ok', detail: `partition and loss rules work (${image.tag})` };
  } catch (err) {
    return {
      name,
      status: 'fail',
      detail: errorText(err),
      fix: "run 'DSCHECK_DEBUG=1 dscheck doctor' for details",
    };
  }
}

async function debootstrapCheck(baseImagePresent: boolean): Promise<DoctorCheck> {
  const found = await findExecutable('debootstrap');
  if (found) return { name: 'debootstrap', status: 'ok', detail: found };
  if (baseImagePresent)
    return { name: 'debootstrap', status: 'ok', detail: 'not installed, not needed: the base image exists' };
  return {
    name: 'debootstrap',
    status: 'fail',
    detail: 'not installed, and the base image must be made (no registry to pull from)',
    fix: 'apt-get install -y debootstrap (or bash bin/setup)',
  };
}

async function findExecutable(command: string): Promise<string | undefined> {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin'];
  for (const dir of dirs.filter(Boolean)) {
    const path = join(dir, command);
    try {
      await access(path, constants.X_OK);
      return path;
    } catch {
      // Not in this directory.
    }
  }
  return undefined;
}
