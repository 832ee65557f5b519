import 'reflect-metadata';
import { runService } from '@sdp/bootstrap';
import { createGatewayApp } from './app';
import { loadGatewayConfig } from './config';

runService({ loadConfig: loadGatewayConfig, createApp: createGatewayApp });
