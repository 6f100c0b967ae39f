import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errorBodyProblem, judge } from './judge';

const body = (o: unknown) => JSON.stringify(o);

describe('errorBodyProblem (the error-body checker)', () => {
  it('accepts the contract shape, extra fields included', () => {
    assert.equal(errorBodyProblem(400, body({ statusCode: 400, code: 'VALIDATION_FAILED', message: 'bad', details: { problems: [] } })), undefined);
    assert.equal(errorBodyProblem(429, body({ statusCode: 429, code: 'RATE_LIMITED', message: 'slow down' })), undefined);
  });

  it('names what is wrong: not JSON, not an object, a status mismatch, an unknown code, no message', () => {
    assert.match(errorBodyProblem(400, '<html>')!, /not JSON/);
    assert.match(errorBodyProblem(400, '')!, /not JSON/);
    assert.match(errorBodyProblem(400, '[1]')!, /not an object/);
    assert.match(errorBodyProblem(400, 'null')!, /not an object/);
    assert.match(errorBodyProblem(404, body({ statusCode: 400, code: 'NOT_FOUND', message: 'x' }))!, /statusCode 400 differs/);
    assert.match(errorBodyProblem(400, body({ statusCode: 400, code: 'FST_ERR_BAD_URL', message: 'x' }))!, /"FST_ERR_BAD_URL" is not a known ErrorCode/);
    assert.match(errorBodyProblem(431, body({ statusCode: 431, error: 'Request Header Fields Too Large' }))!, /code undefined/);
    assert.match(errorBodyProblem(400, body({ statusCode: 400, code: 'VALIDATION_FAILED' }))!, /message undefined/);
  });
});

describe('judge', () => {
  const ok = body({ statusCode: 400, code: 'VALIDATION_FAILED', message: 'bad' });

  it('finds every 5xx and every request without an answer', () => {
    assert.equal(judge({ status: 500, body: body({ statusCode: 500, code: 'INTERNAL', message: 'internal error' }) }, false)?.kind, '5xx');
    assert.equal(judge({ status: 503, body: body({ statusCode: 503, code: 'TRY_AGAIN', message: 'retry' }) }, true)?.kind, '5xx');
    assert.deepEqual(judge({ transportError: 'ECONNRESET' }, false), { kind: 'connection', detail: 'no response: ECONNRESET' });
  });

  it('checks error bodies, and refuses an accepted request only where it had to be refused', () => {
    assert.equal(judge({ status: 400, body: ok }, true), undefined);
    assert.equal(judge({ status: 400, body: 'Bad Request' }, false)?.kind, 'error body');
    assert.equal(judge({ status: 200, body: '{}' }, false), undefined);
    assert.equal(judge({ status: 201, body: '{}' }, true)?.kind, 'accepted');
    assert.equal(judge({ status: 302, body: '' }, true)?.kind, 'accepted');
  });
});
