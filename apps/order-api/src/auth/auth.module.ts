import { Global, Module } from '@nestjs/common';
import { TokenModule } from '@seckill/auth';
import { AuthController } from './auth.controller';
import { AdminGuard, BearerGuard } from './auth.guards';
import { AuthService } from './auth.service';
import { PasswordHasher } from './password-hasher';

@Global()
@Module({
  imports: [TokenModule],
  controllers: [AuthController],
  providers: [AuthService, PasswordHasher, BearerGuard, AdminGuard],
  exports: [BearerGuard, AdminGuard],
})
export class AuthModule {}
