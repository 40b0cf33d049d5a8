import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { parse } from 'yaml';
import { UsageError } from '../errors.js';
import { fileErrorMessage } from './files.js';

/**
 * Presets (workloads, matrices) are a few kilobytes written by hand: anything past this is a
 * mistake (a history passed as a preset) or an attack, refused before it is read whole.
 */
export const MAX_PRESET_BYTES = 1024 * 1024;
/**
 * Aliases a preset may expand: enough for a hand-written preset that reuses a block, far too few
 * for an alias bomb (each level doubling the document) to cost memory.
 */
export const MAX_PRESET_ALIASES = 100;

/**
 * Reads a preset file (`what`: "workload", "matrix preset") as YAML: a regular file of at most
 * MAX_PRESET_BYTES, aliases bounded, duplicate keys refused. Every problem is a UsageError naming
 * the file.
 */
export function readYamlFile(file: string, what: string): unknown {
  const text = readSmallFile(file, what);
  let doc: unknown;
  try {
    doc = parse(text, { maxAliasCount: MAX_PRESET_ALIASES, uniqueKeys: true, prettyErrors: true });
  } catch (err) {
    // Deep nesting overflows the parser's stack before its own checks answer.
    const why = err instanceof RangeError ? `nested more than the parser can follow` : errorText(err);
    throw new UsageError(`${file}: not valid YAML: ${why}`);
  }
  const problem = shapeProblem(doc, 0, new Set());
  if (problem) throw new UsageError(`${file}: not a valid ${what}: ${problem}`);
  return doc;
}

/** Presets are shallow; deeper than this is no preset. */
export const MAX_PRESET_DEPTH = 32;

/**
 * Why `value` cannot be a preset: an alias that contains itself (yaml builds a cyclic object,
 * which every later step would follow for ever), or nesting deeper than MAX_PRESET_DEPTH.
 */
function shapeProblem(value: unknown, depth: number, open: Set<object>): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  if (open.has(value)) return 'an alias refers to itself (a cycle)';
  if (depth >= MAX_PRESET_DEPTH) return `nested deeper than ${MAX_PRESET_DEPTH} levels`;
  open.add(value);
  for (const child of Object.values(value)) {
    const problem = shapeProblem(child, depth + 1, open);
    if (problem) return problem;
  }
  open.delete(value);
  return undefined;
}

function readSmallFile(file: string, what: string): string {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    throw new UsageError(`${what}: ${fileErrorMessage(err) ?? `cannot read ${file}: ${errorText(err)}`}`);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new UsageError(`${what} ${file} is not a regular file`);
    if (stat.size > MAX_PRESET_BYTES) {
      throw new UsageError(
        `${what} ${file} is ${stat.size} bytes; presets are limited to ${MAX_PRESET_BYTES} bytes`,
      );
    }
    const buffer = Buffer.alloc(stat.size);
    let read = 0;
    while (read < buffer.length) {
      const n = readSync(fd, buffer, read, buffer.length - read, read);
      if (n === 0) break;
      read += n;
    }
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(buffer.subarray(0, read));
    } catch {
      throw new UsageError(`${what} ${file} is not valid UTF-8`);
    }
  } finally {
    closeSync(fd);
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
