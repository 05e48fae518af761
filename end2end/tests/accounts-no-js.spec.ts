import { accountFlows } from './accounts';

// The same flows with JavaScript disabled: plain forms, answered by the server.
accountFlows(false);
