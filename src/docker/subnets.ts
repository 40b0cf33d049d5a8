/**
 * Pure IPv4 subnet arithmetic for choosing a run's network: a /24 inside a private /16 that
 * overlaps no Docker network and no host route.
 */

export interface Cidr {
  /** Network address as an unsigned 32-bit integer. */
  base: number;
  prefix: number;
}

export function ipToInt(ip: string): number {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
    throw new Error(`not an IPv4 address: ${ip}`);
  }
  return ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
}

export function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

const maskOf = (prefix: number): number => (prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0);

/** Parses `a.b.c.d/p`; undefined for anything else (IPv6 subnets are none of our business). */
export function parseCidr(text: string): Cidr | undefined {
  const match = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(text.trim());
  if (!match) return undefined;
  const prefix = Number(match[2]);
  if (prefix > 32) return undefined;
  return { base: (ipToInt(match[1]) & maskOf(prefix)) >>> 0, prefix };
}

export function formatCidr(cidr: Cidr): string {
  return `${intToIp(cidr.base)}/${cidr.prefix}`;
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  const mask = maskOf(Math.min(a.prefix, b.prefix));
  return (a.base & mask) >>> 0 === (b.base & mask) >>> 0;
}

/**
 * Routes from /proc/net/route (addresses are little-endian hex). The default route is left out:
 * it "overlaps" everything and a more specific bridge route wins over it anyway.
 */
export function parseProcRoutes(text: string): Cidr[] {
  const routes: Cidr[] = [];
  for (const line of text.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 8) continue;
    const destination = swapEndian(Number.parseInt(fields[1], 16));
    const mask = swapEndian(Number.parseInt(fields[7], 16));
    const prefix = popcount(mask);
    if (prefix === 0) continue;
    routes.push({ base: destination, prefix });
  }
  return routes;
}

const swapEndian = (n: number): number =>
  (((n & 255) << 24) | (((n >>> 8) & 255) << 16) | (((n >>> 16) & 255) << 8) | (n >>> 24)) >>> 0;

function popcount(n: number): number {
  let count = 0;
  for (let v = n >>> 0; v !== 0; v = (v & (v - 1)) >>> 0) count++;
  return count;
}

/**
 * The /24s of `pool` that overlap none of `used`, starting at the `start`-th /24 and wrapping
 * around, so that concurrent runs starting at different offsets rarely race for the same one.
 */
export function freeSubnets(pool: Cidr, used: readonly Cidr[], start = 0): Cidr[] {
  const count = 2 ** (24 - pool.prefix);
  const free: Cidr[] = [];
  for (let i = 0; i < count; i++) {
    const candidate = { base: (pool.base + ((start + i) % count) * 256) >>> 0, prefix: 24 };
    if (!used.some((u) => overlaps(u, candidate))) free.push(candidate);
  }
  return free;
}
