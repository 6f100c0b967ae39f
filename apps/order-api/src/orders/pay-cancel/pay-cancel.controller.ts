import { Controller, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '@seckill/auth';
import { DomainError, ErrorCode, type OrderView } from '@seckill/contracts';
import { OrderLifecycleService } from '@seckill/order-lifecycle';
import { BearerGuard, CurrentUser } from '../../auth/auth.guards';

const ORDER_NO = /^[0-9]{1,32}$/;

function orderNo(raw: string): string {
  if (!ORDER_NO.test(raw)) throw new DomainError(ErrorCode.ORDER_NOT_FOUND, 'no such order');
  return raw;
}

/** Pay or cancel one's own order; the race rules are in docs/order-lifecycle.md. */
@ApiTags('orders')
@ApiBearerAuth()
@UseGuards(BearerGuard)
@Controller('api/orders')
export class PayCancelController {
  constructor(private readonly lifecycle: OrderLifecycleService) {}

  @Post(':orderNo/pay')
  @HttpCode(200)
  pay(@CurrentUser() user: AuthUser, @Param('orderNo') no: string): Promise<OrderView> {
    return this.lifecycle.pay(user.id, orderNo(no));
  }

  @Post(':orderNo/cancel')
  @HttpCode(200)
  cancel(@CurrentUser() user: AuthUser, @Param('orderNo') no: string): Promise<OrderView> {
    return this.lifecycle.cancel(user.id, orderNo(no));
  }
}
