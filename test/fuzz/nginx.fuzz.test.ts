// Differential fuzzing of the nginx target (test/fuzz/suite.ts): at least 10,000 cases a run.
import { fuzzSuite } from './suite.js';

fuzzSuite('nginx');
