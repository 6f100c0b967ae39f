export * from './error-codes';
export * from './order-status';
export * from './http-dtos';
export * from './messages';
export * from './socket-frames';
export * from './ops-overview';
export * from './waiting-room';
