import { applyDecorators, Controller, UseFilters } from '@nestjs/common';
import { RethrowRpcErrors } from './rethrow-rpc-errors.filter';

/**
 * Marks a class whose `@EventPattern(queue)` methods handle the queues of consumers.ts. A Nest controller whose
 * handlers' errors reach the consumer as they were thrown (RethrowRpcErrors): the consumer tells an outage from
 * a failure by the error. (A hybrid app's microservice takes no global filters of its own, hence per class.)
 */
export function QueueHandlers(): ClassDecorator {
  return applyDecorators(Controller(), UseFilters(RethrowRpcErrors));
}
