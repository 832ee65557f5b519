module.exports = require('../../jest.preset.js').createJestConfig(__dirname);
