import { describe, expect, it } from 'vitest';
import {
  chooseBootstrap,
  markSafeToBootstrap,
  parseGrastate,
  parseRecoveredPosition,
} from './galera-recovery.js';

const UUID = '3d9b7c1e-2f1a-11ef-8e7b-6b2d2b5a1c01';
const grastate = (seqno: number, safe: 0 | 1) =>
  `# GALERA saved state\nversion: 2.1\nuuid:    ${UUID}\nseqno:   ${seqno}\nsafe_to_bootstrap: ${safe}\n`;

describe('galera crash recovery steps', () => {
  it('reads grastate.dat: a crashed node says seqno -1, a clean one its last seqno', () => {
    expect(parseGrastate(grastate(-1, 0))).toEqual({ uuid: UUID, seqno: -1, safeToBootstrap: false });
    expect(parseGrastate(grastate(1234, 1))).toEqual({ uuid: UUID, seqno: 1234, safeToBootstrap: true });
    expect(parseGrastate('')).toBeNull();
  });

  it("reads --wsrep-recover's position, the last one logged", () => {
    const log = [
      '2026-12-02  3:40:01 0 [Note] InnoDB: Starting crash recovery',
      `2026-12-02  3:40:02 0 [Note] WSREP: Recovered position: ${UUID}:88`,
      `2026-12-02  3:40:02 0 [Note] WSREP: Recovered position: ${UUID}:91`,
    ].join('\n');
    expect(parseRecoveredPosition(log)).toEqual({ uuid: UUID, seqno: 91 });
    expect(parseRecoveredPosition('[ERROR] Aborting')).toBeNull();
  });

  it('bootstraps from the highest seqno; a tie goes to the first name; unknown positions never win', () => {
    const at = (seqno: number) => ({ uuid: UUID, seqno });
    expect(chooseBootstrap({ n1: at(10), n2: at(12), n3: at(11) })).toBe('n2');
    expect(chooseBootstrap({ n3: at(12), n1: at(12), n2: at(3) })).toBe('n1');
    expect(chooseBootstrap({ n1: null, n2: at(-1), n3: at(0) })).toBe('n3');
    expect(chooseBootstrap({ n1: null, n2: at(-1) })).toBeNull();
  });

  it('marks the chosen node safe to bootstrap', () => {
    expect(parseGrastate(markSafeToBootstrap(grastate(7, 0)))?.safeToBootstrap).toBe(true);
    expect(markSafeToBootstrap(`uuid: ${UUID}\nseqno: 7\n`)).toMatch(/safe_to_bootstrap: 1\n$/);
  });
});
