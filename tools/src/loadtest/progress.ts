import type { AgentCounts } from './protocol';

/** What the live line shows; rendering is pure so it can be tested without a terminal. */
export interface ProgressView {
  phase: 'prepare' | 'fire' | 'room';
  shoppers: number;
  counts: AgentCounts;
  elapsedMs: number;
}

const n = (x: number) => x.toLocaleString('en-US');

/**
 * A bar in three shades: answered (█), on the wire but not yet answered (▒), not yet sent (░) during the sale;
 * sockets opened during preparation.
 */
export function bar(done: number, partial: number, total: number, width: number): string {
  const full = total > 0 ? Math.round((done / total) * width) : 0;
  const mid = total > 0 ? Math.min(width - full, Math.round((partial / total) * width)) : 0;
  return '█'.repeat(full) + '▒'.repeat(mid) + '░'.repeat(Math.max(0, width - full - mid));
}

export function renderProgress(v: ProgressView, width = 24): string {
  const c = v.counts;
  const secs = `${(v.elapsedMs / 1000).toFixed(1)}s`;
  if (v.phase === 'prepare') {
    return (
      // A waiting-room sale opens only connections ahead (its sockets need the join first).
      `opening  ${bar(Math.max(c.socketsOpen + c.socketsFailed, c.connectionsOpen), 0, v.shoppers, width)} ` +
      `sockets ${n(c.socketsOpen)}/${n(v.shoppers)}` +
      (c.socketsFailed ? ` (${n(c.socketsFailed)} failed)` : '') +
      ` · connections ${n(c.connectionsOpen)} · ${secs}`
    );
  }
  const outcomes = c.pushed + c.polled;
  if (v.phase === 'room') {
    // Joined, then admitted or told the room closed: the bar fills as shoppers leave the room.
    return (
      `room     ${bar(c.admitted + c.closed, c.joined - c.admitted - c.closed, v.shoppers, width)} ` +
      `joined ${n(c.joined)}/${n(v.shoppers)} · admitted ${n(c.admitted)} · closed ${n(c.closed)} · ` +
      `orders answered ${n(c.answered)} (${n(c.accepted)} accepted) · outcomes ${n(outcomes)}` +
      (c.retried ? ` · ${n(c.retried)} retried` : '') +
      ` · ${secs}`
    );
  }
  return (
    `sale     ${bar(c.answered, c.sent - c.answered, v.shoppers, width)} ` +
    `sent ${n(c.sent)}/${n(v.shoppers)} · answered ${n(c.answered)} (${n(c.accepted)} accepted) · ` +
    `outcomes ${n(outcomes)}/${n(c.accepted)} pushed ${n(c.pushed)}` +
    (c.polled ? ` polled ${n(c.polled)}` : '') +
    (c.retried ? ` · ${n(c.retried)} retried` : '') +
    (c.gaveUp ? ` · ${n(c.gaveUp)} gave up` : '') +
    (c.dropped ? ` · ${n(c.dropped)} sockets dropped` : '') +
    ` · ${secs}`
  );
}

/**
 * The live line on stderr. On a terminal it is redrawn in place; otherwise (CI logs, a pipe) a plain line is
 * written at most every `plainEveryMs`, and only when something changed, so the log stays short.
 */
export class ProgressLine {
  private last = '';
  private lastPlainAt = 0;
  private drawn = false;

  constructor(
    private readonly out: NodeJS.WritableStream & { isTTY?: boolean; columns?: number },
    private readonly enabled: boolean,
    private readonly plainEveryMs = 2000,
  ) {}

  update(text: string, force = false): void {
    if (!this.enabled || text === this.last) return;
    if (this.out.isTTY) {
      const cols = this.out.columns ?? 120;
      this.out.write(`\r\x1b[2K${text.length > cols - 1 ? `${text.slice(0, cols - 2)}…` : text}`);
      this.drawn = true;
    } else {
      const t = Date.now();
      if (!force && t - this.lastPlainAt < this.plainEveryMs) return;
      this.lastPlainAt = t;
      this.out.write(`${text}\n`);
    }
    this.last = text;
  }

  /** A message of its own, above the live line. */
  log(line: string): void {
    if (this.drawn && this.out.isTTY) this.out.write('\r\x1b[2K');
    this.out.write(`${line}\n`);
    if (this.drawn && this.out.isTTY && this.last) this.out.write(this.last);
  }

  /** Leaves the last state on screen and moves below it. */
  end(): void {
    if (this.drawn && this.out.isTTY) this.out.write('\n');
    this.drawn = false;
    this.last = '';
  }
}
