import type { SaleOps } from '@seckill/contracts';

/**
 * The console's own additions to the ops API's shapes (those come from libs/contracts): the count columns of a
 * sale's row, in display order. Each must be a key of the overview's counts, or the page does not compile.
 */
export const ORDER_STATUSES = ['UNPAID', 'PAID', 'CANCELLED', 'TIMEOUT'] as const satisfies readonly (keyof SaleOps['orders'])[];
export const REQUEST_STATUSES = ['SUCCESS', 'FAIL'] as const satisfies readonly (keyof SaleOps['requests'])[];
