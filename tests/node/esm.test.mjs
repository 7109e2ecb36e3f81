import * as lib from '../../pkg/node/index.mjs';
import { defineSuite } from './suite.mjs';

defineSuite('node ESM', lib);
