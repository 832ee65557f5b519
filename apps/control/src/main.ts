import 'reflect-metadata';
import { runService } from '@sdp/bootstrap';
import { createControlApp } from './app';
import { loadControlConfig } from './config';

runService({ loadConfig: loadControlConfig, createApp: createControlApp });
