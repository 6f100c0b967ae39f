import type { Scenario } from '../scenario';
import { apiCutOff, notifierCutOff } from './hosts';
import { rabbitKill, rabbitPartition } from './rabbitmq';
import { redisFailover } from './redis';

/** In the order they run: each leaves the lab whole for the next. */
export const SCENARIOS: readonly Scenario[] = [rabbitPartition, rabbitKill, redisFailover, apiCutOff, notifierCutOff];
