import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { APP_CONFIG, type AppConfig } from '@seckill/config';
import type { ClientConfig } from '@seckill/contracts';

@ApiTags('shop page')
@Controller('api/client-config')
export class ClientConfigController {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  @Get()
  @ApiOkResponse({
    description: 'Settings of the shopper page (no secrets): the notifier URL (or null and its port) and the payment window.',
    schema: { example: { notifierUrl: null, notifierPort: 8085, paymentWindowSeconds: 900 } },
  })
  get(): ClientConfig {
    return {
      notifierUrl: this.config.NOTIFIER_PUBLIC_URL?.replace(/\/+$/, '') ?? null,
      notifierPort: this.config.NOTIFIER_PORT,
      paymentWindowSeconds: this.config.PAYMENT_WINDOW_SECONDS,
    };
  }
}
