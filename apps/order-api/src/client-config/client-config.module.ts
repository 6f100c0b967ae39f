import { Module } from '@nestjs/common';
import { ClientConfigController } from './client-config.controller';
import { OpsPageController } from './ops-page.controller';
import { ShopPageController } from './shop-page.controller';

/** What order-api serves to browsers: the shop at `/` and its settings, the operations console at `/ops`. */
@Module({ controllers: [ClientConfigController, ShopPageController, OpsPageController] })
export class ClientConfigModule {}
