import { describe, expect, it } from 'vitest';
import { packageInfo } from '../../run/package.js';
import { controlProblem, runtimePaths } from './control.js';
import { engineAt, parseEndpoint } from './endpoints.js';

const engine = (text: string) => engineAt(parseEndpoint(text), {});

describe('the control container', () => {
  it('takes dscheck and its runtime dependencies, not what only builds or tests it', () => {
    const paths = runtimePaths(packageInfo().root);
    expect(paths).toEqual(expect.arrayContaining(['bin/dscheck.js', 'dist', 'workloads', 'package.json']));
    for (const needed of ['mysql2', 'ioredis', 'cassandra-driver', 'dockerode', 'commander', 'yaml'])
      expect(paths).toContain(`node_modules/${needed}`);
    // Dependencies of dependencies too (dockerode talks through docker-modem).
    expect(paths).toContain('node_modules/docker-modem');
    for (const devOnly of ['vitest', 'esbuild', 'typescript', '@biomejs/biome', 'playwright-core'])
      expect(paths).not.toContain(`node_modules/${devOnly}`);
  });

  it('needs tcp endpoints, and names the ones it cannot reach from inside the Swarm', () => {
    expect(controlProblem([engine('tcp://a:2376'), engine('tcp://b:2376')])).toBeUndefined();
    const problem = controlProblem([
      engine('tcp://a:2376'),
      engine('ssh://me@b'),
      engine('unix:///run/d.sock'),
    ]);
    expect(problem).toMatch(/needs tcp:\/\/ endpoints/);
    expect(problem).toContain('ssh://me@b, unix:///run/d.sock');
    expect(problem).not.toContain('tcp://a:2376');
  });
});
