import type { OpenApiDocument } from './openapi';

/** A document of the same shape as order-api's /docs-json (refs, nullable, security, path parameters). */
export const TEST_DOC: OpenApiDocument = {
  paths: {
    '/health': { get: {} },
    '/api/auth/register': { post: { requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/CredentialsDto' } } } } } },
    '/api/seckill/goods/{id}': { get: { parameters: [{ name: 'id', in: 'path', schema: { type: 'number' } }] } },
    '/api/admin/seckill/goods/{id}/stock': {
      post: {
        parameters: [{ name: 'id', in: 'path', schema: { type: 'number' } }],
        requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/AddStockDto' } } } },
        security: [{ bearer: [] }],
      },
    },
    '/api/seckill/orders': {
      post: {
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                properties: {
                  seckillGoodId: { type: 'integer', minimum: 1, maximum: 2147483647 },
                  requestId: { type: 'string', nullable: true, pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$' },
                },
                required: ['seckillGoodId'],
                additionalProperties: false,
              },
            },
          },
        },
        security: [{ bearer: [] }],
      },
    },
    '/api/orders/{orderNo}/pay': { post: { parameters: [{ name: 'orderNo', in: 'path', schema: { type: 'string' } }], security: [{ bearer: [] }] } },
    '/api/seckill/orders/{uuid}': { get: { parameters: [{ name: 'uuid', in: 'path', schema: { type: 'string' } }, { name: 'verbose', in: 'query', schema: { type: 'boolean' } }], security: [{ bearer: [] }] } },
  },
  components: {
    schemas: {
      CredentialsDto: {
        type: 'object',
        properties: { username: { type: 'string', example: 'alice' }, password: { type: 'string', minLength: 8, maxLength: 128 } },
        required: ['username', 'password'],
      },
      AddStockDto: { type: 'object', properties: { delta: { type: 'number', minimum: 1, maximum: 1000000 } }, required: ['delta'] },
    },
  },
};
