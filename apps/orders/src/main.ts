import 'reflect-metadata';
import { runService } from '@sdp/bootstrap';
import { createOrdersApp } from './app';
import { loadOrdersConfig } from './config';

runService({ loadConfig: loadOrdersConfig, createApp: createOrdersApp });
