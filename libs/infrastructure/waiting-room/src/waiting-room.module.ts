import { Global, Module } from '@nestjs/common';
import { REDIS, REDIS_KEY_PREFIX, RedisModule, type RedisClient } from '@seckill/redis';
import { RoomKeys } from './room-keys';
import { RoomStore } from './room-store';

/** The waiting rooms' store on the process's Redis connection. */
@Global()
@Module({
  imports: [RedisModule],
  providers: [
    { provide: RoomKeys, inject: [REDIS_KEY_PREFIX], useFactory: (prefix: string) => new RoomKeys(prefix) },
    { provide: RoomStore, inject: [REDIS, RoomKeys], useFactory: (redis: RedisClient, keys: RoomKeys) => new RoomStore(redis, keys) },
  ],
  exports: [RoomKeys, RoomStore],
})
export class WaitingRoomModule {}
