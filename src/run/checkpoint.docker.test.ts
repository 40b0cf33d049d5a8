import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dockerClient } from '../docker/client.js';
import { LABEL } from '../docker/labels.js';
import { runCli, startCli } from '../testing/cli.js';

/**
 * A soak run killed with SIGKILL (no clean-up, no final verdict) still leaves the verdict of its
 * last checkpoint, and `dscheck report <run-dir>` checks everything it recorded. Needs
 * `npm run build` first (npm test does it).
 */
const out = mkdtempSync(join(tmpdir(), 'dscheck-checkpoint-test-'));
let runId: string | undefined;

afterAll(async () => {
  // The killed run could not tear down its cluster: remove what it created, by its label only.
  if (runId !== undefined) {
    const docker = dockerClient();
    const filters = { label: [`${LABEL.run}=${runId}`] };
    for (const c of await docker.listContainers({ all: true, filters }))
      await docker.getContainer(c.Id).remove({ force: true });
    for (const n of await docker.listNetworks({ filters })) await docker.getNetwork(n.Id).remove();
  }
  rmSync(out, { recursive: true, force: true });
});

function results(folder: string): {
  checkpoint?: { atS: number; operations: number };
  stats: { ops: number };
} {
  return JSON.parse(readFileSync(join(folder, 'results.json'), 'utf8'));
}

async function until(what: string, ok: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

describe('a soak run killed mid-way', () => {
  it('leaves its last checkpoint, and dscheck report finishes the rest', async () => {
    const running = startCli([
      'run',
      '--out',
      out,
      '--name',
      'soak',
      '--time-limit',
      '600',
      '--checkpoint',
      '0.15',
      '--nemesis-interval',
      '5',
      '--seed',
      '7',
    ]);
    const parent = join(out, 'soak');
    let folder = '';
    await until('the run folder', () => existsSync(parent) && readdirSync(parent).length > 0, 60_000);
    folder = join(parent, readdirSync(parent)[0]);
    runId = JSON.parse(readFileSync(join(folder, 'test.json'), 'utf8')).runId;
    await until(
      'a checkpoint',
      () => existsSync(join(folder, 'results.json')) && existsSync(join(folder, 'index.html')),
      180_000,
    );
    running.child.kill('SIGKILL');
    const killed = await running.done;
    expect(killed.signal).toBe('SIGKILL');

    const checkpoint = results(folder).checkpoint;
    expect(checkpoint?.operations).toBeGreaterThan(0);
    expect(readFileSync(join(folder, 'index.html'), 'utf8')).toContain('Checkpoint: this verdict covers');

    const finished = await runCli(['report', folder]);
    expect(finished.code, finished.stderr).toBe(0);
    expect(finished.stdout).toContain('the run did not finish');
    const final = results(folder);
    expect(final.checkpoint).toBeUndefined();
    expect(final.stats.ops).toBeGreaterThan(checkpoint?.operations ?? 0);
    expect(readFileSync(join(folder, 'index.html'), 'utf8')).not.toContain('Checkpoint: this verdict covers');
  }, 300_000);
});
