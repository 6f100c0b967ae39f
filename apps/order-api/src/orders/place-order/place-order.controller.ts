import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import { BearerGuard, CurrentUser } from '../../auth/auth.guards';
import type { AuthUser } from '@seckill/auth';
import { PlaceOrderBodyPipe, type PlaceOrderBody } from './place-order.body';
import { PlaceOrderDto } from './place-order.dto';
import { PlaceOrderService, type Accepted } from './place-order.service';

@ApiTags('orders')
@ApiBearerAuth()
@UseGuards(BearerGuard)
@Controller('api/seckill/orders')
export class PlaceOrderController {
  constructor(private readonly placeOrder: PlaceOrderService) {}

  /** 202: the order is queued; its outcome arrives on the WebSocket and at GET /api/seckill/orders/{uuid}. */
  @Post()
  @HttpCode(202)
  @ApiBody({ type: PlaceOrderDto })
  place(@CurrentUser() user: AuthUser, @Body(PlaceOrderBodyPipe) body: PlaceOrderBody): Promise<Accepted> {
    return this.placeOrder.place(user.id, body.seckillGoodId, body.requestId);
  }
}
