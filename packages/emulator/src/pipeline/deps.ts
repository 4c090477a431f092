import type { EmulatorConfig } from '../config.js';
import type { RefusalLog } from '../diagnostics/refusals.js';
import type { RequestLog } from '../diagnostics/request-log.js';
import type { FaultInjector } from '../faults/rules.js';
import type { Stores } from '../persistence/index.js';
import type { StsService } from '../sts/index.js';

/** What one listener's app is built from; the http and https listeners share all of it. */
export interface AppDeps {
  config: EmulatorConfig;
  stores: Stores;
  sts: StsService;
  /** PEM of the CA, served at //_emulator/ca.pem for phones, browsers and containers' clients. */
  caCert?: string;
  /** Recent refusals, served at //_emulator/refusals. */
  refusals: RefusalLog;
  /** Every answered request, for the terminal, //_emulator/requests and the console's live log. */
  requests: RequestLog;
  /** The fault rules in force (//_emulator/faults). */
  faults: FaultInjector;
}

/** The dependencies of a request's pipeline: the app's, and the protocol of its listener. */
export interface PipelineDeps extends AppDeps {
  protocol: 'http' | 'https';
}
