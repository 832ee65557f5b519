import 'reflect-metadata';
import { runService } from '@sdp/bootstrap';
import { createCatalogApp } from './app';
import { loadCatalogConfig } from './config';

runService({ loadConfig: loadCatalogConfig, createApp: createCatalogApp });
