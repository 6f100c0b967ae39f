import { Injectable, type PipeTransform } from '@nestjs/common';
import { DomainError, ErrorCode } from '@seckill/contracts';

export interface PlaceOrderBody {
  seckillGoodId: number;
  requestId?: string;
}

const MAX_ID = 2_147_483_647;
// Any version, as class-validator's IsUUID() accepts: the uuid is only an idempotency key here.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const FIELDS = new Set(['seckillGoodId', 'requestId']);

/**
 * The order body, checked by hand: it is the one body of the flood, and class-transformer plus
 * class-validator cost ~8 % of order-api's CPU for two fields (docs/benchmarks.md). The rules and messages are
 * those of PlaceOrderDto (which still describes the body in OpenAPI): unknown fields refused, a positive int32
 * item id, an optional UUID.
 */
export function parsePlaceOrderBody(body: unknown): PlaceOrderBody {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid('the body must be a JSON object');
  const problems: string[] = [];
  for (const key of Object.keys(body)) if (!FIELDS.has(key)) problems.push(`property ${key} should not exist`);
  const { seckillGoodId, requestId } = body as Record<string, unknown>;
  if (typeof seckillGoodId !== 'number' || !Number.isInteger(seckillGoodId)) problems.push('seckillGoodId must be an integer number');
  else if (seckillGoodId < 1) problems.push('seckillGoodId must not be less than 1');
  else if (seckillGoodId > MAX_ID) problems.push(`seckillGoodId must not be greater than ${MAX_ID}`);
  if (requestId !== undefined && requestId !== null && (typeof requestId !== 'string' || !UUID.test(requestId))) problems.push('requestId must be a UUID');
  if (problems.length > 0) throw invalid(problems.join('; '), problems);
  return typeof requestId === 'string' ? { seckillGoodId: seckillGoodId as number, requestId } : { seckillGoodId: seckillGoodId as number };
}

function invalid(message: string, problems: string[] = [message]): DomainError {
  return new DomainError(ErrorCode.VALIDATION_FAILED, message, { problems });
}

@Injectable()
export class PlaceOrderBodyPipe implements PipeTransform<unknown, PlaceOrderBody> {
  transform(body: unknown): PlaceOrderBody {
    return parsePlaceOrderBody(body);
  }
}
