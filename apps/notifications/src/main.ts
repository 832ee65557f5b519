import 'reflect-metadata';
import { runService } from '@sdp/bootstrap';
import { createNotificationsApp } from './app';
import { loadNotificationsConfig } from './config';

runService({ loadConfig: loadNotificationsConfig, createApp: createNotificationsApp });
