import { staffFlows } from './staff';

// The same with JavaScript disabled: a plain multipart form and a self-refreshing page.
staffFlows(false);
