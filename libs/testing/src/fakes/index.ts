export { asReal, type Public } from './public';
export { recordingLogger, type LoggedLine } from './recording-logger';
export { FakePublisher, FakeStockBroadcast, type Published } from './fake-publisher';
export { FakeSaleItems, FakeOrders, FakeOrderRequests, FakeUsers } from './fake-repositories';
export { FakeStock } from './fake-stock';
export { FakeRedis, FakeRedisServer, FakeMulti } from './fake-redis';
export { FakeWebSocket } from './fake-websocket';
export { FakeManagementClient } from './fake-management';
export { deliveryOf } from './fake-delivery';
