import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { FailReason } from '@seckill/contracts';

/**
 * The durable outcome of one order request. Written in the same transaction as the order (or instead of
 * it), so a redelivered message finds its decision here and replays it instead of deciding again.
 */
@Entity({ name: 'order_requests' })
export class OrderRequestEntity {
  @PrimaryColumn({ type: 'uuid' })
  uuid!: string;

  @Column({ name: 'user_id', type: 'bigint' })
  userId!: string;

  @Column({ name: 'seckill_good_id', type: 'integer' })
  seckillGoodId!: number;

  @Column({ type: 'varchar', length: 8 })
  status!: 'SUCCESS' | 'FAIL';

  @Column({ type: 'varchar', length: 32, nullable: true })
  reason!: FailReason | null;

  @Column({ name: 'order_no', type: 'varchar', length: 32, nullable: true })
  orderNo!: string | null;

  @Column({ name: 'decided_at', type: 'timestamptz' })
  decidedAt!: Date;
}
