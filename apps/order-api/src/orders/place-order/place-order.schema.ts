import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { JsonSchemaPipe } from '../../http/json-schema.pipe';

/** The order body once validated by placeOrderBodySchema (the schema is the rule; this only names its result). */
export interface PlaceOrderBody {
  seckillGoodId: number;
  requestId?: string | null;
  admissionToken?: string | null;
}

/**
 * The order body, stated once: ajv compiles it and checks every order (http/json-schema.pipe.ts, after the
 * bearer guard), and OpenAPI shows the same object. Unknown fields are refused, not dropped, so a client typo
 * is visible at once.
 */
export const placeOrderBodySchema: SchemaObject = {
  type: 'object',
  properties: {
    seckillGoodId: { type: 'integer', minimum: 1, maximum: 2_147_483_647, description: 'The sale item.' },
    requestId: {
      type: 'string',
      nullable: true,
      // Any version (no format: ajv-formats' uuid would also take a `urn:uuid:` prefix): the uuid becomes the
      // request's own uuid, so it must be the bare 8-4-4-4-12 form every message parser expects.
      pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
      description: 'Idempotency key chosen by the client (a UUID): the same user sending it again gets the same uuid and outcome. null is the same as leaving it out.',
    },
    admissionToken: {
      type: 'string',
      nullable: true,
      minLength: 1,
      maxLength: 128,
      pattern: '^[0-9a-f]+$',
      description: "The waiting room's admission token (RoomTicket.admissionToken): required while the item's room is on; single-use.",
    },
  },
  required: ['seckillGoodId'],
  additionalProperties: false,
};

/** The one compiled check of the order body, shared by the controller's pipe and the fast lane. */
export const placeOrderBodyPipe = new JsonSchemaPipe<PlaceOrderBody>(placeOrderBodySchema);
