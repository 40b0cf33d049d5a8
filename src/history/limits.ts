/**
 * Limits of what dscheck reads, part of the history contract (docs/HISTORY-LIMITS.md, `dscheck
 * check --help`). They keep a hostile or broken file from costing unbounded time or memory:
 * each one is refused with exit 254, naming the limit and the file and line.
 */
export const LIMITS: Readonly<{
  lineBytes: number;
  depth: number;
  valueBytes: number;
  keys: number;
  operations: number;
}> = {
  /** Bytes in one NDJSON line. */
  lineBytes: 64 * 2 ** 20,
  /** Arrays and objects (EDN: vectors, lists, sets, maps) inside one another. */
  depth: 256,
  /** Bytes of JSON text of one field's value. */
  valueBytes: 16 * 2 ** 20,
  /** Distinct keys in one history. */
  keys: 1_000_000,
  /** Operations (invocations) in one history. */
  operations: 20_000_000,
};
export type Limits = typeof LIMITS;

/** An input beyond one of LIMITS; the reader adds the file and line. */
export class LimitExceeded extends Error {}

/** The limits in words, for `--help` and messages. */
export function limitsInWords(): string {
  const mib = (bytes: number): string => `${bytes / 2 ** 20} MiB`;
  return (
    `lines up to ${mib(LIMITS.lineBytes)}, values up to ${mib(LIMITS.valueBytes)} and nested up to ` +
    `${LIMITS.depth} deep, up to ${LIMITS.keys.toLocaleString('en')} keys and ` +
    `${LIMITS.operations.toLocaleString('en')} operations per file`
  );
}
