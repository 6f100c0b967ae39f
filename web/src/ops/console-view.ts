import type { OpsOverview } from '@seckill/contracts';
import { byId, setText } from '../web-common/dom.js';
import { History } from './history.js';
import { ParkingView, type LotCard } from './parking-view.js';
import { QueuesView } from './queues-view.js';
import { RoomsView, type RoomCard } from './rooms-view.js';
import { SalesView } from './sales-view.js';
import { SummaryView } from './summary-view.js';

/** Everything below the header once logged in: tiles, sales, waiting rooms, queues with their charts, parking lots. */
export class ConsoleView {
  readonly root = byId('console', HTMLDivElement);
  private readonly heading = byId('console-title', HTMLHeadingElement);
  private readonly brokerAlert = byId('broker-alert', HTMLParagraphElement);
  private readonly history = new History();
  private readonly summary = new SummaryView();
  private readonly sales = new SalesView(byId('sales-body', HTMLTableSectionElement), byId('sales-empty', HTMLParagraphElement));
  private readonly queues = new QueuesView(
    byId('queues-body', HTMLTableSectionElement),
    byId('queues-empty', HTMLParagraphElement),
    byId('queue-charts', HTMLDivElement),
    byId('chart-queue', HTMLSpanElement),
    this.history,
  );
  private readonly lots: ParkingView;
  private readonly rooms: RoomsView;

  constructor(onReplay: (card: LotCard) => void, onRoomApply: (card: RoomCard) => void) {
    this.lots = new ParkingView(byId('lots', HTMLUListElement), byId('lots-empty', HTMLParagraphElement), onReplay);
    this.rooms = new RoomsView(byId('rooms', HTMLUListElement), byId('rooms-empty', HTMLParagraphElement), onRoomApply);
  }

  get visible(): boolean {
    return !this.root.hidden;
  }

  show(): void {
    this.root.hidden = false;
    this.heading.focus();
  }

  hide(): void {
    this.root.hidden = true;
  }

  render(overview: OpsOverview): void {
    this.history.add(overview);
    const rabbit = overview.rabbitmq;
    this.brokerAlert.hidden = rabbit.available;
    setText(this.brokerAlert, rabbit.available ? '' : `RabbitMQ's management API does not answer (${rabbit.error ?? 'unknown error'}): queue numbers are missing until it does. Sales are still current.`);
    this.sales.render(overview.sales);
    this.rooms.render(overview.rooms);
    // A broker outage must not blank the queue tables: they keep the last known rows, and the charts show a gap.
    if (rabbit.available) {
      this.queues.render(overview.queues);
      this.lots.render(overview.queues);
    }
    this.summary.render(overview, this.sales.worstDrift(), rabbit.available ? this.queues.orphans() : []);
  }

  clear(): void {
    this.history.clear();
    this.sales.clear();
    this.rooms.clear();
    this.queues.clear();
    this.lots.clear();
  }
}
