import { describe, expect, it } from 'vitest';
import { formatBytes } from '../checker/words.js';
import {
  BYTES_PER_OPERATION,
  checkpointFits,
  type DiskEstimateInput,
  describeEarlyStop,
  describeEstimate,
  diskAction,
  estimateDisk,
  growthOf,
  projectHistory,
  reserveBytes,
} from './disk.js';

const MIB = 1024 * 1024;
const GB = 1e9;

/** An hour of the register workload at 2,000 ops/s on a disk with 40 GB free of 100 GB. */
function input(over: Partial<DiskEstimateInput> = {}): DiskEstimateInput {
  return {
    opsPerS: 2_000,
    bytesPerOperation: BYTES_PER_OPERATION.register,
    growth: 'linear',
    timeLimitS: 3_600,
    checkpointMin: 0,
    freeBytes: 40 * GB,
    totalBytes: 100 * GB,
    tempOnSameDisk: false,
    streamFromBytes: 256 * MIB,
    ...over,
  };
}

describe('reserveBytes', () => {
  it('keeps 256 MiB free, 2% of a large disk, and never more than a quarter of a small one', () => {
    expect(reserveBytes(5 * GB)).toBe(256 * MIB);
    expect(reserveBytes(100 * GB)).toBe(2 * GB);
    expect(reserveBytes(48 * MIB)).toBe(12 * MIB);
  });
});

describe('estimateDisk', () => {
  it('multiplies the asked rate, the time limit and the bytes per operation', () => {
    const e = estimateDisk(input());
    expect(e?.historyBytes).toBe(2_000 * 220 * 3_600);
    expect(e?.needBytes).toBe(2_000 * 220 * 3_600 + 2 * GB);
    expect(e?.fits).toBe(true);
    expect(estimateDisk(input({ freeBytes: 3 * GB }))?.fits).toBe(false);
  });

  it("counts the last checkpoint's copy of the history, and the check's temporary files on the same disk", () => {
    // Checkpoints every 10 min of a 60 min run: the last, at 50 min, copies 5/6 of the history.
    const e = estimateDisk(input({ checkpointMin: 10 }));
    expect(e?.checkpointCopyBytes).toBe(Math.round((1_584_000_000 * 5) / 6));
    // A run no longer than one interval takes no checkpoint.
    expect(estimateDisk(input({ checkpointMin: 60 }))?.checkpointCopyBytes).toBe(0);
    expect(estimateDisk(input({ tempOnSameDisk: true }))?.checkRoomBytes).toBe(1_584_000_000);
    // A history read whole to check it needs no temporary files.
    expect(estimateDisk(input({ tempOnSameDisk: true, timeLimitS: 60 }))?.checkRoomBytes).toBe(0);
  });

  it('waits for a measurement at full speed and for a history that grows with the square of the time', () => {
    expect(estimateDisk(input({ opsPerS: undefined }))).toBeUndefined();
    expect(estimateDisk(input({ growth: 'quadratic' }))).toBeUndefined();
    expect(growthOf('set')).toBe('quadratic');
    expect(growthOf('list-append')).toBe('quadratic');
    expect(growthOf('register')).toBe('linear');
    expect(growthOf(undefined)).toBe('linear');
  });

  it('projects the history measured over the first seconds by the time, or by its square', () => {
    const measured = { atS: 10, historyBytes: 39_000_000 };
    expect(projectHistory(input({ measured, timeLimitS: 600 }))).toBe(39_000_000 * 60);
    expect(projectHistory(input({ measured, timeLimitS: 600, growth: 'quadratic' }))).toBe(
      39_000_000 * 3_600,
    );
    // A run measured past its time limit (a short one) needs what it has.
    expect(projectHistory(input({ measured, timeLimitS: 5 }))).toBe(39_000_000);
    expect(estimateDisk(input({ measured, opsPerS: 17_853.15 }))?.measuredOverS).toBe(10);
  });
});

describe('diskAction', () => {
  it('goes on above the reserve', () => {
    expect(diskAction({ freeBytes: 300 * MIB, reserveBytes: 256 * MIB, reclaimableBytes: 0 })).toBe('go');
  });

  it('ends a checkpoint when its copy is what takes the disk under the reserve, and stops the run when that is not enough', () => {
    expect(diskAction({ freeBytes: 100 * MIB, reserveBytes: 256 * MIB, reclaimableBytes: 500 * MIB })).toBe(
      'drop-checkpoint',
    );
    expect(diskAction({ freeBytes: 100 * MIB, reserveBytes: 256 * MIB, reclaimableBytes: 100 * MIB })).toBe(
      'stop',
    );
    expect(diskAction({ freeBytes: 255 * MIB, reserveBytes: 256 * MIB, reclaimableBytes: 0 })).toBe('stop');
  });

  it('lets a checkpoint copy the history only when the reserve stays free', () => {
    expect(checkpointFits(1 * GB, 700 * 1e6, 256 * MIB)).toBe(true);
    expect(checkpointFits(1 * GB, 800 * 1e6, 256 * MIB)).toBe(false);
  });
});

describe('the words', () => {
  it('formats bytes in decimal units', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(12_345)).toBe('12 kB');
    expect(formatBytes(1_584_000_000)).toBe('1.6 GB');
    expect(formatBytes(340_200_000)).toBe('340 MB');
    expect(formatBytes(40 * GB)).toBe('40 GB');
  });

  it('says the estimate at start, and the ways out when it does not fit', () => {
    const fits = estimateDisk(input());
    if (!fits) throw new Error('no estimate');
    expect(describeEstimate(fits)).toEqual([
      'history: about 1.6 GB for 3,600 s at 2,000 ops/s (220 bytes/operation); 40 GB free',
    ]);
    const tight = estimateDisk(input({ freeBytes: 1 * GB, checkpointMin: 10 }));
    if (!tight) throw new Error('no estimate');
    const [, warning] = describeEstimate(tight);
    expect(warning).toMatch(/^warning: the run needs about 4\.9 GB .* only 1 GB are free/);
    expect(warning).toContain("1.3 GB for a checkpoint's copy");
    for (const way of ['--time-limit', '--rate', '--out']) expect(warning).toContain(way);
  });

  it('says why and when a run stopped early', () => {
    expect(
      describeEarlyStop(
        {
          reason: 'disk-full',
          atS: 10.2,
          freeBytes: 11_251_712,
          reserveBytes: 12 * MIB,
          historyBytes: 39_073_091,
        },
        600,
      ),
    ).toBe(
      'The run stopped early, at 10 s of 600: the disk of its folder was nearly full (11 MB free, under the 13 MB it keeps free; history 39 MB). The verdict covers everything recorded until then.',
    );
  });
});
