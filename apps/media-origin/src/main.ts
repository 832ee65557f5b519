import 'reflect-metadata';
import { runService } from '@sdp/bootstrap';
import { createMediaOriginApp } from './app';
import { loadMediaOriginConfig } from './config';

runService({ loadConfig: loadMediaOriginConfig, createApp: createMediaOriginApp });
