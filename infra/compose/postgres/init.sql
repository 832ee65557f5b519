-- Runs once, when the postgres volume is first created. One schema per service (libs/topology);
-- each service's migrate job also creates its own (CREATE SCHEMA IF NOT EXISTS), so this only
-- makes the layout visible up front: `\dn` in psql lists them.
CREATE SCHEMA IF NOT EXISTS gateway;
CREATE SCHEMA IF NOT EXISTS catalog;
CREATE SCHEMA IF NOT EXISTS inventory;
CREATE SCHEMA IF NOT EXISTS orders;
CREATE SCHEMA IF NOT EXISTS payments;
CREATE SCHEMA IF NOT EXISTS notifications;
CREATE SCHEMA IF NOT EXISTS delivery;
CREATE SCHEMA IF NOT EXISTS auctions;
CREATE SCHEMA IF NOT EXISTS control;
