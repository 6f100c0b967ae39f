import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { topicMatches } from './amqp-queue.server';

describe('topicMatches', () => {
  it('follows AMQP topic rules', () => {
    assert.equal(topicMatches('order.*', 'order.success'), true);
    assert.equal(topicMatches('order.*', 'order.a.b'), false);
    assert.equal(topicMatches('order.#', 'order.a.b'), true);
    assert.equal(topicMatches('order.#', 'order'), true);
    assert.equal(topicMatches('#', 'anything.at.all'), true);
    assert.equal(topicMatches('order.fail', 'order.success'), false);
  });
});
