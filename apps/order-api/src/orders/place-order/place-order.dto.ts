import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';

/** The order body as OpenAPI shows it; requests are checked by parsePlaceOrderBody (same rules, no reflection). */
export class PlaceOrderDto {
  @ApiProperty({ example: 1 })
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  seckillGoodId!: number;

  @ApiPropertyOptional({
    description: 'Idempotency key chosen by the client (a UUID): the same user sending it again gets the same uuid and outcome.',
    example: '0b8f6f3a-8e8c-4c55-9d7c-1f2e3d4c5b6a',
  })
  @IsOptional()
  @IsUUID()
  requestId?: string;
}
