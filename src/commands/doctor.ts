import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { connectDocker, engineAddress, unreachableAdvice } from '../docker/client.js';
import { startThrowaway } from '../docker/containers.js';
import { execIn } from '../docker/exec.js';
import { baseImageTag, imageExists, imageTag, listImages } from '../docker/images.js';
import { LABEL, runLabels } from '../docker/labels.js';
import { errorText } from '../docker/log.js';
import { EXIT, ExitError } from '../errors.js';
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
}

/** `dscheck doctor`: is this machine ready to run dscheck, and if not, what to do. Exit 1 on a failure. */
export async function doctor(
  options: DoctorOptions,
  out: NodeJS.WritableStream = process.stdout,
): Promise<void> {
  const checks = await runChecks();
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
