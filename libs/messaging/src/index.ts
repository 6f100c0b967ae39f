export * from './topology';
export { createAmqpConnection, type AmqpConnectionOptions } from './amqp-connection';
export { ConfirmedPublisher, PublishTimeoutError, type PublishMeta } from './confirmed-publisher';
export { Delivery, type Disposition } from './delivery';
export {
  BaseQueueConsumer,
  QueueConsumer,
  BatchConsumer,
  type BatchHandler,
  type BatchOptions,
  type MessageHandler,
  type QueueConsumerOptions,
  type ConsumerLogger,
} from './queue-consumer';
export { MessagingModule, AMQP_CONNECTION } from './messaging.module';
export { ManagementClient, type QueueInfo } from './management-client';
export { StockBroadcastListener } from './stock-broadcast.listener';
export { AmqpQueueServer, type AmqpQueueServerOptions } from './amqp-queue.server';
export { rabbitmqCheck } from './rabbitmq.check';
export { parseOrPark } from './parse-or-park';
