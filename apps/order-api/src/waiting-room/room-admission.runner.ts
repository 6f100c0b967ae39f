import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { APP_CONFIG, type AppConfig } from '@seckill/config';
import { SaleItemRepository } from '@seckill/persistence';
import { REDIS, type RedisClient } from '@seckill/redis';
import { RoomAdmitter, RoomStore } from '@seckill/waiting-room';

/**
 * Runs this instance's RoomAdmitter (the lease decides which instance admits each room) and keeps its list of
 * rooms: every ROOM_SYNC_INTERVAL_MS the rooms that are on, or were changed within the hour, are read from
 * PostgreSQL and their settings written into Redis. That restores a room Redis lost, and puts right an admin's
 * change whose own Redis write failed or was overtaken by a sync that had read PostgreSQL just before it: within
 * one interval, never left wrong (a room left "on" in Redis alone would keep shoppers waiting for nobody). With
 * PostgreSQL away the last list is kept: admission goes on.
 */
@Injectable()
export class RoomAdmissionRunner implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly admitter: RoomAdmitter;
  private timer?: NodeJS.Timeout;
  private syncing?: Promise<void>;
  private failing = false;

  constructor(
    private readonly items: SaleItemRepository,
    private readonly store: RoomStore,
    @Inject(REDIS) redis: RedisClient,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext('RoomAdmission');
    this.admitter = new RoomAdmitter(
      store,
      redis,
      {
        tickMs: config.ROOM_TICK_MS,
        leaseMs: config.ROOM_LEASE_MS,
        tokenTtlMs: config.ROOM_ADMISSION_TTL_SECONDS * 1000,
        perUnitLeft: config.ROOM_ADMIT_PER_UNIT_LEFT,
      },
      logger,
    );
  }

  onApplicationBootstrap(): void {
    this.syncing = this.sync();
    this.timer = setInterval(() => {
      this.syncing = this.sync();
    }, this.config.ROOM_SYNC_INTERVAL_MS);
    this.timer.unref();
    this.admitter.start();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.syncing;
    await this.admitter.stop();
  }

  /** Reads the rooms now (tests and the admin route do not wait for the next interval). */
  async sync(): Promise<void> {
    try {
      const rooms = await this.items.roomItems();
      await Promise.all(rooms.map((r) => this.store.configure(r.id, r)));
      this.admitter.setRooms(rooms.filter((r) => r.enabled).map((r) => r.id));
      if (this.failing) this.logger.info({ rooms: rooms.length }, 'waiting rooms re-read');
      this.failing = false;
    } catch (err) {
      if (!this.failing) this.logger.warn({ err }, 'could not re-read the waiting rooms; admitting the last known ones');
      this.failing = true;
    }
  }
}
