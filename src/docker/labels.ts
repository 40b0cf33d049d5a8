import { hostname } from 'node:os';

/**
 * Labels on everything dscheck creates, so that teardown and `dscheck clean` find it
 * (testcontainers' utils/labels.ts). A run records who owns it (pid + host) so that a later
 * `dscheck clean` can tell a live run from the leftovers of a dead one.
 */
export const LABEL = {
  run: 'dscheck.run',
  node: 'dscheck.node',
  pid: 'dscheck.pid',
  host: 'dscheck.host',
  store: 'dscheck.store',
  recipe: 'dscheck.recipe',
} as const;

export type Labels = Record<string, string>;

/** The labels of every resource a run creates: its id and the process that owns it. */
export function runLabels(runId: string, owner: { pid: number; host: string } = currentOwner()): Labels {
  return { [LABEL.run]: runId, [LABEL.pid]: String(owner.pid), [LABEL.host]: owner.host };
}

/**
 * Set in a control container by the dscheck that started it: the run inside labels its nodes with
 * that process as their owner, so that `dscheck clean` removes them once it is gone.
 */
export const OWNER_ENV = { pid: 'DSCHECK_OWNER_PID', host: 'DSCHECK_OWNER_HOST' } as const;

export function currentOwner(): { pid: number; host: string } {
  const pid = Number(process.env[OWNER_ENV.pid]);
  const host = process.env[OWNER_ENV.host];
  if (Number.isInteger(pid) && pid > 0 && host) return { pid, host };
  return { pid: process.pid, host: hostname() };
}
