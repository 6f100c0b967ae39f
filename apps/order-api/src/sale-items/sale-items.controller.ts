import { Body, Controller, Get, HttpCode, Param, ParseIntPipe, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { DomainError, ErrorCode, type SaleItem } from '@seckill/contracts';
import { StockBroadcast } from '@seckill/messaging';
import { StockSync, type ReconcileReport } from '@seckill/order-lifecycle';
import { AdminGuard, BearerGuard } from '../auth/auth.guards';
import { AddStockDto, CreateSaleItemDto } from './dto/create-sale-item.dto';
import { SaleItemsService } from './sale-items.service';

/** Ids are positive 32-bit integers; anything else is a 404, not a database error. */
export const itemIdPipe = new ParseIntPipe({
  exceptionFactory: () => new DomainError(ErrorCode.GOOD_NOT_FOUND, 'no such sale item'),
});

export function assertItemId(id: number): number {
  if (!Number.isSafeInteger(id) || id <= 0 || id > 2_147_483_647) throw new DomainError(ErrorCode.GOOD_NOT_FOUND, 'no such sale item');
  return id;
}

@ApiTags('sale items')
@Controller('api/seckill/goods')
export class SaleItemsController {
  constructor(private readonly saleItems: SaleItemsService) {}

  @Get()
  list(): Promise<SaleItem[]> {
    return this.saleItems.list();
  }

  @Get(':id')
  detail(@Param('id', itemIdPipe) id: number): Promise<SaleItem> {
    return this.saleItems.detail(assertItemId(id));
  }
}

@ApiTags('admin')
@ApiBearerAuth()
@UseGuards(BearerGuard, AdminGuard)
@Controller('api/admin/seckill/goods')
export class AdminSaleItemsController {
  constructor(
    private readonly saleItems: SaleItemsService,
    private readonly sync: StockSync,
    private readonly broadcast: StockBroadcast,
  ) {}

  @Post()
  create(@Body() dto: CreateSaleItemDto): Promise<SaleItem> {
    return this.saleItems.create(dto);
  }

  @Post(':id/stock')
  @HttpCode(200)
  addStock(@Param('id', itemIdPipe) id: number, @Body() dto: AddStockDto): Promise<SaleItem> {
    return this.saleItems.addStock(assertItemId(id), dto);
  }

  /** Recomputes Redis from PostgreSQL for one item and clears every sold-out flag (a unit may have reappeared). */
  @Post(':id/reconcile')
  @HttpCode(200)
  async reconcile(@Param('id', itemIdPipe) id: number): Promise<ReconcileReport> {
    const report = await this.sync.reconcile(assertItemId(id));
    await this.broadcast.unitsBack(id, 'reconcile');
    return report;
  }
}
