import { Body, Controller, Get, HttpCode, Param, ParseIntPipe, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { DomainError, ErrorCode, type SaleItem } from '@seckill/contracts';
import { StockBroadcast } from '@seckill/messaging';
import { StockSync, type ReconcileReport } from '@seckill/order-lifecycle';
import { AdminGuard, BearerGuard } from '../auth/auth.guards';
import { AddStockDto, CreateGoodDto } from './dto/create-good.dto';
import { GoodsService } from './goods.service';

/** Ids are positive 32-bit integers; anything else is a 404, not a database error. */
export const goodIdPipe = new ParseIntPipe({
  exceptionFactory: () => new DomainError(ErrorCode.GOOD_NOT_FOUND, 'no such sale item'),
});

export function assertGoodId(id: number): number {
  if (!Number.isSafeInteger(id) || id <= 0 || id > 2_147_483_647) throw new DomainError(ErrorCode.GOOD_NOT_FOUND, 'no such sale item');
  return id;
}

@ApiTags('sale items')
@Controller('api/seckill/goods')
export class GoodsController {
  constructor(private readonly goods: GoodsService) {}

  @Get()
  list(): Promise<SaleItem[]> {
    return this.goods.list();
  }

  @Get(':id')
  detail(@Param('id', goodIdPipe) id: number): Promise<SaleItem> {
    return this.goods.detail(assertGoodId(id));
  }
}

@ApiTags('admin')
@ApiBearerAuth()
@UseGuards(BearerGuard, AdminGuard)
@Controller('api/admin/seckill/goods')
export class AdminGoodsController {
  constructor(
    private readonly goods: GoodsService,
    private readonly sync: StockSync,
    private readonly broadcast: StockBroadcast,
  ) {}

  @Post()
  create(@Body() dto: CreateGoodDto): Promise<SaleItem> {
    return this.goods.create(dto);
  }

  @Post(':id/stock')
  @HttpCode(200)
  addStock(@Param('id', goodIdPipe) id: number, @Body() dto: AddStockDto): Promise<SaleItem> {
    return this.goods.addStock(assertGoodId(id), dto);
  }

  /** Recomputes Redis from PostgreSQL for one item and clears every sold-out flag (a unit may have reappeared). */
  @Post(':id/reconcile')
  @HttpCode(200)
  async reconcile(@Param('id', goodIdPipe) id: number): Promise<ReconcileReport> {
    const report = await this.sync.reconcile(assertGoodId(id));
    await this.broadcast.unitsBack(id, 'reconcile');
    return report;
  }
}
