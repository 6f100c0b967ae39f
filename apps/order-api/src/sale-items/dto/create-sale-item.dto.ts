import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsISO8601, IsOptional, IsString, Length, Matches, Max, Min, ValidateNested } from 'class-validator';
import { WaitingRoomOnCreateDto } from '../../waiting-room/room-settings.dto';

const MONEY = /^\d{1,10}(\.\d{1,2})?$/;

export class CreateSaleItemDto {
  @ApiProperty({ example: 'Mechanical keyboard' })
  @IsString()
  @Length(1, 200)
  @Matches(/^[^\u0000]*$/, { message: 'name must not contain NUL' }) // PostgreSQL text cannot hold one: it was a 500 (npm run fuzz)
  name!: string;

  @ApiProperty({ example: '129.00', description: 'decimal string, at most two decimals' })
  @IsString()
  @Matches(MONEY, { message: 'price must be a decimal string with at most two decimals, e.g. "129.00"' })
  price!: string;

  @ApiProperty({ example: '9.90' })
  @IsString()
  @Matches(MONEY, { message: 'seckillPrice must be a decimal string with at most two decimals, e.g. "9.90"' })
  seckillPrice!: string;

  @ApiProperty({ example: 100, minimum: 1, maximum: 1_000_000 })
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  stock!: number;

  @ApiProperty({ example: '2026-11-22T12:00:00Z' })
  @IsISO8601({ strict: true })
  startTime!: string;

  @ApiProperty({ example: '2026-11-22T13:00:00Z' })
  @IsISO8601({ strict: true })
  endTime!: string;

  @ApiProperty({ required: false, type: WaitingRoomOnCreateDto, description: 'Start with the waiting room on.' })
  @IsOptional()
  @ValidateNested()
  @Type(() => WaitingRoomOnCreateDto)
  waitingRoom?: WaitingRoomOnCreateDto;
}

export class AddStockDto {
  @ApiProperty({ example: 50, minimum: 1, maximum: 1_000_000 })
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  delta!: number;
}
