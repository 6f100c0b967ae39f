import type { MeasurementId } from './options';
import type { Measured, Sample } from './measurement';

/**
 * One measurement: set up once, warmed up once, then run once per round (rounds interleave all measurements,
 * so a neighbour's load spike hits a ceiling and its product figure alike), torn down at the end.
 */
export interface Bench {
  readonly id: MeasurementId;
  readonly label: string;
  readonly method: string;
  readonly unit?: Measured['unit'];
  /** Measured in the first round only (a memory figure, not a throughput). */
  readonly firstRoundOnly?: boolean;
  setup(): Promise<void>;
  warmup?(): Promise<void>;
  run(round: number): Promise<Sample>;
  teardown(): Promise<void>;
}
