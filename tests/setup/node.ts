// Setup of the node project: the same console.error rule as the DOM project's.
import { failOnUnexpectedConsoleError } from './console-error-guard.ts';

failOnUnexpectedConsoleError();
