import { Global, Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@seckill/config';
import { TokenService } from './token.service';
import { VerifiedTokens } from './verified-tokens';

@Global()
@Module({
  providers: [
    {
      provide: TokenService,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => new TokenService(config.JWT_SECRET, config.JWT_EXPIRES_IN_SECONDS),
    },
    {
      provide: VerifiedTokens,
      inject: [TokenService, APP_CONFIG],
      useFactory: (tokens: TokenService, config: AppConfig) => new VerifiedTokens(tokens, config.VERIFIED_TOKEN_CACHE_ENTRIES),
    },
  ],
  exports: [TokenService, VerifiedTokens],
})
export class TokenModule {}
