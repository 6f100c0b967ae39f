import { SaleStatus, type SaleItem } from '@seckill/contracts';
import type { SaleItemRecord } from '@seckill/persistence';

export function saleStatus(now: number, startMs: number, endMs: number, stockLeft: number): SaleStatus {
  if (now < startMs) return SaleStatus.UPCOMING;
  if (now >= endMs) return SaleStatus.ENDED;
  return stockLeft <= 0 ? SaleStatus.SOLD_OUT : SaleStatus.LIVE;
}

/** `stockLeft` comes from Redis (what shoppers can still reserve) when loaded, else from PostgreSQL. */
export function toSaleItem(good: SaleItemRecord, redisStockLeft: number | null, now = Date.now()): SaleItem {
  const stockLeft = Math.max(0, redisStockLeft ?? good.stockLeft);
  return {
    id: good.id,
    name: good.name,
    price: Number(good.price).toFixed(2),
    seckillPrice: Number(good.seckillPrice).toFixed(2),
    stockTotal: good.stockTotal,
    stockLeft,
    startTime: good.startTime.toISOString(),
    endTime: good.endTime.toISOString(),
    status: saleStatus(now, good.startTime.getTime(), good.endTime.getTime(), stockLeft),
  };
}
