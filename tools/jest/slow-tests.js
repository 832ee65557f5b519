// Integration and e2e tests talk to real servers (Kafka group joins take seconds): give them room.
// (Jest ignores `testTimeout` inside a project config, so it is set here.)
jest.setTimeout(120_000);
