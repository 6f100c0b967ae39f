import type { ClientConfig, RoomTicket } from '@seckill/contracts';
import { serverNow } from './clock.js';
import { NETWORK_ERROR } from '../web-common/http.js';
import type { SessionStore } from '../web-common/session.js';
import type { Via } from './order-watch.js';
import type { OutcomePanel } from './outcome-panel.js';
import { notifierBase, type Purchase } from './purchase.js';
import { newRequestId } from './request-id.js';
import { RoomPanel } from './room-panel.js';
import { RoomWatch } from './room-watch.js';
import { shopApi } from './shop-api.js';
import { describeError, describeFailure } from './words.js';

export interface RoomHost {
  config: ClientConfig;
  session: SessionStore;
  /** The token was refused: end the session and ask the shopper to log in again. */
  authLost(): void;
}

/**
 * Times in a row the page puts the shopper back in line by itself (an admission refused or lost); after that it
 * asks. One is the normal case (the turn ran out); a loop would mean the server keeps refusing.
 */
const AUTO_REJOINS = 2;
/** Order refusals that say nothing against the admission: the shopper may try again while the turn lasts. */
const PASSING = new Set<string>(['TRY_AGAIN', 'RATE_LIMITED', 'INTERNAL', NETWORK_ERROR]);

/**
 * One shopper's way through an item's waiting room: join over HTTP, follow the place (RoomWatch: pushed, polled
 * when the socket is down), and on admission start the usual buy (Purchase) at once with the admission token,
 * so a shopper who waited minutes in a background tab does not lose the turn. The room panel shows the wait and
 * the time left on the turn; the outcome panel below shows the order as for any item. An order refused with
 * NOT_ADMITTED (the turn ran out, or the token was spent) puts the shopper back in line.
 */
export class WaitingRoomVisit {
  readonly panel: RoomPanel;
  private watch: RoomWatch | null = null;
  /** Where the shopper stood when the wait began (the progress bar's zero). */
  private startPosition: number | null = null;
  /** The turn: its token, when it lapses, and the one requestId it is spent on (retries included). */
  private admission: { token: string; expiresAt: string; requestId: string } | null = null;
  /** A token the server refused: if joining again hands back the same one, it was spent already, and waiting cannot help. */
  private refusedToken: string | null = null;
  private note: string | undefined;
  private rejoins = 0;
  private buying = false;
  /** Bumped by every join and stop, so answers that arrive for an earlier attempt are dropped. */
  private generation = 0;

  constructor(
    private readonly host: RoomHost,
    private readonly itemId: number,
    private readonly outcome: OutcomePanel,
    private readonly purchase: Purchase,
    private readonly onChange: () => void,
  ) {
    this.panel = new RoomPanel(itemId, { buy: () => void this.buyAgain(), rejoin: () => void this.join(), expired: () => this.expired() });
  }

  /** In the room and not done with it: the card's buy button must not start anything else. */
  get active(): boolean {
    const state = this.panel.state;
    return state === 'joining' || state === 'waiting' || state === 'admitted';
  }

  /** The card's buy button while active. */
  get buttonLabel(): string {
    if (this.panel.state === 'joining') return 'Joining…';
    return this.panel.state === 'waiting' ? 'In line…' : 'Your turn…';
  }

  /** The shopper pressed the button: join (or rejoin) the room. */
  join(): Promise<void> {
    this.rejoins = 0;
    this.refusedToken = null;
    return this.enter(undefined);
  }

  /** After a login or a reload: a shopper already waiting in this room sees the place again, without a click. */
  async resume(): Promise<void> {
    const session = this.host.session.current();
    if (!session || this.active) return;
    const generation = this.generation;
    try {
      const ticket = await shopApi.roomTicket(session.token, this.itemId);
      // Only a wait resumes: an admission found here may already have been spent by this page before the reload.
      if (generation === this.generation && !this.active && ticket.status === 'WAITING') this.apply(ticket, 'poll');
    } catch {
      // Not in the room (404), or no answer: nothing to resume.
    }
  }

  /** Logout, or the card goes away. */
  stop(): void {
    this.generation += 1;
    this.stopWatch();
    this.admission = null;
    this.buying = false;
    this.note = undefined;
    this.panel.idle();
  }

  private async enter(note: string | undefined): Promise<void> {
    const session = this.host.session.current();
    if (!session) return;
    const generation = ++this.generation;
    this.stopWatch();
    this.admission = null;
    this.startPosition = null;
    this.note = note;
    this.outcome.idle();
    this.panel.joining();
    this.onChange();
    let ticket: RoomTicket;
    try {
      ticket = await shopApi.joinRoom(session.token, this.itemId);
    } catch (error) {
      if (generation !== this.generation) return;
      this.panel.idle();
      const failure = describeError(error);
      if (failure.loginAgain) this.host.authLost();
      this.outcome.fail(failure);
      this.onChange();
      return;
    }
    if (generation === this.generation) this.apply(ticket, null);
  }

  private apply(ticket: RoomTicket, via: Via | null): void {
    switch (ticket.status) {
      case 'OPEN':
        // No room (any more: an admin may switch it off mid-wait): order directly, as for any item.
        this.stopWatch();
        this.panel.idle();
        void this.placeOrder(undefined);
        break;
      case 'WAITING': {
        const position = ticket.position ?? 1;
        // A place further back than the first one seen (the pre-queue's places are drawn at the start) restarts the bar.
        if (this.startPosition === null || position > this.startPosition) this.startPosition = position;
        const progress = this.startPosition > 0 ? (this.startPosition - position) / this.startPosition : 0;
        this.panel.waiting({ position, ahead: ticket.ahead ?? position - 1, etaSeconds: ticket.etaSeconds ?? 0, progress, via, note: this.note });
        if (!this.watch) this.follow();
        break;
      }
      case 'ADMITTED':
        this.stopWatch();
        if (!ticket.admissionToken || !ticket.expiresAt) {
          this.panel.idle();
          this.outcome.fail(describeFailure('INTERNAL'));
          break;
        }
        if (ticket.admissionToken === this.refusedToken) {
          // The room keeps a spent admission as it is: this shopper has been through already (and ordered).
          this.panel.idle();
          this.outcome.fail(describeFailure('ADMISSION_USED'));
          break;
        }
        this.admission = { token: ticket.admissionToken, expiresAt: ticket.expiresAt, requestId: newRequestId() };
        this.note = undefined;
        this.panel.admitted(ticket.expiresAt, false);
        void this.placeOrder(this.admission);
        break;
      case 'CLOSED':
        this.stopWatch();
        this.admission = null;
        this.panel.closed(ticket.reason);
        break;
    }
    this.onChange();
  }

  private follow(): void {
    const session = this.host.session.current();
    if (!session) return;
    const watch = new RoomWatch(notifierBase(this.host.config), this.itemId, session.token, {
      update: (ticket, via) => {
        if (this.watch === watch) this.apply(ticket, via);
      },
      notInRoom: () => {
        if (this.watch !== watch) return;
        this.watch = null;
        this.rejoin('Your place was lost: you are back in line.');
      },
      authLost: () => {
        if (this.watch !== watch) return;
        this.stop();
        this.host.authLost();
        this.outcome.fail(describeFailure('UNAUTHORIZED'));
        this.onChange();
      },
    });
    this.watch = watch;
    watch.start();
  }

  /** The buy itself, with the admission when there is one (none: the item has no room). */
  private async placeOrder(admission: { token: string; requestId: string } | undefined): Promise<void> {
    const generation = this.generation;
    this.buying = true;
    this.panel.setBuying(true);
    const result = await this.purchase.start(admission);
    if (generation !== this.generation) return;
    this.buying = false;
    this.panel.setBuying(false);
    if (result.placed || admission === undefined || result.code === null) {
      // Through the room (the outcome panel follows the order), or stopped (logout): the room has no more to say.
      this.admission = null;
      if (result.placed) this.rejoins = 0;
      this.panel.idle();
    } else if (result.code === 'NOT_ADMITTED') {
      this.refusedToken = admission.token;
      this.admission = null;
      this.rejoin('Your turn ran out before the order went in: you are back in line.');
      return;
    } else if (PASSING.has(result.code) && this.admission && Date.parse(this.admission.expiresAt) > serverNow()) {
      this.panel.admitted(this.admission.expiresAt, true);
    } else {
      // Sold out, already ordered, ended…: the outcome panel says why, and waiting again would not help.
      this.admission = null;
      this.panel.idle();
    }
    this.onChange();
  }

  private buyAgain(): void {
    if (this.admission && !this.buying && !this.purchase.inProgress) void this.placeOrder(this.admission);
  }

  private rejoin(note: string): void {
    if (this.rejoins >= AUTO_REJOINS) {
      this.admission = null;
      this.panel.expired();
      this.onChange();
      return;
    }
    this.rejoins += 1;
    void this.enter(note);
  }

  /** The time on the admission ran out. An order already on its way is the server's to judge. */
  private expired(): void {
    if (this.buying) return;
    this.admission = null;
    this.panel.expired();
    this.onChange();
  }

  private stopWatch(): void {
    this.watch?.close();
    this.watch = null;
  }
}
