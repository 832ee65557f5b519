import 'reflect-metadata';
import { runService } from '@sdp/bootstrap';
import { createDeliveryApp } from './app';
import { loadDeliveryConfig } from './config';

runService({ loadConfig: loadDeliveryConfig, createApp: createDeliveryApp });
