import { Body, Controller, Get, HttpCode, Param, Post, Put, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { AuthUser } from '@seckill/auth';
import type { RoomTicket, WaitingRoom } from '@seckill/contracts';
import { AdminGuard, BearerGuard, CurrentUser } from '../auth/auth.guards';
import { assertItemId, itemIdPipe } from '../sale-items/sale-items.controller';
import { WaitingRoomSettingsDto } from './room-settings.dto';
import { RoomService } from './room.service';

@ApiTags('waiting room')
@ApiBearerAuth()
@UseGuards(BearerGuard)
@Controller('api/seckill/goods/:id/room')
export class RoomController {
  constructor(private readonly rooms: RoomService) {}

  /** Joins the item's waiting room (joining again keeps the place); OPEN when the item has no room. */
  @Post()
  @HttpCode(200)
  join(@CurrentUser() user: AuthUser, @Param('id', itemIdPipe) id: number, @Req() req: FastifyRequest): Promise<RoomTicket> {
    return this.rooms.join(user.id, assertItemId(id), req.ip);
  }

  /** Where the shopper stands: WAITING (position, ETA), ADMITTED (token), CLOSED; 404 NOT_IN_ROOM before joining. */
  @Get()
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
  configure(@Param('id', itemIdPipe) id: number, @Body() dto: WaitingRoomSettingsDto): Promise<WaitingRoom> {
    return this.rooms.configure(assertItemId(id), dto);
  }

  @Get()
  settings(@Param('id', itemIdPipe) id: number): Promise<WaitingRoom> {
    return this.rooms.settings(assertItemId(id));
  }
}
