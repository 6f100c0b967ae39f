import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { LoginAnswer, Registered } from '@seckill/contracts';
import { AuthService } from './auth.service';
import { CredentialsDto, LoginDto } from './dto/credentials.dto';

@ApiTags('auth')
@Controller('api/auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('register')
  register(@Body() dto: CredentialsDto, @Req() req: FastifyRequest): Promise<Registered> {
    return this.auth.register(dto.username, dto.password, req.ip);
  }

  @Post('login')
  @HttpCode(200)
  login(@Body() dto: LoginDto, @Req() req: FastifyRequest): Promise<LoginAnswer> {
    return this.auth.login(dto.username, dto.password, req.ip);
  }
}
