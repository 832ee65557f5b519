import 'reflect-metadata';
import { runService } from '@sdp/bootstrap';
import { createPaymentsApp } from './app';
import { loadPaymentsConfig } from './config';

runService({ loadConfig: loadPaymentsConfig, createApp: createPaymentsApp });
