import type { Scenario } from '../scenario';
import { postgresBlackhole, postgresStop10, postgresStop90, rabbitmqRestart, redisRestartEmpty, workerBrokerCut } from './infrastructure';
import { apiKilled, apiTerminated, notifierKilled, workerKilledTwice } from './processes';

/** Every scenario, in the order a full run takes them. */
export const SCENARIOS: readonly Scenario[] = [
  rabbitmqRestart,
  redisRestartEmpty,
  postgresStop10,
  postgresStop90,
  postgresBlackhole,
  workerKilledTwice,
  apiKilled,
  apiTerminated,
  notifierKilled,
  workerBrokerCut,
];
