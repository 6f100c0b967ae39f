import type { ConfirmDialog } from './confirm-dialog.js';
import type { Announcer } from '../web-common/dom.js';
import { fmtClock, plural } from './format.js';
import { ApiError } from '../web-common/http.js';
import { opsApi } from './ops-api.js';
import type { LotCard } from './parking-view.js';

export interface ReplayHost {
  token(): string | null;
  /** A 401/403 mid-session: the console must go back to the login form. */
  authProblem(error: ApiError): void;
  /** Fetch the overview now, so the counts move without waiting for the next poll. */
  refresh(): void;
}

/** Replay of one parking lot: confirm, call, report the result in the card and to screen readers. */
export class ReplayAction {
  constructor(
    private readonly dialog: ConfirmDialog,
    private readonly announcer: Announcer,
    private readonly host: ReplayHost,
  ) {}

  async run(card: LotCard): Promise<void> {
    if (card.isBusy) return;
    const { name, messages, source } = card.lot;
    const target = source ?? 'the queue it came from';
    const ok = await this.dialog.ask({
      title: 'Replay parked messages?',
      body: `${plural(messages, 'message')} in ${name} will be sent back to ${target} and processed again. Replay only once the cause is fixed: a message that fails again is parked again.`,
      confirmLabel: 'Replay',
    });
    const token = this.host.token();
    if (!ok || !token) return;
    card.setBusy(true);
    try {
      const result = await opsApi.replay(token, name);
      const text = `Replayed ${plural(result.replayed, 'message')} to ${result.to} at ${fmtClock(Date.now())}.`;
      card.showResult('ok', text, result.replayed);
      this.announcer.say(text);
    } catch (error) {
      if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
        this.host.authProblem(error);
        return;
      }
      const why = error instanceof ApiError && error.code === 'NOT_FOUND' ? 'this parking lot does not exist (any more).' : error instanceof Error ? `${error.message}.` : 'unknown error.';
      card.showResult('error', `Replay failed: ${why}`);
    } finally {
      card.setBusy(false);
      card.button.focus();
      this.host.refresh();
    }
  }
}
