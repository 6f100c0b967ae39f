import { Catch, type RpcExceptionFilter } from '@nestjs/common';
import { throwError, type Observable } from 'rxjs';

/**
 * Nest's default RPC exception filter replaces any error a handler throws with `{status: 'error', message:
 * 'Internal server error'}`. The consumer needs the real error to tell an outage (a dependency named by the
 * error) from a failure, so every microservice of the product uses this filter instead, and no HTTP pipe or
 * filter (their Nest app config is not inherited: the HTTP validation pipe would walk a Delivery's channel).
 */
@Catch()
export class RethrowRpcErrors implements RpcExceptionFilter<unknown> {
  catch(exception: unknown): Observable<never> {
    return throwError(() => exception);
  }
}
