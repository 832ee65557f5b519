import { Module } from '@nestjs/common';
import { NotificationFanout } from './notification-fanout';
import { NotificationStreams } from './notification-streams';
import { NotificationsController } from './notifications.controller';
import { NotificationsRepository } from './notifications.repository';
import { NotificationsService } from './notifications.service';

@Module({
  controllers: [NotificationsController],
  providers: [NotificationsService, NotificationsRepository, NotificationFanout, NotificationStreams],
})
export class NotificationsModule {}
