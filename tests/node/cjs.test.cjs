// The CommonJS entry, through require(), with the same suite.
const lib = require('../../pkg/node/index.cjs');

import('./suite.mjs').then(({ defineSuite }) => defineSuite('node CJS', lib));
