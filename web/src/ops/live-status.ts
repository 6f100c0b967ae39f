import { setText } from '../web-common/dom.js';
import { setData } from './dom.js';
import { fmtClock } from './format.js';

export type LiveState = 'connecting' | 'live' | 'stale' | 'paused';

/** The header's indicator: is what the page shows current, and since when. */
export class LiveStatus {
  private lastOk: number | null = null;

  constructor(
    private readonly el: HTMLElement,
    private readonly text: HTMLElement,
  ) {}

  connecting(): void {
    this.lastOk = null;
    this.set('connecting', 'Connecting…');
  }

  ok(at = Date.now()): void {
    this.lastOk = at;
    this.set('live', `Live · updated ${fmtClock(at)}`);
  }

  failed(reason: string): void {
    const since = this.lastOk === null ? '' : ` · last update ${fmtClock(this.lastOk)}`;
    this.set('stale', `No fresh data (${reason}), retrying${since}`);
  }

  paused(): void {
    const since = this.lastOk === null ? '' : ` · showing ${fmtClock(this.lastOk)}`;
    this.set('paused', `Paused${since}`);
  }

  private set(state: LiveState, text: string): void {
    setData(this.el, 'state', state);
    setText(this.text, text);
  }
}
