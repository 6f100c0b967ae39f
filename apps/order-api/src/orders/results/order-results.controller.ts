import { Controller, Get, Param, ParseUUIDPipe, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { DomainError, ErrorCode, type OrderResult, type OrderView } from '@seckill/contracts';
import { BearerGuard, CurrentUser } from '../../auth/auth.guards';
import type { AuthUser } from '@seckill/auth';
import { OrderResultsService } from './order-results.service';

const uuidPipe = new ParseUUIDPipe({
  exceptionFactory: () => new DomainError(ErrorCode.REQUEST_NOT_FOUND, 'no such order request'),
});

@ApiTags('orders')
@ApiBearerAuth()
@UseGuards(BearerGuard)
@Controller('api')
export class OrderResultsController {
  constructor(private readonly results: OrderResultsService) {}

  /** Polling fallback for the WebSocket push. */
  @Get('seckill/orders/:uuid')
  result(@CurrentUser() user: AuthUser, @Param('uuid', uuidPipe) uuid: string): Promise<OrderResult> {
    return this.results.result(user.id, uuid);
  }

  @Get('orders')
  mine(@CurrentUser() user: AuthUser): Promise<OrderView[]> {
    return this.results.myOrders(user.id);
  }
}
