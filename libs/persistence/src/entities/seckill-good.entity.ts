import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A sale item. `stockLeft` is the truth that no concurrency may push below zero (CHECK in the schema). */
@Entity({ name: 'seckill_goods' })
export class SeckillGoodEntity {
  @PrimaryGeneratedColumn('identity', { type: 'integer', generatedIdentity: 'ALWAYS' })
  id!: number;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  /** numeric(12,2) comes back from pg as a string, which keeps money exact. */
  @Column({ type: 'numeric', precision: 12, scale: 2 })
  price!: string;

  @Column({ name: 'seckill_price', type: 'numeric', precision: 12, scale: 2 })
  seckillPrice!: string;

  @Column({ name: 'stock_total', type: 'integer' })
  stockTotal!: number;

  @Column({ name: 'stock_left', type: 'integer' })
  stockLeft!: number;

  @Column({ name: 'start_time', type: 'timestamptz' })
  startTime!: Date;

  @Column({ name: 'end_time', type: 'timestamptz' })
  endTime!: Date;

  /** First load of its stock into Redis; null until then (see the migration that added it). */
  @Column({ name: 'stock_loaded_at', type: 'timestamptz', nullable: true })
  stockLoadedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
