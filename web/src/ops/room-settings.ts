import type { ConfirmDialog } from './confirm-dialog.js';
import type { Announcer } from '../web-common/dom.js';
import { fmtClock, fmtRate } from './format.js';
import { ApiError } from '../web-common/http.js';
import { opsApi } from './ops-api.js';
import type { ReplayHost } from './replay.js';
import type { RoomCard } from './rooms-view.js';

/**
 * A change to one waiting room (rate, on/off): it takes effect at once, mid-sale too, so it is confirmed first,
 * then sent, and its result shown in the card and told to screen readers (as a parking-lot replay is).
 */
export class RoomSettingsAction {
  constructor(
    private readonly dialog: ConfirmDialog,
    private readonly announcer: Announcer,
    private readonly host: ReplayHost,
  ) {}

  async run(card: RoomCard): Promise<void> {
    if (card.isBusy) return;
    const before = card.room;
    const wanted = card.settings();
    const changes: string[] = [];
    if (wanted.admitPerSecond !== before.admitPerSecond) changes.push(`admit ${fmtRate(wanted.admitPerSecond)} instead of ${fmtRate(before.admitPerSecond)}`);
    if (wanted.enabled && !before.enabled) changes.push('switch the room on: shoppers must then queue in it to order');
    if (!wanted.enabled && before.enabled) changes.push(`switch the room off: the ${before.waiting === 1 ? 'shopper' : `${before.waiting} shoppers`} waiting may then order directly, and so may everyone else`);
    if (changes.length === 0) {
      card.reset();
      card.showResult('ok', 'Nothing to change: the room already runs with these settings.');
      return;
    }
    const ok = await this.dialog.ask({
      title: 'Change the waiting room?',
      body: `${before.name} (#${before.seckillGoodId}): ${changes.join('; ')}. This takes effect at once, also during the sale.`,
      confirmLabel: 'Apply',
    });
    const token = this.host.token();
    // Cancelled: the edit stays in the form, and the dialog gives focus back to where it was.
    if (!ok || !token) return;
    card.setBusy(true);
    try {
      const room = await opsApi.setWaitingRoom(token, before.seckillGoodId, wanted);
      const text = `${room.enabled ? `Admitting ${fmtRate(room.admitPerSecond)}` : 'Room switched off'} since ${fmtClock(Date.now())}.`;
      card.room = { ...card.room, ...room };
      card.reset();
      card.showResult('ok', text);
      this.announcer.say(`${before.name}: ${text}`);
    } catch (error) {
      if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
        this.host.authProblem(error);
        return;
      }
      const why =
        error instanceof ApiError && error.code === 'VALIDATION_FAILED'
          ? `${error.message}.`
          : error instanceof ApiError && error.status === 404
            ? 'this sale does not exist (any more).'
            : error instanceof Error
              ? `${error.message}.`
              : 'unknown error.';
      card.showResult('error', `Not changed: ${why}`);
    } finally {
      card.setBusy(false);
      // Applied, the button is disabled (nothing left to apply): focus goes back to the rate instead of <body>.
      (card.button.disabled ? card.rate : card.button).focus();
      this.host.refresh();
    }
  }
}
