import { Global, Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@seckill/config';
import { TokenService } from './token.service';

@Global()
@Module({
  providers: [
    {
      provide: TokenService,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => new TokenService(config.JWT_SECRET, config.JWT_EXPIRES_IN_SECONDS),
    },
  ],
  exports: [TokenService],
})
export class TokenModule {}
