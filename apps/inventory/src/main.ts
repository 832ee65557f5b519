import 'reflect-metadata';
import { runService } from '@sdp/bootstrap';
import { createInventoryApp } from './app';
import { loadInventoryConfig } from './config';

runService({ loadConfig: loadInventoryConfig, createApp: createInventoryApp });
