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

  isSoldOut(goodId: number): boolean {
    const until = this.soldOutUntil.get(goodId);
    if (until === undefined) return false;
    if (until > this.now()) return true;
    this.soldOutUntil.delete(goodId);
    return false;
  }

  /** Take before asking Redis; pass to markSoldOut with the answer. */
  generation(goodId: number): number {
    return this.generations.get(goodId) ?? 0;
  }

  markSoldOut(goodId: number, generationSeen: number): boolean {
    if (this.generation(goodId) !== generationSeen) return false;
    this.soldOutUntil.set(goodId, this.now() + this.ttlMs);
    return true;
  }

  clear(goodId: number): void {
    this.generations.set(goodId, this.generation(goodId) + 1);
    this.soldOutUntil.delete(goodId);
  }

  clearAll(): void {
    for (const id of this.soldOutUntil.keys()) this.clear(id);
  }
}
