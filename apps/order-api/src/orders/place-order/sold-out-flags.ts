/**
 * Per-instance "sold out" flags: once Redis has said an item is sold out, the flood of late requests is
 * answered from memory with no I/O at all.
 *
 * Two hazards are handled here:
 * - a "stock back" broadcast can overtake the SOLD_OUT answer it should cancel (the answer was computed before
 *   the unit came back but arrives after the broadcast). Every clear bumps a generation; a flag is only set
 *   if no clear happened since the reservation attempt started.
 * - a broadcast can be lost (reconnect). Flags expire after `ttlMs`, so the worst case is a short undersell.
 */
export class SoldOutFlags {
  private readonly soldOutUntil = new Map<number, number>();
  private readonly generations = new Map<number, number>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  isSoldOut(itemId: number): boolean {
    const until = this.soldOutUntil.get(itemId);
    if (until === undefined) return false;
    if (until > this.now()) return true;
    this.soldOutUntil.delete(itemId);
    return false;
  }

  /** Take before asking Redis; pass to markSoldOut with the answer. */
  generation(itemId: number): number {
    return this.generations.get(itemId) ?? 0;
  }

  markSoldOut(itemId: number, generationSeen: number): boolean {
    if (this.generation(itemId) !== generationSeen) return false;
    this.soldOutUntil.set(itemId, this.now() + this.ttlMs);
    return true;
  }

  clear(itemId: number): void {
    this.generations.set(itemId, this.generation(itemId) + 1);
    this.soldOutUntil.delete(itemId);
  }

  clearAll(): void {
    for (const id of this.soldOutUntil.keys()) this.clear(id);
  }
}
