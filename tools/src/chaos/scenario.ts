import type { Check } from './checks';
import type { PrivateServers } from './servers/private-servers';
import type { Fleet, FleetCounts } from './shoppers/fleet';
import type { ScenarioSystem, SystemSpec } from './system';

/** What a scenario's fault waits for before it strikes: an event of the sale, never a clock. */
export type Trigger = { accepted: number } | { outcomes: number };

export function triggerHolds(t: Trigger, c: FleetCounts): boolean {
  return 'accepted' in t ? c.accepted >= t.accepted : c.outcomes >= t.outcomes;
}

export function describeTrigger(t: Trigger): string {
  return 'accepted' in t ? `${t.accepted} orders accepted` : t.outcomes === 1 ? 'the first outcome' : `${t.outcomes} outcomes`;
}

/** What a fault can reach, and its notebook. */
export interface FaultContext {
  servers: PrivateServers;
  system: ScenarioSystem;
  fleet: Fleet;
  signal: AbortSignal;
  /** Notes a moment of the fault (shown with its time in the results). */
  mark(what: string): void;
  /** Notes the moment the fault took effect (scenarios with `delayedEffect`). */
  effective(what: string): void;
  /** Keeps the fault in place this long: the length of an outage is the fault itself, not a synchronisation. */
  hold(ms: number): Promise<void>;
  /** The uuids PostgreSQL has decided so far (read once, now). */
  decided(): Promise<Set<string>>;
  log(line: string): void;
}

export interface Scenario {
  name: string;
  /** Units on sale, when the default does not leave the fault enough of the sale to land in. */
  stock?: number;
  /**
   * The fault takes effect some time after it begins (a graceful stop drops its clients only after a while) and
   * the scenario calls `effective` at that moment; otherwise it takes effect when it begins.
   */
  delayedEffect?: boolean;
  title: string;
  /** The fault in a few words, for the results table. */
  fault: string;
  /** What surviving it proves (docs/reliability.md and `--list`). */
  proves: string;
  system?: Partial<SystemSpec>;
  trigger: Trigger;
  /**
   * Breaks something and puts it back; resolves once everything it broke is back. May return checks of its
   * own, evaluated at the very end, once the sale has settled.
   */
  inject(ctx: FaultContext): Promise<(() => Check[]) | void>;
}

/** The fault proxy a scenario asked for; a scenario without it is a bug in the scenario table. */
export function proxyOf<T>(proxy: T | undefined, what: string): T {
  if (!proxy) throw new Error(`scenario misconfigured: no ${what} proxy`);
  return proxy;
}

/** "1 outcome", "2 outcomes": the marks read as sentences. */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
