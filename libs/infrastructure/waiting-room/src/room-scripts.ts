import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Result } from 'ioredis';
import type { RedisClient } from '@seckill/redis';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    roomTicket(room: string, queue: string, tickets: string, unused: string, userId: number, mode: 'join' | 'read', place: string): Result<string[], Context>;
    admitRoom(
      room: string,
      queue: string,
      tickets: string,
      unused: string,
      stock: string,
      lease: string,
      owner: string,
      leaseMs: number,
      tokenTtlMs: number,
      perUnitLeft: number,
      burstMs: number,
      seed: string,
      most: number,
    ): Result<(string | number)[], Context>;
    useAdmission(tickets: string, unused: string, userId: number, token: string, uuid: string): Result<number, Context>;
    releaseRoomLease(lease: string, owner: string): Result<number, Context>;
  }
}

const SCRIPTS = {
  roomTicket: { file: 'room-ticket.lua', keys: 4 },
  admitRoom: { file: 'admit-room.lua', keys: 6 },
  useAdmission: { file: 'use-admission.lua', keys: 2 },
  releaseRoomLease: { file: 'release-lease.lua', keys: 1 },
} as const;

/** The room's .lua files as commands on a connection (EVALSHA, with EVAL fallback); once per connection. */
export function defineRoomScripts(redis: RedisClient): void {
  if ((redis as { roomTicket?: unknown }).roomTicket) return;
  for (const [name, spec] of Object.entries(SCRIPTS)) {
    redis.defineCommand(name, { numberOfKeys: spec.keys, lua: readFileSync(join(__dirname, 'scripts', spec.file), 'utf8') });
  }
}
