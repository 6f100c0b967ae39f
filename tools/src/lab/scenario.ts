import type { Lab } from './lab';

/** What a scenario's fault can reach while the sale runs, and its notebook. */
export interface FaultContext {
  lab: Lab;
  itemId: number;
  /** The item's stock key (`<prefix>{good:<id>}:stock`): its slot is the hot slot. */
  stockKey: string;
  signal: AbortSignal;
  /** How long an outage lasts (`--hold-seconds`), in ms. */
  holdMs: number;
  /** The fault takes effect now: "time until the sale went on" counts from here. */
  begin(what: string): void;
  /** Any other moment worth a line in the timeline (a replica promoted, a node paused…). */
  mark(what: string): void;
  /** Something a reader of the results must know (an operator's hand was needed…): listed with the scenario. */
  note(text: string): void;
  /** Everything the fault broke is back (the lab is whole again). */
  end(what: string): void;
  /** Keeps the fault in place this long: the outage's length is the fault itself, not a synchronisation. */
  hold(ms: number): Promise<void>;
  log(line: string): void;
}

export interface Scenario {
  name: string;
  title: string;
  /** The fault in a few words, for the table. */
  fault: string;
  /** What should happen, and what the product does about it (for --list and docs/scale-out.md). */
  expected: string;
  /**
   * Breaks something during the running sale and puts it back; resolves once the lab is whole again (servers
   * rejoined, every app ready). Restores what it broke even when it fails half-way.
   */
  inject(ctx: FaultContext): Promise<void>;
}

/** A moment of a scenario, in epoch ms. */
export interface Mark {
  at: number;
  what: string;
}

export interface FaultWindow {
  startedAt?: number;
  endedAt?: number;
  marks: Mark[];
}
