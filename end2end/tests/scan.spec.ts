import { scanFlows } from './scan';

scanFlows(true);
