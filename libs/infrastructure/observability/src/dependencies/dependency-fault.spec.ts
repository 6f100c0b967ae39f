import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DependencyUnavailableError, faultOrigin } from './dependency-fault';

const err = (message: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(message), extra);

describe('faultOrigin', () => {
  it('blames PostgreSQL for server errors that mean "cannot serve you now", and nothing for statement errors', () => {
    const pg = (code: string) => err('server says no', { code, severity: 'FATAL' });
    for (const code of ['57P01', '57P03', '08006', '08001', '53300', '57014', '58030']) assert.equal(faultOrigin(pg(code)), 'postgres', code);
    for (const code of ['23505', '23503', '42P01', '22P02', '40001', '40P01']) assert.equal(faultOrigin(pg(code)), null, code);
  });

  it('looks through TypeORM\'s QueryFailedError and cause chains', () => {
    const wrapped = err('query failed', { name: 'QueryFailedError', driverError: err('terminating connection due to administrator command', { code: '57P01', severity: 'FATAL' }) });
    assert.equal(faultOrigin(wrapped), 'postgres');
    const bug = err('query failed', { name: 'QueryFailedError', code: '23503', driverError: err('violates foreign key', { code: '23503', severity: 'ERROR' }) });
    assert.equal(faultOrigin(bug), null);
    // A socket error inside a driver error is PostgreSQL's: the driver says whose socket it was.
    assert.equal(faultOrigin(err('query failed', { name: 'QueryFailedError', driverError: err('connect ECONNREFUSED 127.0.0.1:5432', { code: 'ECONNREFUSED' }) })), 'postgres');
    assert.equal(faultOrigin(err('fetch failed', { cause: err('connect ECONNREFUSED', { code: 'ECONNREFUSED' }) })), 'network');
  });

  it('knows node-postgres and pg-pool connection failures by their messages', () => {
    for (const m of ['Connection terminated unexpectedly', 'Connection terminated due to connection timeout', 'timeout exceeded when trying to connect', 'Query read timeout']) {
      assert.equal(faultOrigin(new Error(m)), 'postgres', m);
    }
  });

  it('knows ioredis failures', () => {
    assert.equal(faultOrigin(err('Reached the max retries per request limit (which is 2).', { name: 'MaxRetriesPerRequestError' })), 'redis');
    assert.equal(faultOrigin(new Error('Connection is closed.')), 'redis');
    assert.equal(faultOrigin(err('LOADING Redis is loading the dataset in memory', { name: 'ReplyError' })), 'redis');
    assert.equal(faultOrigin(err('ERR wrong number of arguments', { name: 'ReplyError' })), null, 'a wrong command is a bug');
  });

  it('knows RabbitMQ failures, and errors that name their dependency', () => {
    assert.equal(faultOrigin(err('publish not confirmed in time', { name: 'PublishTimeoutError' })), 'rabbitmq');
    assert.equal(faultOrigin(new Error('Channel closed')), 'rabbitmq');
    assert.equal(faultOrigin(new DependencyUnavailableError('redis')), 'redis');
  });

  it('says "network" for a bare socket error, and nothing for anything else', () => {
    assert.equal(faultOrigin(err('read ECONNRESET', { code: 'ECONNRESET' })), 'network');
    assert.equal(faultOrigin(new TypeError('Cannot read properties of undefined')), null);
    assert.equal(faultOrigin('a string'), null);
    assert.equal(faultOrigin(undefined), null);
  });

  it('stops on a cause cycle', () => {
    const a: Record<string, unknown> = { message: 'a' };
    a.cause = a;
    assert.equal(faultOrigin(a), null);
  });
});
