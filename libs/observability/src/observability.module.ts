import { Module, type DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { APP_CONFIG, type AppConfig } from '@seckill/config';
import { loggerParams } from './logger-options';

/** Structured logging (pino) for one app; metrics join this module later. */
@Module({})
export class ObservabilityModule {
  static forRoot(app: string): DynamicModule {
    return {
      module: ObservabilityModule,
      imports: [
        LoggerModule.forRootAsync({
          inject: [APP_CONFIG],
          useFactory: (config: AppConfig) => loggerParams(app, config.LOG_LEVEL),
        }),
      ],
      exports: [LoggerModule],
    };
  }
}
