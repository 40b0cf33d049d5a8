import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { MODEL_NAMES, type ModelName } from '../checker/linearizable/index.js';
import { UsageError } from '../errors.js';
import { keyNames } from '../generator/keys.js';
import { REGISTER_FS, type RegisterMix } from '../generator/register.js';
import type { Json } from '../history/types.js';
import { packageInfo } from '../run/package.js';
import { registerWorkload } from './register.js';
import type { CheckerSpecs, Workload } from './types.js';

/** Built-in presets, in workloads/<name>.yaml. */
export const WORKLOADS = ['register'] as const;
/** Client kinds a preset's `client:` may name. */
const CLIENTS = ['register'] as const;
const FINALS = ['read-every-key'] as const;
const CHECKERS = ['linearizable', 'perf'] as const;

export interface WorkloadOverrides {
  keys?: number;
}

/**
 * Loads a workload preset: a built-in name (workloads/<name>.yaml) or the path of a YAML file a
 * user copied and edited. Every problem in the file is a UsageError naming the field and the
 * valid choices.
 */
export function loadWorkload(nameOrPath: string, overrides: WorkloadOverrides = {}): Workload {
  const isPath = /\.ya?ml$/i.test(nameOrPath);
  if (!isPath && !(WORKLOADS as readonly string[]).includes(nameOrPath)) {
    throw new UsageError(
      `unknown --workload '${nameOrPath}'; valid choices: ${WORKLOADS.join(', ')} (or the path of a .yaml preset)`,
    );
  }
  const file = isPath ? resolve(nameOrPath) : join(packageInfo().root, 'workloads', `${nameOrPath}.yaml`);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read workload ${file}: ${(err as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new UsageError(`${file}: not valid YAML: ${(err as Error).message}`);
  }
  return fromDefinition(file, doc, overrides);
}

function fromDefinition(file: string, doc: unknown, overrides: WorkloadOverrides): Workload {
  const problem = (what: string) => new UsageError(`${file}: ${what}`);
  if (!isRecord(doc)) throw problem('expected a mapping of workload fields');
  const client = doc.client ?? 'register';
  if (!(CLIENTS as readonly unknown[]).includes(client)) {
    throw problem(`unknown client '${String(client)}'; valid choices: ${CLIENTS.join(', ')}`);
  }
  const keyCount = overrides.keys ?? doc.keys ?? 8;
  if (typeof keyCount !== 'number' || !Number.isInteger(keyCount) || keyCount < 1) {
    throw problem(`keys must be a whole number of at least 1, not ${JSON.stringify(keyCount)}`);
  }
  const mix = readMix(doc.mix, problem);
  const final = doc.final ?? 'read-every-key';
  if (!(FINALS as readonly unknown[]).includes(final)) {
    throw problem(`unknown final '${String(final)}'; valid choices: ${FINALS.join(', ')}`);
  }
  const checkers = readCheckers(doc.checkers ?? { linearizable: {}, perf: {} }, problem);
  const definition = { ...(doc as Record<string, Json>), keys: keyCount, mix: { ...mix } } as Json;
  return registerWorkload({ keys: keyNames(keyCount), mix, checkers, source: file, definition });
}

function readMix(raw: unknown, problem: (what: string) => UsageError): RegisterMix {
  if (raw === undefined) return { read: 1, write: 1, cas: 1 };
  if (!isRecord(raw)) throw problem('mix must map operations to weights');
  const mix = { read: 0, write: 0, cas: 0 };
  for (const [f, weight] of Object.entries(raw)) {
    if (!(REGISTER_FS as readonly string[]).includes(f)) {
      throw problem(`unknown operation '${f}' in mix; valid choices: ${REGISTER_FS.join(', ')}`);
    }
    if (typeof weight !== 'number' || !(weight >= 0))
      throw problem(`mix weight of ${f} must be a number >= 0`);
    mix[f as keyof typeof mix] = weight;
  }
  if (mix.read + mix.write + mix.cas <= 0) throw problem('mix weights must add up to more than 0');
  return mix;
}

function readCheckers(raw: unknown, problem: (what: string) => UsageError): CheckerSpecs {
  if (!isRecord(raw)) throw problem(`checkers must be a mapping; valid names: ${CHECKERS.join(', ')}`);
  const specs: CheckerSpecs = {};
  for (const [name, options] of Object.entries(raw)) {
    if (name === 'perf') {
      specs.perf = {};
      continue;
    }
    if (name !== 'linearizable')
      throw problem(`unknown checker '${name}'; valid choices: ${CHECKERS.join(', ')}`);
    const opts = isRecord(options) ? options : {};
    const model = opts.model ?? 'cas-register';
    if (!(MODEL_NAMES as readonly unknown[]).includes(model)) {
      throw problem(
        `unknown linearizable model '${String(model)}'; valid choices: ${MODEL_NAMES.join(', ')}`,
      );
    }
    specs.linearizable = { model: model as ModelName, initialValue: (opts['initial-value'] ?? null) as Json };
  }
  return specs;
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
