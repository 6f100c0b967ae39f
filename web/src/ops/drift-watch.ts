import { Sustained } from './sustained.js';

/**
 * Tells a drift that is settling from one that stays. While orders are in flight Redis is briefly ahead of
 * PostgreSQL (reserved there, not yet written here), so a non-zero drift during a sale is normal for a few
 * seconds; one that lasts longer than the worker's batches take is worth an operator's attention.
 */
export const DRIFT_ALARM_AFTER_MS = 15_000;

export type DriftState = 'ok' | 'settling' | 'alarm' | 'unknown';

export class DriftWatch {
  private readonly off = new Sustained<number>(DRIFT_ALARM_AFTER_MS);

  state(saleId: number, drift: number | null, now = Date.now()): DriftState {
    const lasting = this.off.held(saleId, drift !== null && drift !== 0, now);
    if (drift === null) return 'unknown';
    if (drift === 0) return 'ok';
    return lasting ? 'alarm' : 'settling';
  }

  clear(): void {
    this.off.clear();
  }
}
