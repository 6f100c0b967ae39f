import { SaleStatus, type SaleItem } from '@seckill/contracts';
import type { SaleItemRecord } from '@seckill/persistence';

export function saleStatus(now: number, startMs: number, endMs: number, stockLeft: number): SaleStatus {
  if (now < startMs) return SaleStatus.UPCOMING;
  if (now >= endMs) return SaleStatus.ENDED;
  return stockLeft <= 0 ? SaleStatus.SOLD_OUT : SaleStatus.LIVE;
}

/** `stockLeft` comes from Redis (what shoppers can still reserve) when loaded, else from PostgreSQL. */
export function toSaleItem(record: SaleItemRecord, redisStockLeft: number | null, now = Date.now()): SaleItem {
  const stockLeft = Math.max(0, redisStockLeft ?? record.stockLeft);
  return {
    id: record.id,
    name: record.name,
    price: Number(record.price).toFixed(2),
    seckillPrice: Number(record.seckillPrice).toFixed(2),
    stockTotal: record.stockTotal,
    stockLeft,
    startTime: record.startTime.toISOString(),
    endTime: record.endTime.toISOString(),
    status: saleStatus(now, record.startTime.getTime(), record.endTime.getTime(), stockLeft),
    ...(record.room.enabled && {
      waitingRoom: {
        admitPerSecond: record.room.admitPerSecond,
        preQueueSeconds: record.room.preQueueSeconds,
        opensAt: new Date(record.startTime.getTime() - record.room.preQueueSeconds * 1000).toISOString(),
      },
    }),
  };
}
