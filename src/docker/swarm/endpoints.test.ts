import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../errors.js';
import { dockerOptions, parseEndpoint, parseEndpoints } from './endpoints.js';

describe('parsing --hosts', () => {
  it('reads ssh, tcp and unix endpoints', () => {
    expect(
      parseEndpoints('ssh://ops@db1, ssh://db2:2222,tcp://10.0.0.3:2376,unix:///run/docker.sock'),
    ).toEqual([
      { kind: 'ssh', text: 'ssh://ops@db1', user: 'ops', host: 'db1', port: 22 },
      { kind: 'ssh', text: 'ssh://db2:2222', host: 'db2', port: 2222 },
      { kind: 'tcp', text: 'tcp://10.0.0.3:2376', host: '10.0.0.3', port: 2376 },
      { kind: 'unix', text: 'unix:///run/docker.sock', path: '/run/docker.sock' },
    ]);
  });

  it.each([
    ['db1', /'db1'.*no scheme.*valid forms/],
    ['http://db1:2375', /'http:\/\/db1:2375'.*unknown scheme 'http'/],
    ['tcp://db1', /'tcp:\/\/db1'.*needs a port/],
    ['unix://run/docker.sock', /socket path must be absolute/],
    ['ssh://db1/docker', /unexpected path/],
  ])('refuses %s, naming it', (text, message) => {
    expect(() => parseEndpoint(text)).toThrow(UsageError);
    expect(() => parseEndpoint(text)).toThrow(message);
  });

  it('refuses an empty list and a host listed twice', () => {
    expect(() => parseEndpoints(' , ')).toThrow(/at least one Docker endpoint/);
    expect(() => parseEndpoints('tcp://a:1,tcp://a:1')).toThrow(/'tcp:\/\/a:1' is listed twice/);
  });
});

describe('dockerode options of an endpoint', () => {
  const tcp = parseEndpoint('tcp://db1:2376');

  it('uses plain http without DOCKER_TLS_VERIFY, https with the three files of DOCKER_CERT_PATH', () => {
    expect(dockerOptions(tcp, {})).toEqual({ protocol: 'http', host: 'db1', port: 2376 });
    const dir = mkdtempSync(join(tmpdir(), 'dscheck-certs-'));
    for (const file of ['ca.pem', 'cert.pem', 'key.pem']) writeFileSync(join(dir, file), file);
    expect(dockerOptions(tcp, { DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: dir })).toEqual({
      protocol: 'https',
      host: 'db1',
      port: 2376,
      ca: Buffer.from('ca.pem'),
      cert: Buffer.from('cert.pem'),
      key: Buffer.from('key.pem'),
    });
  });

  it('names the host and the missing file when TLS cannot be set up', () => {
    expect(() => dockerOptions(tcp, { DOCKER_TLS_VERIFY: '1' })).toThrow(
      /'tcp:\/\/db1:2376'.*DOCKER_CERT_PATH is not/,
    );
    const empty = mkdtempSync(join(tmpdir(), 'dscheck-certs-'));
    expect(() => dockerOptions(tcp, { DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: empty })).toThrow(
      /'tcp:\/\/db1:2376': cannot read .*ca\.pem/,
    );
  });

  it('passes the ssh agent and user for ssh, the socket for unix', () => {
    expect(dockerOptions(parseEndpoint('ssh://ops@db1'), { SSH_AUTH_SOCK: '/tmp/agent' })).toEqual({
      protocol: 'ssh',
      host: 'db1',
      port: 22,
      username: 'ops',
      sshOptions: { agent: '/tmp/agent' },
    });
    expect(dockerOptions(parseEndpoint('unix:///run/docker.sock'))).toEqual({
      socketPath: '/run/docker.sock',
    });
  });
});
