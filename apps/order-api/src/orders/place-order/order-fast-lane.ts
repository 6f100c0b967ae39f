import { Injectable } from '@nestjs/common';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { VerifiedTokens } from '@seckill/auth';
import { DomainError } from '@seckill/contracts';
import { errorBodyOf } from '../../http/error-body';
import { sendError } from '../../http/error-reply';
import { SaleCache } from '../../sale-items/sale-cache';
import { refusalFromMemory } from './order-refusals';
import { placeOrderBodyPipe } from './place-order.schema';
import { SoldOutFlags } from './sold-out-flags';

/** The order route as Fastify knows it (PlaceOrderController). */
export const ORDER_ROUTE = { method: 'POST', url: '/api/seckill/orders' } as const;

/**
 * The sold-out fast lane: a Fastify hook on the order route that answers what this instance's memory already
 * knows — sold out, not started, ended, unknown item — before Nest's router, guard, pipe and exception zone. In a
 * flash sale nearly every request after the first second ends here. Anything it cannot answer from memory goes
 * on to PlaceOrderController unchanged.
 *
 * It keeps the order route's precedence: no bearer token, or a bad one, is still 401 first (the token is checked
 * through VerifiedTokens, so a shopper's repeated clicks cost one HMAC), a bad body still gets the pipe's 400
 * with its problems; only then the sale's state. The rules are refusalFromMemory's, the answer is errorBodyOf's
 * and sendError's: the same code becomes the same status and body on both paths.
 */
@Injectable()
export class OrderFastLane {
  constructor(
    private readonly saleCache: SaleCache,
    private readonly flags: SoldOutFlags,
    private readonly tokens: VerifiedTokens,
  ) {}

  install(fastify: FastifyInstance): void {
    // preHandler: after Fastify parsed the body and before the route's handler, which is where Nest's pipeline runs.
    fastify.addHook('preHandler', (req, reply, done) => {
      if (req.method !== ORDER_ROUTE.method || req.routeOptions.url !== ORDER_ROUTE.url) return done();
      const refusal = this.refusal(req);
      if (refusal === undefined) return done();
      sendError(reply, errorBodyOf(refusal));
    });
  }

  /** The refusal memory alone can give this request, or undefined to let the full path decide. */
  refusal(req: FastifyRequest): DomainError | undefined {
    const header = req.headers.authorization;
    if (typeof header !== 'string' || !header.startsWith('Bearer ')) return undefined;
    try {
      this.tokens.verify(header.slice('Bearer '.length).trim());
    } catch (err) {
      return err instanceof DomainError ? err : undefined;
    }
    const body = req.body;
    if (!placeOrderBodyPipe.accepts(body)) return undefined;
    const sale = this.saleCache.get(body.seckillGoodId);
    if (sale instanceof Promise) {
      // Not in memory yet: the full path awaits the same load (SaleCache shares it) and answers its failure.
      sale.catch(() => undefined);
      return undefined;
    }
    return refusalFromMemory(sale, this.flags, body.seckillGoodId, body.admissionToken);
  }
}
