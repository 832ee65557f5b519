import 'reflect-metadata';
import { runService } from '@sdp/bootstrap';
import { createAuctionsApp } from './app';
import { loadAuctionsConfig } from './config';

runService({ loadConfig: loadAuctionsConfig, createApp: createAuctionsApp });
