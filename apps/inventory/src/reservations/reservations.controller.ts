import { Body, Controller, Header, HttpCode, Post, Req, Res, UseFilters } from '@nestjs/common';
import type { ReservationResponse } from '@sdp/contracts';
import { RequireIdentity } from '@sdp/identity';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { InventoryErrorFilter } from '../inventory-errors.filter';
import { parseReservationRequest } from './dto/reservation-request';
import { ReservationsService } from './reservations.service';

@Controller('reservations')
@RequireIdentity('service')
@UseFilters(InventoryErrorFilter)
export class ReservationsController {
  constructor(private readonly reservations: ReservationsService) {}

  /** 201 when the hold is new, 200 when the order already had it (idempotent replay). */
  @Post()
  @HttpCode(201)
  @Header('Cache-Control', 'no-store')
  async reserve(
    @Body() body: unknown,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ReservationResponse> {
    const result = await this.reservations.reserve(parseReservationRequest(body), String(request.id));
    if (result.replayed) void reply.status(200);
    return result.reservation;
  }
}
