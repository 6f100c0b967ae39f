import { Module } from '@nestjs/common';
import { ClientConfigController } from './client-config.controller';
import { ShopPageController } from './shop-page.controller';

/** What order-api serves to the shopper's browser: the page at `/` and its settings. */
@Module({ controllers: [ClientConfigController, ShopPageController] })
export class ClientConfigModule {}
