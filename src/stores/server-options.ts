import { UsageError } from '../errors.js';

/**
 * `--server-option NAME=VALUE`: a line of the chosen store's own server configuration (MariaDB
 * `[mysqld]`, redis.conf, cassandra.yaml). Only the shape is checked here: the server itself
 * judges the name and the value when it starts, as it would in production.
 */
export interface ServerOption {
  name: string;
  value: string;
}

/** Letters, digits, `_`, `-` and `.` (MariaDB's `loose-` prefixes and Cassandra's dotted keys). */
const NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,99}$/;

/** Checks one `NAME=VALUE` text and gives it back normalized (spaces around `=` removed). */
export function parseServerOption(text: string, flag: string): string {
  const { name, value } = splitServerOption(text, flag);
  return `${name}=${value}`;
}

/** The name and value of a `NAME=VALUE` text; a bad shape is a UsageError naming `flag`. */
export function splitServerOption(text: string, flag = '--server-option'): ServerOption {
  const at = text.indexOf('=');
  const name = at < 0 ? text.trim() : text.slice(0, at).trim();
  const value = at < 0 ? '' : text.slice(at + 1).trim();
  if (at < 0 || !NAME.test(name)) {
    throw new UsageError(
      `${flag} '${text}' must be NAME=VALUE, NAME being letters, digits and _ - . (e.g. innodb_flush_log_at_trx_commit=2)`,
    );
  }
  // One option is one line of the server's configuration: a line break would smuggle in another.
  if (value === '' || /[\r\n\0]/.test(value)) {
    throw new UsageError(`${flag} '${name}' needs a value on one line (NAME=VALUE)`);
  }
  return { name, value };
}

/** The options as name/value pairs (each already checked by `parseServerOption`). */
export function serverOptionPairs(texts: readonly string[] | undefined): ServerOption[] {
  return (texts ?? []).map((text) => splitServerOption(text));
}

/**
 * The option a server's start-up error names, when one of the given options is to blame: the
 * run then fails as a usage error (254) instead of a crash.
 */
export function blamedOption(message: string, options: readonly ServerOption[]): ServerOption | undefined {
  const lower = message.toLowerCase();
  const variants = (name: string) => [name, name.replaceAll('_', '-'), name.replaceAll('-', '_')];
  return options.find((o) => variants(o.name.toLowerCase()).some((v) => lower.includes(v)));
}
