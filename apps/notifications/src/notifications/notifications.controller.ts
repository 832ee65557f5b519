import { Controller, Get, Header, Query, Req, Res } from '@nestjs/common';
import { CurrentIdentity, type Identity, RequireIdentity } from '@sdp/identity';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ListNotificationsQuery } from './dto/list-notifications.query';
import type { NotificationView } from './notification';
import { NotificationStreams } from './notification-streams';
import { NotificationsService } from './notifications.service';

@Controller('notifications')
@RequireIdentity('customer')
export class NotificationsController {
  constructor(
    private readonly notifications: NotificationsService,
    private readonly streams: NotificationStreams,
  ) {}

  @Get()
  @Header('Cache-Control', 'private, no-store')
  async list(
    @CurrentIdentity() identity: Identity,
    @Query() { limit }: ListNotificationsQuery,
  ): Promise<{ items: NotificationView[] }> {
    return { items: await this.notifications.recent(identity.userId, limit) };
  }

  /** Server-Sent Events of the caller's order outcomes; `Last-Event-ID` replays what was missed. */
  @Get('stream')
  stream(
    @CurrentIdentity() identity: Identity,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const lastEventId = request.headers['last-event-id'];
    return this.streams.stream(
      identity.userId,
      Array.isArray(lastEventId) ? lastEventId[0] : lastEventId,
      request,
      reply,
    );
  }
}
