import type { policies } from 'cassandra-driver';
import { driver } from './client.js';

/**
 * The clock that decides Cassandra's last-write-wins: with the driver's defaults it is the
 * client's. Every write carries a timestamp (microseconds since the epoch) that the driver's
 * timestamp generator makes from the client's Date.now(); a replica keeps, per cell, the value with
 * the highest timestamp, whatever arrived last. So the realistic clock fault is an application
 * server whose clock is wrong, and that is where the clock nemesis skews it: each node's driver
 * client (the clients of the processes bound to that node) takes a `SkewedClock`, and its
 * generator stamps writes with (Date.now() + offset) * 1000, still monotonic per client as the
 * driver's own: when the offset jumps back, the stamps stay at the last one (plus a microsecond a
 * write) until the skewed clock catches up, and the writes carry stamps older than the other
 * clients'. (libfaketime in the JVM did not work, src/stores/faketime.ts; and the servers' clocks
 * decide nothing here but TTLs and LWT ballots.)
 */
export class SkewedClock {
  /** Added to the host's clock, ms; 0 is the host's clock. */
  offsetMs = 0;

  /** The driver's monotonic generator, on this clock; drift warnings off (they go nowhere). */
  timestampGenerator(): policies.timestampGeneration.TimestampGenerator {
    const now = (): number => Date.now() + this.offsetMs;
    class Skewed extends driver().policies.timestampGeneration.MonotonicTimestampGenerator {
      constructor() {
        super(1000, 0);
      }
      override getDate(): number {
        return now();
      }
    }
    return new Skewed();
  }
}
