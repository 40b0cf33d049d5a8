import { describe, expect, it } from 'vitest';
import { formatCidr, freeSubnets, overlaps, parseCidr, parseProcRoutes } from './subnets.js';

const cidr = (text: string) => parseCidr(text)!;

describe('subnets', () => {
  it('parses and normalises CIDRs, ignoring IPv6', () => {
    expect(formatCidr(cidr('10.213.4.7/24'))).toBe('10.213.4.0/24');
    expect(parseCidr('fd00::/64')).toBeUndefined();
  });

  it('detects overlap in both directions', () => {
    expect(overlaps(cidr('10.0.0.0/8'), cidr('10.213.4.0/24'))).toBe(true);
    expect(overlaps(cidr('10.213.4.0/24'), cidr('10.0.0.0/8'))).toBe(true);
    expect(overlaps(cidr('10.213.4.0/24'), cidr('10.213.5.0/24'))).toBe(false);
  });

  it('reads /proc/net/route without the default route', () => {
    const text = [
      'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT',
      'eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0',
      'docker0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0',
      'br-x\t0004D50A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0',
    ].join('\n');
    expect(parseProcRoutes(text).map(formatCidr)).toEqual(['172.17.0.0/16', '10.213.4.0/24']);
  });

  it('skips used /24s and wraps around from the start offset', () => {
    const pool = cidr('10.213.0.0/16');
    const used = [cidr('10.213.255.0/24'), cidr('10.213.0.0/23')];
    const free = freeSubnets(pool, used, 255).map(formatCidr);
    expect(free[0]).toBe('10.213.2.0/24');
    expect(free).toHaveLength(253);
    expect(freeSubnets(pool, [cidr('10.0.0.0/8')])).toEqual([]);
  });
});
