import { ApiProperty } from '@nestjs/swagger';
import { IsBoolean, IsInt, Max, Min } from 'class-validator';

/** Bounds of the room's settings, the same as the table's checks (migration 1764720000000). */
const MAX_ADMIT_PER_SECOND = 100_000;
const MAX_PRE_QUEUE_SECONDS = 86_400;

export class WaitingRoomOnCreateDto {
  @ApiProperty({ example: 50, minimum: 1, maximum: MAX_ADMIT_PER_SECOND, description: 'Shoppers admitted per second, across all instances.' })
  @IsInt()
  @Min(1)
  @Max(MAX_ADMIT_PER_SECOND)
  admitPerSecond!: number;

  @ApiProperty({ example: 300, minimum: 0, maximum: MAX_PRE_QUEUE_SECONDS, description: 'The room opens this long before the start; who joins within it gets a random place.' })
  @IsInt()
  @Min(0)
  @Max(MAX_PRE_QUEUE_SECONDS)
  preQueueSeconds!: number;
}

/** PUT /api/admin/seckill/goods/:id/waiting-room. */
export class WaitingRoomSettingsDto extends WaitingRoomOnCreateDto {
  @ApiProperty({ example: true })
  @IsBoolean()
  enabled!: boolean;
}
