export { ConfigModule, APP_CONFIG } from './config.module';
export { appConfig, loadConfig, configSchema, ConfigError, DEV_JWT_SECRET, type AppConfig } from './config.schema';
export { amqpVhost, nodeAddress, rabbitmqVhost, splitUrlList, withVhost } from './url-list';
