import { LIVE_ORDER_STATUSES, type OrderStatus } from '@seckill/contracts';
import type {
  ChangedOrder,
  OrderRef,
  PendingPush,
  LiveBuyerRecord,
  LoadLock,
  NewSaleItem,
  OrderRecord,
  OrderRepository,
  OrderRequestRepository,
  OutcomeRecord,
  RoomItemRecord,
  RoomSettingsRecord,
  SaleItemRecord,
  SaleItemRepository,
  SaleOpsRecord,
  SaleWindowRecord,
  StockSnapshot,
  UserRecord,
  UserRepository,
} from '@seckill/persistence';
import type { Public } from './public';

/** Makes the next calls of a fake throw `err` (a dependency that is down), then behave again. */
class Failures {
  private queue: unknown[] = [];

  failNext(err: unknown, times = 1): void {
    for (let i = 0; i < times; i++) this.queue.push(err);
  }

  check(): void {
    const err = this.queue.shift();
    if (err !== undefined) throw err;
  }
}

/** Sale items in memory, with the stock PostgreSQL would hold. */
export class FakeSaleItems extends Failures implements Public<SaleItemRepository> {
  readonly items = new Map<number, SaleItemRecord & { loadedAt: Date | null }>();
  /** Per item: its live buyers and decided request uuids, as the snapshot would read them. */
  readonly live = new Map<number, LiveBuyerRecord[]>();
  readonly decided = new Map<number, string[]>();
  /** Set by fakeRepositories(): live buyers, decided requests and the ops counts then also come from these. */
  orders?: FakeOrders;
  requests?: FakeOrderRequests;
  private nextId = 1;
  /** When setRoom last changed an item's room (room_updated_at). */
  private readonly roomChangedAt = new Map<number, number>();

  add(item: Partial<SaleItemRecord> & { stock?: number; loadedAt?: Date | null } = {}): SaleItemRecord {
    const stock = item.stock ?? item.stockTotal ?? 10;
    const record = {
      id: item.id ?? this.nextId++,
      name: item.name ?? 'item',
      price: item.price ?? '100.00',
      seckillPrice: item.seckillPrice ?? '9.90',
      stockTotal: item.stockTotal ?? stock,
      stockLeft: item.stockLeft ?? stock,
      startTime: item.startTime ?? new Date(Date.now() - 60_000),
      endTime: item.endTime ?? new Date(Date.now() + 3_600_000),
      room: item.room ?? { enabled: false, admitPerSecond: 100, preQueueSeconds: 0 },
      loadedAt: item.loadedAt ?? null,
    };
    this.items.set(record.id, record);
    return record;
  }

  async list(limit = 200): Promise<SaleItemRecord[]> {
    this.check();
    return this.latestFirst([...this.items.values()], limit);
  }

  async find(id: number): Promise<SaleItemRecord | null> {
    this.check();
    const i = this.items.get(id);
    return i ? record(i) : null;
  }

  async window(id: number): Promise<SaleWindowRecord | null> {
    this.check();
    const i = this.items.get(id);
    return i ? { id, startMs: i.startTime.getTime(), endMs: i.endTime.getTime(), room: { ...i.room } } : null;
  }

  async create(item: NewSaleItem): Promise<SaleItemRecord> {
    this.check();
    // The table's checks: seckill_goods_window and the stock range.
    if (item.endTime.getTime() <= item.startTime.getTime()) throw new Error('new row violates check constraint "seckill_goods_window"');
    if (item.stock < 0) throw new Error('new row violates check constraint "seckill_goods_stock_total_check"');
    const room = item.room ? { enabled: true, ...item.room } : undefined;
    return record(this.add({ ...item, room, stockTotal: item.stock, stockLeft: item.stock }));
  }

  async addStock(id: number, delta: number): Promise<boolean> {
    this.check();
    const i = this.items.get(id);
    if (!i) return false;
    if (i.stockLeft + delta < 0) throw new Error('new row violates check constraint "seckill_goods_stock_left_range"');
    i.stockTotal += delta;
    i.stockLeft += delta;
    return true;
  }

  async setRoom(id: number, room: RoomSettingsRecord): Promise<SaleItemRecord | null> {
    this.check();
    const i = this.items.get(id);
    if (!i) return null;
    i.room = { ...room };
    this.roomChangedAt.set(id, Date.now());
    return record(i);
  }

  async roomItems(): Promise<RoomItemRecord[]> {
    this.check();
    const now = Date.now();
    return [...this.items.values()]
      .filter((i) => (i.room.enabled || (this.roomChangedAt.get(i.id) ?? 0) > now - 3_600_000) && i.endTime.getTime() > now - 60_000)
      .map((i) => ({ id: i.id, startMs: i.startTime.getTime(), endMs: i.endTime.getTime(), ...i.room }));
  }

  async liveIds(): Promise<number[]> {
    this.check();
    const now = Date.now();
    return [...this.items.values()].filter((i) => i.endTime.getTime() > now && i.startTime.getTime() < now + 3_600_000).map((i) => i.id).sort((a, b) => a - b);
  }

  async snapshot(id: number): Promise<StockSnapshot | null> {
    this.check();
    const i = this.items.get(id);
    return i ? { stockLeft: i.stockLeft, live: this.liveBuyersOf(id), decided: this.decidedOf(id) } : null;
  }

  async withLoadLock<T>(id: number, fn: (lock: LoadLock | null) => Promise<T>): Promise<T> {
    this.check();
    const i = this.items.get(id);
    if (!i) return fn(null);
    return fn({
      stockLeft: i.stockLeft,
      loadedBefore: i.loadedAt !== null,
      liveBuyers: async () => this.liveBuyersOf(id),
      markLoaded: async () => {
        i.loadedAt = new Date();
      },
    });
  }

  async opsSummary(limit = 50): Promise<SaleOpsRecord[]> {
    this.check();
    const since = Date.now() - 86_400_000;
    return this.latestFirst([...this.items.values()].filter((i) => i.endTime.getTime() > since), limit).map((i) => ({
      id: i.id,
      name: i.name,
      stockTotal: i.stockTotal,
      stockLeft: i.stockLeft,
      startTime: i.startTime,
      endTime: i.endTime,
      orders: countBy([...(this.orders?.orders.values() ?? [])].filter((o) => o.seckillGoodId === i.id).map((o) => o.status)),
      requests: countBy([...(this.requests?.recorded.values() ?? [])].filter((r) => r.seckillGoodId === i.id).map((r) => r.status)),
      room: { ...i.room },
    }));
  }

  private latestFirst(items: SaleItemRecord[], limit: number): SaleItemRecord[] {
    return items.sort((a, b) => b.startTime.getTime() - a.startTime.getTime() || b.id - a.id).slice(0, limit).map(record);
  }

  private liveBuyersOf(id: number): LiveBuyerRecord[] {
    const linked = [...(this.orders?.orders.values() ?? [])]
      .filter((o) => o.seckillGoodId === id && LIVE_ORDER_STATUSES.includes(o.status))
      .map((o) => ({ userId: o.userId, uuid: o.uuid }));
    return [...(this.live.get(id) ?? []), ...linked];
  }

  private decidedOf(id: number): string[] {
    const linked = [...(this.requests?.recorded.values() ?? [])].filter((r) => r.seckillGoodId === id).map((r) => r.uuid);
    return [...(this.decided.get(id) ?? []), ...linked];
  }
}

/** What the table hands out: a fresh record of its own, without the fake's bookkeeping. */
function record(i: SaleItemRecord): SaleItemRecord {
  return { id: i.id, name: i.name, price: i.price, seckillPrice: i.seckillPrice, stockTotal: i.stockTotal, stockLeft: i.stockLeft, startTime: i.startTime, endTime: i.endTime, room: { ...i.room } };
}

function countBy<K extends string>(keys: K[]): Partial<Record<K, number>> {
  const counts: Partial<Record<K, number>> = {};
  for (const k of keys) counts[k] = (counts[k] ?? 0) + 1;
  return counts;
}

/** Created orders in memory, with the state machine's conditions (UNPAID only, owner, deadline). */
export class FakeOrders extends Failures implements Public<OrderRepository> {
  readonly orders = new Map<string, OrderRecord>();
  /** Insertion order, standing in for the table's id: among orders of one instant, the later one lists first. */
  private readonly seq = new Map<string, number>();
  private nextSeq = 0;
  private nextNo = 1;

  /** `restock(itemId)`: what the close statement does to the item in the same transaction. */
  constructor(private readonly restock: (itemId: number) => void = () => undefined) {
    super();
  }

  add(order: Partial<OrderRecord> & { userId: number; seckillGoodId: number }): OrderRecord {
    const record: OrderRecord = {
      orderNo: order.orderNo ?? `20261201${String(this.nextNo++).padStart(10, '0')}`,
      uuid: order.uuid ?? `00000000-0000-4000-8000-${String(this.nextNo).padStart(12, '0')}`,
      name: order.name ?? 'item',
      amount: order.amount ?? '9.90',
      status: order.status ?? 'UNPAID',
      createdAt: order.createdAt ?? new Date(),
      payDeadline: order.payDeadline ?? new Date(Date.now() + 900_000),
      paidAt: order.paidAt ?? null,
      closedAt: order.closedAt ?? null,
      userId: order.userId,
      seckillGoodId: order.seckillGoodId,
    };
    this.orders.set(record.orderNo, record);
    this.seq.set(record.orderNo, ++this.nextSeq);
    return record;
  }

  /** The status pushes written with each change and not yet confirmed, by push id. */
  readonly outbox = new Map<string, { orderNo: string; status: PendingPush['status']; at: number }>();
  private nextPush = 1;

  async pay(orderNo: string, userId: number): Promise<ChangedOrder | null> {
    this.check();
    const o = this.orders.get(orderNo);
    if (!o || o.userId !== userId || o.status !== 'UNPAID' || o.payDeadline.getTime() <= Date.now()) return null;
    o.status = 'PAID';
    o.paidAt = new Date();
    return this.changed(o, 'PAID');
  }

  async close(orderNo: string, to: 'CANCELLED' | 'TIMEOUT', ownerId?: number): Promise<ChangedOrder | null> {
    this.check();
    const o = this.orders.get(orderNo);
    if (!o || o.status !== 'UNPAID' || (ownerId !== undefined && o.userId !== ownerId)) return null;
    if (to === 'TIMEOUT' && o.payDeadline.getTime() > Date.now()) return null;
    o.status = to;
    o.closedAt = new Date();
    this.restock(o.seckillGoodId);
    return this.changed(o, to);
  }

  async withStatus(orderNo: string): Promise<(OrderRef & { status: OrderStatus }) | null> {
    this.check();
    const o = this.orders.get(orderNo);
    return o ? { ...ref(o), status: o.status } : null;
  }

  async pendingPushes(olderThanMs: number, limit = 100): Promise<PendingPush[]> {
    this.check();
    const due = Date.now() - olderThanMs;
    return [...this.outbox.entries()]
      .filter(([, p]) => p.at <= due)
      .slice(0, limit)
      .map(([pushId, p]) => ({ ...ref(this.orders.get(p.orderNo)!), pushId, status: p.status }));
  }

  async pushSent(pushId: string): Promise<void> {
    this.check();
    this.outbox.delete(pushId);
  }

  /** The change and its push commit together, as in the SQL statement. */
  private changed(o: OrderRecord, status: PendingPush['status']): ChangedOrder {
    const pushId = String(this.nextPush++);
    this.outbox.set(pushId, { orderNo: o.orderNo, status, at: Date.now() });
    return { ...o, status, pushId };
  }

  async mine(userId: number, orderNo: string): Promise<OrderRecord | null> {
    this.check();
    const o = this.orders.get(orderNo);
    return o && o.userId === userId ? { ...o } : null;
  }

  async listMine(userId: number, limit = 200): Promise<OrderRecord[]> {
    this.check();
    return [...this.orders.values()]
      .filter((o) => o.userId === userId)
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || this.seq.get(b.orderNo)! - this.seq.get(a.orderNo)!)
      .slice(0, limit)
      .map((o) => ({ ...o }));
  }
}

function ref(o: OrderRecord): OrderRef {
  return { uuid: o.uuid, userId: o.userId, seckillGoodId: o.seckillGoodId, orderNo: o.orderNo };
}

/** Recorded outcomes in memory. */
export class FakeOrderRequests extends Failures implements Public<OrderRequestRepository> {
  readonly recorded = new Map<string, OutcomeRecord>();
  /** The status of the order an outcome created, when it changed later (PAID, CANCELLED, TIMEOUT). */
  readonly orderStatus = new Map<string, OrderStatus>();
  /** Set by fakeRepositories(): the order a success created then gives its status. */
  orders?: FakeOrders;

  async outcome(uuid: string): Promise<OutcomeRecord | null> {
    this.check();
    return this.recorded.get(uuid) ?? null;
  }

  async outcomes(uuids: readonly string[]): Promise<Map<string, OutcomeRecord>> {
    this.check();
    return new Map(uuids.flatMap((u) => (this.recorded.has(u) ? [[u, this.recorded.get(u)!] as const] : [])));
  }

  async outcomesWithOrderStatus(uuids: readonly string[]): Promise<Map<string, { outcome: OutcomeRecord; orderStatus: OrderStatus | null }>> {
    this.check();
    const found = await this.outcomes(uuids);
    return new Map([...found].map(([u, outcome]) => [u, { outcome, orderStatus: this.statusOf(outcome) }]));
  }

  private statusOf(outcome: OutcomeRecord): OrderStatus | null {
    if (outcome.status === 'FAIL') return null;
    return this.orderStatus.get(outcome.uuid) ?? this.orders?.orders.get(outcome.orderNo)?.status ?? 'UNPAID';
  }
}

/** Accounts in memory; a username is unique, as the table's key makes it. */
export class FakeUsers extends Failures implements Public<UserRepository> {
  readonly users = new Map<string, UserRecord>();
  private nextId = 1;

  async findByUsername(username: string): Promise<UserRecord | null> {
    this.check();
    return this.users.get(username) ?? null;
  }

  async createShopper(username: string, passwordHash: string): Promise<UserRecord | 'taken'> {
    this.check();
    if (this.users.has(username)) return 'taken';
    const user: UserRecord = { id: this.nextId++, username, passwordHash, role: 'shopper' };
    this.users.set(username, user);
    return user;
  }

  async applyAdmin(username: string, passwordHash: string): Promise<'created' | 'updated' | 'name-taken'> {
    this.check();
    const existing = this.users.get(username);
    if (existing?.role === 'shopper') return 'name-taken';
    if (existing) {
      this.users.set(username, { ...existing, passwordHash });
      return 'updated';
    }
    this.users.set(username, { id: this.nextId++, username, passwordHash, role: 'admin' });
    return 'created';
  }
}

/**
 * The four fakes as one database: closing an order gives its unit back to the item, the item's live buyers and
 * decided requests are the orders' and outcomes', and an outcome's order status is its order's. `sell` writes
 * what the worker's batch transaction writes for a sold unit.
 */
export function fakeRepositories() {
  const saleItems = new FakeSaleItems();
  const orders = new FakeOrders((itemId) => {
    const item = saleItems.items.get(itemId);
    if (item) item.stockLeft += 1;
  });
  const requests = new FakeOrderRequests();
  const users = new FakeUsers();
  saleItems.orders = orders;
  saleItems.requests = requests;
  requests.orders = orders;
  return {
    saleItems,
    orders,
    requests,
    users,
    /** An UNPAID order at the item's price, its SUCCESS outcome, and the unit taken from the item. */
    sell(spec: { userId: number; seckillGoodId: number; uuid: string; payDeadline?: Date }): OrderRecord {
      const item = saleItems.items.get(spec.seckillGoodId);
      if (!item || item.stockLeft <= 0) throw new Error(`no unit of item ${spec.seckillGoodId} to sell`);
      item.stockLeft -= 1;
      const order = orders.add({ ...spec, name: item.name, amount: item.seckillPrice });
      requests.recorded.set(spec.uuid, { uuid: spec.uuid, userId: spec.userId, seckillGoodId: spec.seckillGoodId, status: 'SUCCESS', orderNo: order.orderNo });
      return order;
    },
  };
}
