import { ownerFlows } from './owners';

// Owners and agents with JavaScript on.
ownerFlows(true);
