/**
 * ajv options for the route schemas Fastify compiles (fastify's `ajv.customOptions`), over Fastify's defaults:
 * - removeAdditional off: with Fastify's default a field outside `additionalProperties: false` is silently
 *   deleted; the contract refuses unknown fields (400), so a client typo is visible at once.
 * - coerceTypes off: with the default, `"1"` or `true` would pass as the integer 1; the contract refuses
 *   wrong types.
 * - allErrors on: a 400 names every problem of the body at once (bodies are small: HTTP_BODY_LIMIT_BYTES).
 */
export const AJV_CUSTOM_OPTIONS = { removeAdditional: false, coerceTypes: false, allErrors: true } as const;
