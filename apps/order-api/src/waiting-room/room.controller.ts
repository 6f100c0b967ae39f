import { Body, Controller, Get, HttpCode, Param, Post, Put, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { AuthUser } from '@seckill/auth';
import type { RoomTicket, WaitingRoom } from '@seckill/contracts';
import { AdminGuard, BearerGuard, CurrentUser } from '../auth/auth.guards';
import { assertItemId, itemIdPipe } from '../sale-items/sale-items.controller';
import { WaitingRoomSettingsDto } from './room-settings.dto';
import { RoomService } from './room.service';

/** What the OpenAPI UI shows of the room's answers (the shapes are libs/contracts/src/waiting-room.ts). */
const TICKET_EXAMPLES = {
  waiting: { seckillGoodId: 1, status: 'WAITING', position: 4312, ahead: 4311, etaSeconds: 86.3 },
  admitted: { seckillGoodId: 1, status: 'ADMITTED', admissionToken: '5f0c9e2a7b1d4c3e8a6f0b1c0001', expiresAt: '2026-11-22T12:01:00.000Z' },
  closed: { seckillGoodId: 1, status: 'CLOSED', reason: 'SOLD_OUT' },
  open: { seckillGoodId: 1, status: 'OPEN' },
};
const TICKET_RESPONSE = {
  description: 'RoomTicket: OPEN (no room: order directly), WAITING (position, ahead, etaSeconds), ADMITTED (a single-use admissionToken until expiresAt), CLOSED (reason SOLD_OUT or ENDED).',
  content: { 'application/json': { examples: Object.fromEntries(Object.entries(TICKET_EXAMPLES).map(([k, value]) => [k, { value }])) } },
};
const WAITING_ROOM_RESPONSE = {
  description: 'WaitingRoom: the settings, and how many wait and were admitted so far.',
  schema: { example: { seckillGoodId: 1, enabled: true, admitPerSecond: 50, preQueueSeconds: 300, waiting: 4311, admitted: 1200 } },
};

@ApiTags('waiting room')
@ApiBearerAuth()
@UseGuards(BearerGuard)
@Controller('api/seckill/goods/:id/room')
export class RoomController {
  constructor(private readonly rooms: RoomService) {}

  /** Joins the item's waiting room (joining again keeps the place); OPEN when the item has no room. */
  @Post()
  @HttpCode(200)
  @ApiOkResponse(TICKET_RESPONSE)
  join(@CurrentUser() user: AuthUser, @Param('id', itemIdPipe) id: number, @Req() req: FastifyRequest): Promise<RoomTicket> {
    return this.rooms.join(user.id, assertItemId(id), req.ip);
  }

  /** Where the shopper stands: WAITING (position, ETA), ADMITTED (token), CLOSED; 404 NOT_IN_ROOM before joining. */
  @Get()
  @ApiOkResponse(TICKET_RESPONSE)
  ticket(@CurrentUser() user: AuthUser, @Param('id', itemIdPipe) id: number): Promise<RoomTicket> {
    return this.rooms.ticket(user.id, assertItemId(id));
  }
}

@ApiTags('admin')
@ApiBearerAuth()
@UseGuards(BearerGuard, AdminGuard)
@Controller('api/admin/seckill/goods/:id/waiting-room')
export class AdminRoomController {
  constructor(private readonly rooms: RoomService) {}

  /** Switches the room on or off and sets its pace; takes effect at once, also mid-sale. */
  @Put()
  @ApiOkResponse(WAITING_ROOM_RESPONSE)
  configure(@Param('id', itemIdPipe) id: number, @Body() dto: WaitingRoomSettingsDto): Promise<WaitingRoom> {
    return this.rooms.configure(assertItemId(id), dto);
  }

  @Get()
  @ApiOkResponse(WAITING_ROOM_RESPONSE)
  settings(@Param('id', itemIdPipe) id: number): Promise<WaitingRoom> {
    return this.rooms.settings(assertItemId(id));
  }
}
