import { createSecretKey } from 'node:crypto';
import { Global, Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { APP_CONFIG, type AppConfig } from '@seckill/config';
import { AuthController } from './auth.controller';
import { AdminGuard, BearerGuard } from './auth.guards';
import { AuthService } from './auth.service';
import { PasswordHasher } from './password-hasher';
import { TokenService } from './token.service';

@Global()
@Module({
  imports: [
    JwtModule.registerAsync({
      inject: [APP_CONFIG],
      // A KeyObject, not a string: jsonwebtoken otherwise re-parses the secret (trying it as a PEM public key
      // first) on every verify, which cost ~1 ms per request in the profile.
      useFactory: (config: AppConfig) => ({ secret: createSecretKey(Buffer.from(config.JWT_SECRET)) }),
    }),
  ],
  controllers: [AuthController],
  providers: [AuthService, PasswordHasher, TokenService, BearerGuard, AdminGuard],
  exports: [TokenService, BearerGuard, AdminGuard],
})
export class AuthModule {}
