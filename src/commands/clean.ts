import { type CleanReport, cleanDeadRuns } from '../docker/cleanup.js';
import { connectDocker } from '../docker/client.js';
import { swarmCheck } from '../docker/swarm/check.js';
import { engineAt, parseEndpoints } from '../docker/swarm/endpoints.js';
import { EXIT, ExitError } from '../errors.js';
import { HOSTS_OPTION } from '../run/options.js';

export interface CleanOptions {
  json?: boolean;
  /** Clean every engine of this Swarm instead of the local one (`--hosts`). */
  hosts?: string;
}

/** `dscheck clean`: removes the containers and networks of runs whose dscheck process is gone. */
export async function clean(
  options: CleanOptions,
  out: NodeJS.WritableStream = process.stdout,
): Promise<void> {
  const hosts = HOSTS_OPTION.read(options.hosts);
  const reports = hosts === undefined ? [{ host: '', report: await cleanLocal() }] : await cleanHosts(hosts);
  if (options.json) {
    out.write(`${JSON.stringify(hosts === undefined ? reports[0].report : reports)}\n`);
  } else {
    for (const { host, report } of reports) writeReport(report, host === '' ? '' : ` on ${host}`, out);
  }
  if (reports.some(({ report }) => report.failed.length > 0)) throw new ExitError(EXIT.invalid);
}

async function cleanLocal(): Promise<CleanReport> {
  await connectDocker();
  return cleanDeadRuns();
}

/** Every engine of the Swarm, containers first everywhere; overlays go through the managers. */
async function cleanHosts(hosts: string): Promise<{ host: string; report: CleanReport }[]> {
  const engines = parseEndpoints(hosts).map((endpoint) => engineAt(endpoint));
  const managers = new Set(
    (await swarmCheck(engines)).filter((f) => f.check === 'manager' && f.ok).map((f) => f.host),
  );
  const workers = engines.filter((e) => !managers.has(e.name));
  const first = await Promise.all(
    workers.map(async (e) => ({ host: e.name, report: await cleanDeadRuns(e.docker, false) })),
  );
  const then = await Promise.all(
    engines
      .filter((e) => managers.has(e.name))
      .map(async (e) => ({ host: e.name, report: await cleanDeadRuns(e.docker, true) })),
  );
  return [...first, ...then];
}

function writeReport(report: CleanReport, where: string, out: NodeJS.WritableStream): void {
  for (const r of report.removed) out.write(`removed ${r.kind} ${r.name} (run ${r.runId})${where}\n`);
  for (const r of report.live) out.write(`kept run ${r.runId}${where}: still running (${r.owner})\n`);
  for (const f of report.failed) {
    out.write(`could not remove ${f.leftover.kind} ${f.leftover.name}${where}: ${f.error}\n`);
  }
  if (report.removed.length === 0 && report.failed.length === 0) out.write(`nothing to clean${where}\n`);
}
