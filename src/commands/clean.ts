import { cleanDeadRuns } from '../docker/cleanup.js';
import { connectDocker } from '../docker/client.js';
import { EXIT, ExitError } from '../errors.js';

export interface CleanOptions {
  json?: boolean;
}

/** `dscheck clean`: removes the containers and networks of runs whose dscheck process is gone. */
export async function clean(
  options: CleanOptions,
  out: NodeJS.WritableStream = process.stdout,
): Promise<void> {
  await connectDocker();
  const report = await cleanDeadRuns();
  if (options.json) {
    out.write(`${JSON.stringify(report)}\n`);
  } else {
    for (const r of report.removed) out.write(`removed ${r.kind} ${r.name} (run ${r.runId})\n`);
    for (const r of report.live) out.write(`kept run ${r.runId}: still running (${r.owner})\n`);
    for (const f of report.failed) {
      out.write(`could not remove ${f.leftover.kind} ${f.leftover.name}: ${f.error}\n`);
    }
    if (report.removed.length === 0 && report.failed.length === 0) out.write('nothing to clean\n');
  }
  if (report.failed.length > 0) throw new ExitError(EXIT.invalid);
}
