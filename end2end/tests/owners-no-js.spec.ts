import { ownerFlows } from './owners';

// The same with JavaScript disabled: plain forms (multipart for the uploads).
ownerFlows(false);
