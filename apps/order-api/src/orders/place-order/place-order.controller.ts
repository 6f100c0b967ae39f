import { Body, Controller, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { BearerGuard, CurrentUser } from '../../auth/auth.guards';
import type { AuthUser } from '@seckill/auth';
import type { OrderAccepted } from '@seckill/contracts';
import { placeOrderBodyPipe, placeOrderBodySchema, type PlaceOrderBody } from './place-order.schema';
import { PlaceOrderService } from './place-order.service';

@ApiTags('orders')
@ApiBearerAuth()
@UseGuards(BearerGuard)
@Controller('api/seckill/orders')
export class PlaceOrderController {
  constructor(private readonly placeOrder: PlaceOrderService) {}

  /** 202: the order is queued; its outcome arrives on the WebSocket and at GET /api/seckill/orders/{uuid}. */
  @Post()
  @HttpCode(202)
  @ApiBody({ schema: placeOrderBodySchema, examples: { order: { value: { seckillGoodId: 1, requestId: '0b8f6f3a-8e8c-4c55-9d7c-1f2e3d4c5b6a' } } } })
  place(
    @CurrentUser() user: AuthUser,
    @Body(placeOrderBodyPipe) body: PlaceOrderBody,
    @Req() req: FastifyRequest,
  ): Promise<OrderAccepted> {
    return this.placeOrder.place(user.id, body.seckillGoodId, body.requestId ?? undefined, req.ip, body.admissionToken ?? undefined);
  }
}
